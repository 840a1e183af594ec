package dev.canopy.catalog.internal;

import java.util.List;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Service;

import dev.canopy.access.Permissions;
import dev.canopy.audit.AuditTrail;
import dev.canopy.identity.TenantDirectory;
import dev.canopy.platform.Ids;
import dev.canopy.platform.db.TenantTransactions;
import dev.canopy.platform.security.CanopyPrincipal;
import dev.canopy.platform.web.ApiException;

/** An MSP publishes its templates to one client tenant or to all of them, and withdraws them again. */
@Service
public class TemplateSharing {

    private final TemplateShares shares;
    private final TemplateDirectory directory;
    private final TenantDirectory tenants;
    private final TenantTransactions scopes;
    private final AuditTrail audit;

    TemplateSharing(TemplateShares shares, TemplateDirectory directory, TenantDirectory tenants,
            TenantTransactions scopes, AuditTrail audit) {
        this.shares = shares;
        this.directory = directory;
        this.tenants = tenants;
        this.scopes = scopes;
        this.audit = audit;
    }

    /** Shares with one client ({@code clientTenantId}) or every client ({@code allClients}); sharing twice is one share. */
    public TemplateShare share(CanopyPrincipal by, UUID templateId, @Nullable UUID clientTenantId,
            @Nullable Boolean allClients) {
        by.require(Permissions.TEMPLATES_MANAGE);
        boolean all = Boolean.TRUE.equals(allClients);
        if (all == (clientTenantId != null)) {
            throw ApiException.invalidField(all ? "tenant_id" : "all_clients",
                    "give either tenant_id or all_clients: true");
        }
        UUID tenantId = by.tenantId();
        directory.own(tenantId, templateId);
        if (clientTenantId != null && tenants.find(clientTenantId)
                .filter(t -> tenantId.equals(t.parentTenantId()) && t.usable()).isEmpty()) {
            throw ApiException.notFound("TENANT_NOT_FOUND", "No client tenant " + clientTenantId + " of this tenant.");
        }
        TemplateShare share = scopes.inTenant(tenantId, () -> shares.add(tenantId, Ids.newId(), templateId,
                clientTenantId, by.userId()));
        audit.detail("share_id", share.id().toString());
        audit.detail("client_tenant_id", clientTenantId == null ? "all" : clientTenantId.toString());
        return share;
    }

    public List<TemplateShare> list(CanopyPrincipal principal, UUID templateId) {
        principal.require(Permissions.TEMPLATES_MANAGE);
        UUID tenantId = principal.tenantId();
        directory.own(tenantId, templateId);
        return scopes.inTenant(tenantId, () -> shares.list(tenantId, templateId));
    }

    public void withdraw(CanopyPrincipal by, UUID templateId, UUID shareId) {
        by.require(Permissions.TEMPLATES_MANAGE);
        UUID tenantId = by.tenantId();
        directory.own(tenantId, templateId);
        if (!scopes.inTenant(tenantId, () -> shares.remove(tenantId, templateId, shareId))) {
            throw ApiException.notFound("TEMPLATE_SHARE_NOT_FOUND", "No share " + shareId + " of this template.");
        }
        audit.detail("share_id", shareId.toString());
    }
}
