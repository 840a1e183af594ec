package dev.canopy.provisioning.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import org.springframework.stereotype.Component;

import dev.canopy.audit.Actor;
import dev.canopy.audit.AuditRecord;
import dev.canopy.audit.AuditTrail;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;

/**
 * Drift of deployments: when the next check is due, and what a plan found. A plan that would change anything marks
 * the deployment {@code drifted} (announced once, as {@link DeploymentDrifted}); one that would change nothing, or a
 * successful apply, {@code in_sync}; a failed check {@code check_failed}. Methods run in the caller's tenant
 * transaction.
 */
@Component
class DriftChecks {

    static final String IN_SYNC = "in_sync";
    static final String DRIFTED = "drifted";
    static final String CHECK_FAILED = "check_failed";

    private final JobQueue queue;
    private final JobSettings settings;
    private final Deployments deployments;
    private final AuditTrail audit;
    private final ProvisioningEvents events;

    DriftChecks(JobQueue queue, JobSettings settings, Deployments deployments, AuditTrail audit,
            ProvisioningEvents events) {
        this.queue = queue;
        this.settings = settings;
        this.deployments = deployments;
        this.audit = audit;
        this.events = events;
    }

    /** Checks every active deployment of the environment from one interval from now. */
    void checkEvery(Environment environment) {
        for (UUID id : deployments.activeIn(environment.tenantId(), environment.id())) {
            schedule(environment.tenantId(), id, environment.driftCheck());
        }
    }

    void schedule(UUID tenantId, UUID deploymentId, Duration every) {
        queue.schedule(tenantId, Job.DRIFT, deploymentId, Instant.now().plus(every), settings.maxAttempts());
    }

    /** A plan of the deployment succeeded: drifted when it would change anything. */
    void planned(Deployment deployment, JsonNode plan) {
        int changes = 0;
        for (JsonNode change : plan) {
            if (!"no-op".equals(change.path("action").asString())) {
                changes++;
            }
        }
        record(deployment, changes > 0 ? DRIFTED : IN_SYNC, plan, changes);
    }

    /** An apply succeeded: what is deployed is what the version says. */
    void applied(Deployment deployment) {
        record(deployment, IN_SYNC, JsonNodeFactory.instance.arrayNode(), 0);
    }

    /** A plan of the deployment failed: whether it drifted is unknown. */
    void failed(Deployment deployment) {
        record(deployment, CHECK_FAILED, null, 0);
    }

    private void record(Deployment deployment, String status, JsonNode changes, int count) {
        boolean newlyDrifted = status.equals(DRIFTED) && !DRIFTED.equals(deployment.driftStatus());
        deployments.recordDrift(deployment.tenantId(), deployment.id(), status, changes);
        if (newlyDrifted) {
            audit.append(new AuditRecord(deployment.tenantId(), Instant.now(), new Actor.SystemActor("provisioning"),
                    "deployment.drifted", "deployment", deployment.id().toString(), true, null, null, null, null,
                    Map.of("changes", count)));
            events.drifted(deployment, count);
        }
    }
}
