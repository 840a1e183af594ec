package dev.canopy.provisioning.internal;

import java.util.List;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Component;

import dev.canopy.provisioning.DeploymentDestroyed;
import dev.canopy.provisioning.DeploymentDrifted;
import dev.canopy.provisioning.DeploymentExpiring;
import dev.canopy.provisioning.DeploymentRequested;
import dev.canopy.provisioning.RunApproved;
import dev.canopy.provisioning.RunAwaitingApproval;
import dev.canopy.provisioning.RunCanceled;
import dev.canopy.provisioning.RunFailed;
import dev.canopy.provisioning.RunRejected;
import dev.canopy.provisioning.RunSucceeded;

/** The provisioning module's domain events, built from its rows; each is published in the caller's transaction. */
@Component
class ProvisioningEvents {

    private final ApplicationEventPublisher publisher;

    ProvisioningEvents(ApplicationEventPublisher publisher) {
        this.publisher = publisher;
    }

    void requested(Deployment d, Run first) {
        publisher.publishEvent(new DeploymentRequested(d.tenantId(), d.id(), d.name(), d.templateName(),
                d.templateVersion(), d.environmentId(), d.ownerId(), first.id()));
    }

    void awaitingApproval(Run run, Deployment d, String environment, List<UUID> approverIds) {
        publisher.publishEvent(new RunAwaitingApproval(run.tenantId(), run.id(), d.id(), d.name(), run.kind(),
                environment, run.requestedBy(), approverIds, run.requiredApprovals(), run.approvalDeadline()));
    }

    void approved(Run run, Deployment d, List<UUID> approverIds) {
        publisher.publishEvent(new RunApproved(run.tenantId(), run.id(), d.id(), d.name(), run.kind(),
                run.requestedBy(), approverIds, run.planDigest()));
    }

    void rejected(Run run, Deployment d, UUID by, String comment) {
        publisher.publishEvent(new RunRejected(run.tenantId(), run.id(), d.id(), d.name(), run.kind(),
                run.requestedBy(), by, comment));
    }

    /** A run's end; a rejection was announced by {@link #rejected} already. */
    void ended(Run run, Deployment d, RunState state) {
        @Nullable Object event = switch (state) {
            case SUCCEEDED -> new RunSucceeded(run.tenantId(), run.id(), d.id(), d.name(), run.kind(),
                    run.requestedBy());
            case CANCELED -> new RunCanceled(run.tenantId(), run.id(), d.id(), d.name(), run.kind(),
                    run.requestedBy());
            case REJECTED -> null;
            default -> new RunFailed(run.tenantId(), run.id(), d.id(), d.name(), run.kind(), run.requestedBy(),
                    state.key(), run.error());
        };
        if (event != null) {
            publisher.publishEvent(event);
        }
    }

    void destroyed(Deployment d) {
        publisher.publishEvent(new DeploymentDestroyed(d.tenantId(), d.id(), d.name(), d.ownerId()));
    }

    void expiring(Deployment d) {
        publisher.publishEvent(new DeploymentExpiring(d.tenantId(), d.id(), d.name(), d.ownerId(), d.expiresAt()));
    }

    void drifted(Deployment d, int changes) {
        publisher.publishEvent(new DeploymentDrifted(d.tenantId(), d.id(), d.name(), d.ownerId(), changes));
    }
}
