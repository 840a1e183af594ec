package dev.canopy.platform.events;

import org.jspecify.annotations.Nullable;

import java.util.UUID;

/**
 * An event a module publishes for other modules and the outside world (webhooks, Kafka, notifications). Publish it
 * with Spring's {@code ApplicationEventPublisher} inside the transaction of the change: it is wrapped into an
 * {@link EventEnvelope} that reaches its listeners if and only if that transaction commits. The record's components
 * (but {@code tenant_id}) become the envelope's {@code data}; the class carries an {@link EventType}.
 */
public interface DomainEvent {

    UUID tenantId();

    EventSubject subject();

    /** Who caused it when it is not the caller of the current request (a worker, a timer); null: the caller. */
    default @Nullable EventActor actor() {
        return null;
    }
}
