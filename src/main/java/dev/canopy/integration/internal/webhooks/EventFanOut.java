package dev.canopy.integration.internal.webhooks;

import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

import dev.canopy.platform.Ids;
import dev.canopy.platform.db.ChangeBroadcast;
import dev.canopy.platform.db.TenantTransactions;
import dev.canopy.platform.events.EventEnvelope;
import tools.jackson.databind.json.JsonMapper;

/**
 * Turns each domain event into one pending delivery per enabled webhook of its tenant that subscribes to its type,
 * in the transaction that publishes the event: the deliveries and their queue are the webhooks' own outbox, so a
 * delivery exists if and only if the event's transaction commits, without an outbox publication, a listener thread
 * and three more transactions per event. It only writes rows (never calls a receiver), so neither a slow receiver
 * nor many webhooks slow the request that caused the event. A repeat of the same event adds nothing.
 */
@Component
class EventFanOut {

    private final TenantTransactions scopes;
    private final Deliveries deliveries;
    private final ChangeBroadcast changes;
    private final JsonMapper json;
    private final Duration retryWindow;

    EventFanOut(TenantTransactions scopes, Deliveries deliveries, ChangeBroadcast changes, JsonMapper json,
            @Value("${canopy.webhooks.retry-window}") Duration retryWindow) {
        this.scopes = scopes;
        this.deliveries = deliveries;
        this.changes = changes;
        this.json = json;
        this.retryWindow = retryWindow;
    }

    /** In the publisher's transaction ({@code EnvelopeWrapping} always publishes in one), in the event's tenant. */
    @EventListener
    void on(EventEnvelope event) {
        scopes.inTenant(event.tenantId(), () -> {
            int added = deliveries.fanOut(event.tenantId(), event.id(), event.type(), json.writeValueAsString(event),
                    Instant.now().plus(retryWindow));
            if (added > 0) {
                changes.publish(DeliveryWorker.TOPIC, "");
            }
        });
    }

    /** Adds a pending delivery of the event to one webhook, not queued, in the caller's tenant transaction (a ping). */
    UUID enqueue(EventEnvelope event, UUID webhookId) {
        UUID id = Ids.newId();
        deliveries.insert(event.tenantId(), id, webhookId, event.id(), event.type(), json.writeValueAsString(event),
                Instant.now().plus(retryWindow));
        return id;
    }
}
