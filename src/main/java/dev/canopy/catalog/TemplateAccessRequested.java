package dev.canopy.catalog;

import java.util.List;
import java.util.UUID;

import dev.canopy.platform.events.DomainEvent;
import dev.canopy.platform.events.EventSubject;
import dev.canopy.platform.events.EventType;

/** A member asked to use a locked template: {@code approverIds} are those who may decide. */
@EventType("template.access_requested")
public record TemplateAccessRequested(UUID tenantId, UUID requestId, UUID templateId, String templateName, UUID requesterId,
        String reason, List<UUID> approverIds) implements DomainEvent {

    @Override
    public EventSubject subject() {
        return new EventSubject("template_access_request", requestId, templateName);
    }
}
