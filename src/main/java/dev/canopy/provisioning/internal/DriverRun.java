package dev.canopy.provisioning.internal;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.jspecify.annotations.Nullable;

import tools.jackson.databind.node.ObjectNode;

/**
 * What a driver gets for one plan, apply or destroy: the template version's files in a fresh work directory, the
 * inputs (secrets included), the cloud account's credentials as process environment, where to write lines, and
 * the signal that stops it (its process gets SIGTERM, then SIGKILL after {@code cancelGrace}). {@code runKind} is
 * the run's ({@code plan}, {@code apply}, {@code destroy}): a plan step of a destroy run plans the destroy. An apply
 * of an approved plan carries {@code approved}: a driver that computes the changes again just before making them
 * asks it whether they are still the approved ones ({@link #requireApproved}), and stops if not.
 */
record DriverRun(UUID deploymentId, UUID runId, Path workDirectory, ObjectNode inputs,
        Map<String, String> environment, LineSink log, CancelSignal cancel, Duration cancelGrace, UUID tenantId,
        String runKind, @Nullable ApprovedPlan approved) {

    /** Whether a change list is the plan the approvers approved. */
    interface ApprovedPlan {
        boolean matches(List<DriverResult.Change> changes);
    }

    /** Throws {@link DriverFailure.PlanChanged} when these changes, about to be made, are not the approved ones. */
    void requireApproved(List<DriverResult.Change> changes) {
        if (approved != null && !approved.matches(changes)) {
            throw new DriverFailure.PlanChanged(changes);
        }
    }

    @Override
    public String toString() {
        return "DriverRun[" + deploymentId + "/" + runId + "]"; // never the inputs or the environment
    }
}
