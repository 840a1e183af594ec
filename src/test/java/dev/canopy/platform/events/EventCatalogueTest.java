package dev.canopy.platform.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.springframework.context.annotation.ClassPathScanningCandidateComponentProvider;
import org.springframework.core.type.filter.AssignableTypeFilter;

import dev.canopy.provisioning.DeploymentDrifted;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.json.JsonMapper;

/** Every domain event is named, unique, catalogued in docs/events.md, and wraps into the documented envelope. */
class EventCatalogueTest {

    @Test
    void everyDomainEventHasAUniqueDocumentedType() throws IOException {
        String catalogue = Files.readString(Path.of("docs/events.md"));
        Set<String> types = new HashSet<>();
        List<Class<?>> events = domainEvents();
        assertThat(events).hasSizeGreaterThanOrEqualTo(3);
        for (Class<?> event : events) {
            EventType type = event.getAnnotation(EventType.class);
            assertThat(type).as(event.getName() + " has @EventType").isNotNull();
            assertThat(type.value()).as(event.getName()).matches("[a-z_]+\\.[a-z_]+");
            assertThat(types.add(type.value())).as("type " + type.value() + " is unique").isTrue();
            assertThat(catalogue).as("docs/events.md lists " + type.value()).contains("| `" + type.value() + "` |");
            assertThat(event.isRecord()).as(event.getName() + " is a record").isTrue();
        }
    }

    @Test
    void anEventIsWrappedIntoTheEnvelopeWithItsFieldsAsDataAndNoTenantIdTwice() {
        JsonMapper json = JsonMapper.builder().propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE).build();
        var wrapping = new EnvelopeWrapping(event -> {
        }, json, null);
        UUID tenant = UUID.randomUUID();
        UUID deployment = UUID.randomUUID();

        EventEnvelope envelope = wrapping.envelope(new DeploymentDrifted(tenant, deployment, "web", UUID.randomUUID(), 2));

        assertThat(envelope.type()).isEqualTo("deployment.drifted");
        assertThat(envelope.family()).isEqualTo("deployment");
        assertThat(envelope.version()).isEqualTo(1);
        assertThat(envelope.tenantId()).isEqualTo(tenant);
        assertThat(envelope.subject()).isEqualTo(new EventSubject("deployment", deployment, "web"));
        assertThat(envelope.actor()).isEqualTo(EventActor.system("drift"));
        assertThat(envelope.data().path("changes").asInt()).isEqualTo(2);
        assertThat(envelope.data().path("deployment_name").asString()).isEqualTo("web");
        assertThat(envelope.data().has("tenant_id")).isFalse();
        assertThat(envelope.id().version()).isEqualTo(7);
    }

    private static List<Class<?>> domainEvents() {
        var scanner = new ClassPathScanningCandidateComponentProvider(false);
        scanner.addIncludeFilter(new AssignableTypeFilter(DomainEvent.class));
        return scanner.findCandidateComponents("dev.canopy").stream().<Class<?>>map(bean -> {
            try {
                return (Class<?>) Class.forName(bean.getBeanClassName());
            } catch (ClassNotFoundException e) {
                throw new IllegalStateException(e);
            }
        }).toList();
    }
}
