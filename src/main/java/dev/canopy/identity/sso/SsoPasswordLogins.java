package dev.canopy.identity.sso;

import java.time.Duration;
import java.util.UUID;

import org.springframework.stereotype.Component;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import dev.canopy.identity.internal.PasswordLogins;
import dev.canopy.platform.db.ChangeBroadcast;
import dev.canopy.platform.db.TenantTransactions;

/**
 * A tenant accepts passwords unless its SSO configuration says {@code auth_mode: sso}. Asked on every token
 * refresh, so the answer is cached per tenant and dropped on every instance when the configuration changes.
 */
@Component
class SsoPasswordLogins implements PasswordLogins, ChangeBroadcast.Listener {

    private final SsoConfigs configs;
    private final TenantTransactions scopes;
    private final Cache<UUID, Boolean> allowed = Caffeine.newBuilder()
            .maximumSize(100_000)
            .expireAfterWrite(Duration.ofMinutes(5)) // a safety net only: changes evict at once
            .build();

    SsoPasswordLogins(SsoConfigs configs, TenantTransactions scopes, ChangeBroadcast changes) {
        this.configs = configs;
        this.scopes = scopes;
        changes.subscribe(this);
    }

    @Override
    public boolean allowedIn(UUID tenantId) {
        return allowed.get(tenantId, id -> scopes.inTenant(id, () -> configs.authMode(id)).passwordAllowed());
    }

    @Override
    public void changed(String topic, String key) {
        if (SsoConfigs.TOPIC.equals(topic)) {
            allowed.invalidate(UUID.fromString(key));
        }
    }

    @Override
    public void missedChanges() {
        allowed.invalidateAll();
    }
}
