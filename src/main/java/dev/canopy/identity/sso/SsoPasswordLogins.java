package dev.canopy.identity.sso;

import java.util.UUID;

import org.springframework.stereotype.Component;

import dev.canopy.identity.internal.PasswordLogins;
import dev.canopy.platform.db.TenantTransactions;

/** A tenant accepts passwords unless its SSO configuration says {@code auth_mode: sso}. */
@Component
class SsoPasswordLogins implements PasswordLogins {

    private final SsoConfigs configs;
    private final TenantTransactions scopes;

    SsoPasswordLogins(SsoConfigs configs, TenantTransactions scopes) {
        this.configs = configs;
        this.scopes = scopes;
    }

    @Override
    public boolean allowedIn(UUID tenantId) {
        return scopes.inTenant(tenantId, () -> configs.authMode(tenantId)).passwordAllowed();
    }
}
