package dev.canopy.provisioning;

import java.time.Instant;
import java.util.UUID;

import org.jspecify.annotations.Nullable;

import dev.canopy.platform.events.DomainEvent;
import dev.canopy.platform.events.EventActor;
import dev.canopy.platform.events.EventSubject;
import dev.canopy.platform.events.EventType;

/**
 * A deployment's CI status changed (another state, workflow or commit) because its CI system reported on the
 * repository and branch the deployment is built from. {@code previousState} is null for the first report.
 */
@EventType("deployment.ci_status_changed")
public record DeploymentCiStatusChanged(UUID tenantId, UUID deploymentId, String deploymentName, UUID ownerId,
        String repository, String branch, String state, @Nullable String previousState, String name, @Nullable String url,
        @Nullable String headSha, Instant updatedAt) implements DomainEvent {

    @Override
    public EventSubject subject() {
        return new EventSubject("deployment", deploymentId, deploymentName);
    }

    @Override
    public EventActor actor() {
        return EventActor.system("ci");
    }
}
