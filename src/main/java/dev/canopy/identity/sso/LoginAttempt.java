package dev.canopy.identity.sso;

import java.util.UUID;

import org.jspecify.annotations.Nullable;

/** What is known about an SSO login as it goes: the audit record of its outcome says as much as it can. */
final class LoginAttempt {

    @Nullable UUID tenantId;
    @Nullable String issuer;
    @Nullable String subject;
    @Nullable String email;
}
