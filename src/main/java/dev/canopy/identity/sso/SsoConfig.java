package dev.canopy.identity.sso;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** A tenant's single sign-on configuration, without its client secret (which is kept sealed apart). */
record SsoConfig(UUID tenantId, Preset preset, String issuer, String clientId, List<String> scopes, String groupsClaim,
        String emailClaim, AuthMode authMode, AutoProvisioning autoProvisioning, Instant createdAt, Instant updatedAt,
        long version) {
}
