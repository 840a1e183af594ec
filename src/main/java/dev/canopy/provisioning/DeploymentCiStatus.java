package dev.canopy.provisioning;

import java.time.Instant;
import java.util.Set;
import java.util.UUID;

import org.jspecify.annotations.Nullable;

/**
 * Records what a CI system (GitHub Actions through the integration module) reports for a repository's branch on the
 * tenant's live deployments built from it. Deliveries may arrive out of order: a report older than the one a
 * deployment shows leaves it alone.
 */
public interface DeploymentCiStatus {

    /** Still running: a later report of the same time replaces these, a final state is not replaced by them. */
    Set<String> RUNNING = Set.of("requested", "queued", "pending", "waiting", "in_progress");

    /** How a run ended (GitHub's conclusions). */
    Set<String> FINAL = Set.of("success", "failure", "cancelled", "neutral", "skipped", "stale", "timed_out",
            "action_required", "startup_failure");

    /**
     * What a CI run reported: its {@code state} (one of {@link #RUNNING} or {@link #FINAL}), the workflow or check
     * {@code name}, a link to it, the commit it ran on and when the CI system last changed it.
     */
    record CiStatus(String state, String name, @Nullable String url, @Nullable String headSha, Instant updatedAt) {

        public CiStatus {
            if (!RUNNING.contains(state) && !FINAL.contains(state)) {
                throw new IllegalArgumentException("Unknown CI state " + state);
            }
        }
    }

    /**
     * Sets the CI status of the tenant's deployments (not destroyed) built from this repository (compared without
     * case) and branch, unless they show a newer one; publishes {@link DeploymentCiStatusChanged} for each whose
     * status changed. Joins the caller's transaction.
     *
     * @return how many deployments were updated
     */
    int record(UUID tenantId, String repository, String branch, CiStatus status);
}
