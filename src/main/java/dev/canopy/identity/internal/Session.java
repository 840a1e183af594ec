package dev.canopy.identity.internal;

import java.time.Instant;
import java.util.UUID;

import org.jspecify.annotations.Nullable;

/**
 * A login: one user, working in one tenant at a time, until it expires or is revoked. {@code mfa} says
 * how the user proved themselves beyond the password ({@code totp}, {@code recovery_code}), null if not;
 * {@code sso} that the tenant's identity provider vouched for the user, which binds the session to that tenant.
 */
public record Session(UUID id, UUID userId, UUID tenantId, boolean actingAsPlatformAdmin, Instant createdAt,
        Instant lastSeenAt, Instant expiresAt, @Nullable Instant revokedAt, @Nullable String ip,
        @Nullable String userAgent, @Nullable String mfa, boolean sso) {

    public boolean live(Instant now) {
        return revokedAt == null && expiresAt.isAfter(now);
    }
}
