package dev.canopy.provisioning.internal;

import java.util.List;
import java.util.Objects;
import java.util.UUID;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Service;

import dev.canopy.platform.db.TenantTransactions;
import dev.canopy.provisioning.DeploymentCiStatus;
import dev.canopy.provisioning.DeploymentCiStatusChanged;

/** Writes CI reports on deployments and tells the world when one changed what a deployment shows. */
@Service
class CiStatusRecords implements DeploymentCiStatus {

    private final Deployments deployments;
    private final TenantTransactions scopes;
    private final ApplicationEventPublisher events;

    CiStatusRecords(Deployments deployments, TenantTransactions scopes, ApplicationEventPublisher events) {
        this.deployments = deployments;
        this.scopes = scopes;
        this.events = events;
    }

    @Override
    public int record(UUID tenantId, String repository, String branch, CiStatus status) {
        if (CiSource.repositoryProblem(repository).isPresent() || CiSource.branchProblem(branch).isPresent()) {
            return 0; // no deployment can name it
        }
        return scopes.inTenant(tenantId, () -> {
            List<Deployments.CiChange> changes = deployments.recordCi(tenantId, repository, branch, status);
            for (Deployments.CiChange c : changes) {
                // the same report again (another delivery of it, a re-run's echo) changes nothing worth telling
                boolean changed = !status.state().equals(c.previousState())
                        || !status.name().equals(c.previousName())
                        || !Objects.equals(status.headSha(), c.previousHeadSha());
                if (changed) {
                    events.publishEvent(new DeploymentCiStatusChanged(tenantId, c.id(), c.name(), c.ownerId(),
                            repository, branch, status.state(), c.previousState(), status.name(), status.url(),
                            status.headSha(), status.updatedAt()));
                }
            }
            return changes.size();
        });
    }
}
