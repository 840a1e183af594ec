package dev.canopy.platform.events;

import java.time.Clock;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.event.EventListener;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.transaction.support.TransactionTemplate;

import dev.canopy.platform.Ids;
import dev.canopy.platform.security.CanopyPrincipal;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Wraps every {@link DomainEvent} into its {@link EventEnvelope} and publishes that, in the publisher's transaction,
 * so the registry records one publication per envelope listener with the business change. The envelope is built
 * once: every consumer sees the same id, time and actor.
 */
@Component
class EnvelopeWrapping {

    private final ApplicationEventPublisher publisher;
    private final JsonMapper json;
    private final TransactionTemplate transaction;
    private final Clock clock;

    EnvelopeWrapping(ApplicationEventPublisher publisher, JsonMapper json, PlatformTransactionManager transactions) {
        this.publisher = publisher;
        this.json = json;
        this.transaction = new TransactionTemplate(transactions);
        this.clock = Clock.systemUTC();
    }

    @EventListener
    void wrap(DomainEvent event) {
        EventEnvelope envelope = envelope(event);
        if (TransactionSynchronizationManager.isActualTransactionActive()) {
            publisher.publishEvent(envelope);
        } else {
            // outside a transaction the registry would drop it: give it one of its own
            transaction.executeWithoutResult(status -> publisher.publishEvent(envelope));
        }
    }

    EventEnvelope envelope(DomainEvent event) {
        EventType type = event.getClass().getAnnotation(EventType.class);
        if (type == null) {
            throw new IllegalStateException(event.getClass().getName() + " has no @EventType");
        }
        ObjectNode data = json.valueToTree(event);
        data.remove("tenant_id");
        EventActor actor = event.actor() != null ? event.actor() : caller();
        return new EventEnvelope(Ids.newId(), type.value(), type.version(), clock.instant(), event.tenantId(), actor,
                event.subject(), data);
    }

    private static EventActor caller() {
        Authentication authentication = SecurityContextHolder.getContext().getAuthentication();
        if (authentication == null || !(authentication.getPrincipal() instanceof CanopyPrincipal p)) {
            return EventActor.system("canopy");
        }
        if (p.kind() == CanopyPrincipal.Kind.API_KEY) {
            return new EventActor("api_key", p.userId(), p.email());
        }
        return new EventActor(p.viaTenantId() != null || p.enteredAsPlatformAdmin() ? "delegated" : "user",
                p.userId(), p.email());
    }
}
