package dev.canopy.catalog;

import java.util.UUID;

import dev.canopy.platform.events.DomainEvent;
import dev.canopy.platform.events.EventSubject;
import dev.canopy.platform.events.EventType;

/** A new version of a template was published (uploaded and checked). */
@EventType("template.version_published")
public record TemplateVersionPublished(UUID tenantId, UUID templateId, String templateName, String version, String digest,
        String driver) implements DomainEvent {

    @Override
    public EventSubject subject() {
        return new EventSubject("template", templateId, templateName);
    }
}
