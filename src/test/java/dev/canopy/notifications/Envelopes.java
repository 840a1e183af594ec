package dev.canopy.notifications;

import java.time.Instant;
import java.util.UUID;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import dev.canopy.platform.Ids;
import dev.canopy.platform.events.EventActor;
import dev.canopy.platform.events.EventEnvelope;
import dev.canopy.platform.events.EventSubject;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Publishes envelopes as a module's event would arrive: in a committed transaction, through the event publication
 * registry, to the listeners. Lets the tests name the exact data (and repeat an envelope, as redelivery does).
 */
final class Envelopes {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final ApplicationEventPublisher publisher;
    private final TransactionTemplate transaction;

    Envelopes(ApplicationEventPublisher publisher, PlatformTransactionManager transactions) {
        this.publisher = publisher;
        this.transaction = new TransactionTemplate(transactions);
    }

    static ObjectNode data(Object... keysAndValues) {
        ObjectNode data = JSON.createObjectNode();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            data.set((String) keysAndValues[i], JSON.valueToTree(keysAndValues[i + 1]));
        }
        return data;
    }

    static EventEnvelope envelope(String type, UUID tenantId, EventSubject subject, ObjectNode data) {
        return new EventEnvelope(Ids.newId(), type, 1, Instant.now(), tenantId, EventActor.system("test"), subject,
                data);
    }

    /** A run of a deployment named {@code name} that failed, requested by {@code requester}. */
    static EventEnvelope runFailed(UUID tenantId, UUID requester, String name) {
        UUID run = Ids.newId();
        return envelope("run.failed", tenantId, new EventSubject("run", run, name), data("run_id", run.toString(),
                "requester_id", requester.toString(), "kind", "apply", "deployment_name", name));
    }

    /** Several envelopes committed in one transaction. */
    void publishAll(EventEnvelope... all) {
        transaction.executeWithoutResult(status -> {
            for (EventEnvelope envelope : all) {
                publisher.publishEvent(envelope);
            }
        });
    }

    EventEnvelope publish(EventEnvelope envelope) {
        transaction.executeWithoutResult(status -> publisher.publishEvent(envelope));
        return envelope;
    }
}
