package dev.canopy.identity.internal;

import java.util.UUID;

/**
 * Whether a tenant accepts password logins: a tenant whose single sign-on is {@code auth_mode: sso}
 * does not (its platform administrators keep a break-glass password login, which is audited).
 */
public interface PasswordLogins {

    boolean allowedIn(UUID tenantId);
}
