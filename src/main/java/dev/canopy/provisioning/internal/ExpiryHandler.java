package dev.canopy.provisioning.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

import dev.canopy.audit.Actor;
import dev.canopy.audit.AuditRecord;
import dev.canopy.audit.AuditTrail;
import dev.canopy.notifications.MailMessage;
import dev.canopy.notifications.OutgoingMail;
import dev.canopy.platform.db.TenantTransactions;

/**
 * A deployment's TTL: a warning {@code canopy.provisioning.expiry-warning} before its end, then its destroy run at
 * the end (Canopy's own, needing no approval: agreed at creation).
 */
@Component
class ExpiryHandler implements JobHandler {

    private final Deployments deployments;
    private final Environments environments;
    private final RunLifecycle lifecycle;
    private final TenantTransactions scopes;
    private final AuditTrail audit;
    private final OutgoingMail mail;
    private final Duration warning;
    private final ProvisioningEvents events;

    ExpiryHandler(Deployments deployments, Environments environments, RunLifecycle lifecycle,
            TenantTransactions scopes, AuditTrail audit, OutgoingMail mail,
            @Value("${canopy.provisioning.expiry-warning:1h}") Duration warning, ProvisioningEvents events) {
        this.events = events;
        this.mail = mail;
        this.warning = warning;
        this.deployments = deployments;
        this.environments = environments;
        this.lifecycle = lifecycle;
        this.scopes = scopes;
        this.audit = audit;
    }

    @Override
    public String kind() {
        return Job.EXPIRE;
    }

    @Override
    public Outcome attempt(Job job, JobLease lease) {
        UUID tenantId = job.tenantId();
        return scopes.inTenant(tenantId, () -> {
            Optional<Deployment> found = deployments.lock(tenantId, job.subjectId());
            if (found.isEmpty() || !found.get().status().equals(Deployment.ACTIVE)
                    || found.get().expiresAt() == null) {
                return new Outcome.Done();
            }
            Deployment deployment = found.get();
            Instant now = Instant.now();
            if (deployment.expiresAt().minus(warning).isAfter(now)) {
                return new Outcome.WaitUntil(deployment.expiresAt().minus(warning)); // extended meanwhile
            }
            if (deployment.expiresAt().isAfter(now)) {
                warn(deployment);
                return new Outcome.WaitUntil(deployment.expiresAt());
            }
            Environment environment = environments.find(tenantId, deployment.environmentId()).orElseThrow();
            Run run = lifecycle.request(deployment, environment, Run.DESTROY, RunLifecycle.Requester.TTL, null);
            audit.append(new AuditRecord(tenantId, Instant.now(), new Actor.SystemActor("provisioning"),
                    "deployment.expired", "deployment", deployment.id().toString(), true, null, null, null, null,
                    Map.of("run_id", run.id().toString(), "expired_at", deployment.expiresAt().toString())));
            return new Outcome.Done();
        });
    }

    /** The warning before the end: audited, and mailed to the owner (in-app notifications are issue 17). */
    private void warn(Deployment deployment) {
        audit.append(new AuditRecord(deployment.tenantId(), Instant.now(), new Actor.SystemActor("provisioning"),
                "deployment.expiring", "deployment", deployment.id().toString(), true, null, null, null, null,
                Map.of("expires_at", deployment.expiresAt().toString())));
        events.expiring(deployment);
        mail.sendAfterCommit(new MailMessage(deployment.ownerEmail(), "Your deployment '"
                + deployment.name().replaceAll("[\\r\\n]", " ") + "' is destroyed at " + deployment.expiresAt(),
                "Its time to live ends at " + deployment.expiresAt() + "; Canopy then destroys it. To keep it "
                        + "longer, extend it: POST /api/v1/deployments/" + deployment.id() + "/extend."));
    }

    @Override
    public void exhausted(Job job, String error) {
        // nothing was changed by a failed attempt; the deployment stays and its owner can destroy it
    }
}
