package dev.canopy.provisioning.internal;

import java.util.UUID;

import org.springframework.stereotype.Component;

import dev.canopy.catalog.TemplateUsage;
import dev.canopy.platform.db.TenantTransactions;

/** Tells the catalog which templates live deployments use, so they are not deleted from under them. */
@Component
class DeploymentsOfTemplates implements TemplateUsage {

    private final Deployments deployments;
    private final TenantTransactions scopes;

    DeploymentsOfTemplates(Deployments deployments, TenantTransactions scopes) {
        this.deployments = deployments;
        this.scopes = scopes;
    }

    @Override
    public boolean inUse(UUID tenantId, UUID templateId) {
        return scopes.inTenant(tenantId, () -> deployments.templateInUse(tenantId, templateId));
    }
}
