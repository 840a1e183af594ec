package dev.canopy.platform.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import dev.canopy.provisioning.DeploymentDrifted;
import dev.canopy.support.ApiTest;
import dev.canopy.support.RecordedEvents;

/**
 * The outbox: an event reaches its listeners if and only if its transaction commits, with the documented envelope,
 * and a listener that fails gets it again.
 */
class DomainEventsTest extends ApiTest {

    @Autowired
    RecordedEvents events;

    @Autowired
    ApplicationEventPublisher publisher;

    @Autowired
    PlatformTransactionManager transactions;

    @Test
    void aTenantCreatedThroughTheApiIsAnnouncedWithItsCreatorAsActor() {
        var tenant = fixtures.tenant();

        EventEnvelope envelope = events.await(e -> e.subject().id().equals(tenant.id()), Duration.ofSeconds(10))
                .orElseThrow();

        assertThat(envelope.type()).isEqualTo("tenant.created");
        assertThat(envelope.tenantId()).isEqualTo(tenant.id());
        assertThat(envelope.subject().type()).isEqualTo("tenant");
        assertThat(envelope.subject().name()).isEqualTo(tenant.slug());
        assertThat(envelope.data().path("slug").asString()).isEqualTo(tenant.slug());
        assertThat(envelope.actor().type()).isEqualTo("user");
        assertThat(envelope.actor().display()).isEqualTo(ADMIN_EMAIL);
    }

    @Test
    void anEventOfARolledBackTransactionNeverReachesItsListeners() throws InterruptedException {
        UUID committed = UUID.randomUUID();
        UUID rolledBack = UUID.randomUUID();
        var transaction = new TransactionTemplate(transactions);

        transaction.executeWithoutResult(status -> {
            publisher.publishEvent(drifted(rolledBack));
            status.setRollbackOnly();
        });
        transaction.executeWithoutResult(status -> publisher.publishEvent(drifted(committed)));

        assertThat(events.await(e -> e.subject().id().equals(committed), Duration.ofSeconds(10))).isPresent();
        Thread.sleep(500); // the rolled-back one would have been handed over in the same way by now
        assertThat(events.about(rolledBack)).isEmpty();
        assertThat(events.about(committed)).hasSize(1);
    }

    @Test
    void aListenerThatFailsIsHandedTheEventAgainUntilItTakesIt() {
        UUID subject = UUID.randomUUID();
        events.failFor(subject, 2);

        new TransactionTemplate(transactions).executeWithoutResult(status -> publisher.publishEvent(drifted(subject)));

        // failed publications are resubmitted every canopy.events.resubmit-every (1 s in tests)
        EventEnvelope envelope = events.await(e -> e.subject().id().equals(subject), Duration.ofSeconds(20))
                .orElseThrow();
        assertThat(events.deliveries(envelope.id())).isEqualTo(3);
        assertThat(events.about(subject)).hasSize(1);
    }

    private static DeploymentDrifted drifted(UUID deploymentId) {
        return new DeploymentDrifted(UUID.randomUUID(), deploymentId, "web", UUID.randomUUID(), 1);
    }
}
