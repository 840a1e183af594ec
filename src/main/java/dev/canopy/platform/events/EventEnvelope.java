package dev.canopy.platform.events;

import java.time.Instant;
import java.util.UUID;

import tools.jackson.databind.JsonNode;

/**
 * A domain event as it leaves its module, the JSON that webhooks, Kafka and notifications carry:
 * {@code {id, type, version, occurred_at, tenant_id, actor, subject, data}}. Its {@code id} is unique per event, so
 * consumers of an at-least-once channel drop repeats by it. Types are catalogued in docs/events.md.
 */
public record EventEnvelope(UUID id, String type, int version, Instant occurredAt, UUID tenantId, EventActor actor,
        EventSubject subject, JsonNode data) {

    /** The part of the type before the dot ({@code run} of {@code run.succeeded}): a Kafka topic's family. */
    public String family() {
        return type.substring(0, type.indexOf('.'));
    }
}
