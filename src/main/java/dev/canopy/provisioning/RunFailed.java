package dev.canopy.provisioning;

import java.util.UUID;

import org.jspecify.annotations.Nullable;

import dev.canopy.platform.events.DomainEvent;
import dev.canopy.platform.events.EventSubject;
import dev.canopy.platform.events.EventType;

/**
 * A run ended without success: {@code state} is {@code failed}, {@code dead_letter} or {@code expired} (no decision
 * in time).
 */
@EventType("run.failed")
public record RunFailed(UUID tenantId, UUID runId, UUID deploymentId, String deploymentName, String kind,
        @Nullable UUID requesterId, String state, @Nullable String error) implements DomainEvent {

    @Override
    public EventSubject subject() {
        return new EventSubject("run", runId, deploymentName);
    }
}
