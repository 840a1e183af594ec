package dev.canopy.integration.internal.webhooks;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.modulith.events.ApplicationModuleListener;
import org.springframework.stereotype.Component;

import dev.canopy.platform.Ids;
import dev.canopy.platform.db.ChangeBroadcast;
import dev.canopy.platform.db.TenantTransactions;
import dev.canopy.platform.events.EventEnvelope;
import tools.jackson.databind.json.JsonMapper;

/**
 * Turns each domain event into one pending delivery per enabled webhook of its tenant that subscribes to its type.
 * Runs from the outbox after the event's transaction committed, and only writes rows (never calls a receiver), so
 * neither a slow receiver nor many webhooks slow the request that caused the event. A repeat of the same event
 * (the outbox delivers at least once) adds nothing.
 */
@Component
class EventFanOut {

    private final TenantTransactions scopes;
    private final Webhooks webhooks;
    private final Deliveries deliveries;
    private final DeliveryQueue queue;
    private final ChangeBroadcast changes;
    private final JsonMapper json;
    private final Duration retryWindow;

    EventFanOut(TenantTransactions scopes, Webhooks webhooks, Deliveries deliveries, DeliveryQueue queue,
            ChangeBroadcast changes, JsonMapper json, @Value("${canopy.webhooks.retry-window}") Duration retryWindow) {
        this.scopes = scopes;
        this.webhooks = webhooks;
        this.deliveries = deliveries;
        this.queue = queue;
        this.changes = changes;
        this.json = json;
        this.retryWindow = retryWindow;
    }

    @ApplicationModuleListener
    void on(EventEnvelope event) {
        scopes.inTenant(event.tenantId(), () -> {
            List<UUID> subscribers = webhooks.subscribers(event.tenantId(), event.type());
            if (!subscribers.isEmpty()) {
                announce(event.tenantId(), enqueue(event, subscribers));
            }
        });
    }

    /** Adds a pending delivery of the event to each webhook, in the caller's tenant transaction; answers their ids. */
    List<UUID> enqueue(EventEnvelope event, List<UUID> webhookIds) {
        String payload = json.writeValueAsString(event);
        Instant retryUntil = Instant.now().plus(retryWindow);
        List<UUID> added = new ArrayList<>();
        for (UUID webhookId : webhookIds) {
            UUID id = Ids.newId();
            if (deliveries.insert(event.tenantId(), id, webhookId, event.id(), event.type(), payload, retryUntil)) {
                added.add(id);
            }
        }
        return added;
    }

    /** Queues the deliveries added for the workers, announced to every instance when the transaction commits. */
    void announce(UUID tenantId, List<UUID> deliveryIds) {
        deliveryIds.forEach(id -> queue.add(id, tenantId));
        if (!deliveryIds.isEmpty()) {
            changes.publish(DeliveryWorker.TOPIC, "");
        }
    }
}
