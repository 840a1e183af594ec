package dev.canopy.catalog;

import java.util.UUID;

import org.jspecify.annotations.Nullable;

import dev.canopy.platform.events.DomainEvent;
import dev.canopy.platform.events.EventSubject;
import dev.canopy.platform.events.EventType;

/** A template access request was approved or rejected ({@code decision}). */
@EventType("template.access_decided")
public record TemplateAccessDecided(UUID tenantId, UUID requestId, UUID templateId, String templateName, UUID requesterId,
        String decision, UUID decidedBy, @Nullable String comment) implements DomainEvent {

    @Override
    public EventSubject subject() {
        return new EventSubject("template_access_request", requestId, templateName);
    }
}
