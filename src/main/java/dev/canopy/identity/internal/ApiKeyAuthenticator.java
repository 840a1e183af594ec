package dev.canopy.identity.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import dev.canopy.access.AccessDecisionPoint;
import dev.canopy.identity.TenantDirectory;
import dev.canopy.identity.TenantInfo;
import dev.canopy.platform.db.ChangeBroadcast;
import dev.canopy.platform.db.TenantTransactions;
import dev.canopy.platform.security.CanopyAuthentication;
import dev.canopy.platform.security.CanopyPrincipal;
import dev.canopy.platform.security.ProblemAuthenticationException;

/**
 * Authenticates {@code Authorization: Bearer cnp_...}: the key's service principal, in the key's tenant,
 * with its roles' permissions and nothing else. Outcomes are cached by the secret's hash, so the hot path
 * makes no database round trip; every instance forgets a key when it is revoked or its tenant changes
 * ({@link ChangeBroadcast}), so revocation takes effect at once. Use is recorded at most once a minute.
 */
@Component
class ApiKeyAuthenticator implements ChangeBroadcast.Listener {

    private static final Logger log = LoggerFactory.getLogger(ApiKeyAuthenticator.class);
    /** A safety net only: changes evict entries long before this. */
    private static final Duration MAX_STALENESS = Duration.ofMinutes(5);

    private final ApiKeys keys;
    private final TenantDirectory tenants;
    private final TenantTransactions scopes;
    private final AccessDecisionPoint decisions;
    private final Cache<String, Resolution> resolved = Caffeine.newBuilder()
            .maximumSize(10_000)
            .expireAfterWrite(MAX_STALENESS)
            .build();
    /** Keys whose use was recorded by this instance within the last minute. */
    private final Cache<UUID, Boolean> recentlyUsed = Caffeine.newBuilder()
            .maximumSize(10_000)
            .expireAfterWrite(Duration.ofMinutes(1))
            .build();
    /**
     * Counts changes heard. A lookup that raced with a change (read before it, cached after its eviction)
     * is used for its own request but not cached.
     */
    private final AtomicLong changesHeard = new AtomicLong();

    ApiKeyAuthenticator(ApiKeys keys, TenantDirectory tenants, TenantTransactions scopes,
            AccessDecisionPoint decisions, ChangeBroadcast changes) {
        this.keys = keys;
        this.tenants = tenants;
        this.scopes = scopes;
        this.decisions = decisions;
        changes.subscribe(this);
    }

    /** A key's principal, or why it is refused, and until when it may be used. */
    private record Resolution(UUID keyId, UUID tenantId, @Nullable CanopyPrincipal principal,
            @Nullable ProblemAuthenticationException refusal, @Nullable Instant expiresAt) {
    }

    CanopyAuthentication authenticate(String secret) {
        String cacheKey = HexFormat.of().formatHex(ApiKeySecrets.hash(secret));
        Resolution resolution = resolved.getIfPresent(cacheKey);
        if (resolution == null) {
            long seen = changesHeard.get();
            resolution = resolve(ApiKeySecrets.hash(secret));
            if (resolution == null) {
                throw refused(HttpStatus.UNAUTHORIZED, "API_KEY_INVALID", "The API key is unknown or revoked.");
            }
            if (changesHeard.get() == seen) {
                resolved.put(cacheKey, resolution);
            }
        }
        if (resolution.refusal() != null) {
            throw resolution.refusal();
        }
        if (resolution.expiresAt() != null && !Instant.now().isBefore(resolution.expiresAt())) {
            throw refused(HttpStatus.UNAUTHORIZED, "API_KEY_EXPIRED", "The API key has expired.");
        }
        recordUse(resolution);
        return new ApiKeyAuthentication(resolution.principal(), secret);
    }

    private @Nullable Resolution resolve(byte[] hash) {
        ApiKeys.Target target = keys.target(hash).orElse(null);
        if (target == null) {
            return null;
        }
        ApiKey key = scopes.inTenant(target.tenantId(), () -> keys.find(target.tenantId(), target.keyId()))
                .filter(k -> k.revokedAt() == null)
                .orElse(null);
        if (key == null) {
            return null;
        }
        TenantInfo tenant = tenants.find(key.tenantId()).orElse(null);
        if (tenant == null || !tenant.usable()) {
            String status = tenant == null ? "deleted" : tenant.status();
            return new Resolution(key.id(), key.tenantId(), null, refused(HttpStatus.FORBIDDEN,
                    "deleted".equals(status) ? "TENANT_DELETED" : "TENANT_SUSPENDED",
                    "The tenant of this API key is " + status + "."), key.expiresAt());
        }
        var principal = new CanopyPrincipal(key.id(), key.principalName(), key.tenantId(), key.id(),
                decisions.effectivePermissions(key.roles(), false), false, CanopyPrincipal.Kind.API_KEY);
        return new Resolution(key.id(), key.tenantId(), principal, null, key.expiresAt());
    }

    private void recordUse(Resolution resolution) {
        if (recentlyUsed.asMap().putIfAbsent(resolution.keyId(), Boolean.TRUE) != null) {
            return;
        }
        try {
            scopes.inTenant(resolution.tenantId(), () -> keys.touch(resolution.tenantId(), resolution.keyId()));
        }
        catch (RuntimeException e) {
            log.warn("Could not record the use of API key {}: {}", resolution.keyId(), e.getMessage());
        }
    }

    @Override
    public void changed(String topic, String key) {
        switch (topic) {
            case ApiKeys.TOPIC -> {
                changesHeard.incrementAndGet();
                UUID keyId = UUID.fromString(key);
                resolved.asMap().values().removeIf(r -> r.keyId().equals(keyId));
            }
            case "tenant" -> {
                changesHeard.incrementAndGet();
                resolved.invalidateAll();
            }
            default -> {
            }
        }
    }

    @Override
    public void missedChanges() {
        changesHeard.incrementAndGet();
        resolved.invalidateAll();
    }

    private static ProblemAuthenticationException refused(HttpStatus status, String code, String detail) {
        return new ProblemAuthenticationException(status, code, detail);
    }
}
