package dev.canopy.identity.internal;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import org.springframework.core.convert.converter.Converter;
import org.springframework.http.HttpStatus;
import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.stereotype.Component;

import dev.canopy.access.AccessDecisionPoint;
import dev.canopy.identity.TenantDirectory;
import dev.canopy.identity.TenantInfo;
import dev.canopy.platform.db.TenantTransactions;
import dev.canopy.platform.security.CanopyAuthentication;
import dev.canopy.platform.security.CanopyPrincipal;
import dev.canopy.platform.security.ProblemAuthenticationException;

/**
 * Turns a verified access token into a principal, refusing it when its session was revoked or moved,
 * its user deactivated, its tenant suspended or its membership removed. Permissions come from the
 * membership in the token's tenant only.
 */
@Component
class PrincipalResolver implements Converter<Jwt, AbstractAuthenticationToken> {

    private final Sessions sessions;
    private final UserAccounts users;
    private final Memberships memberships;
    private final TenantDirectory tenants;
    private final TenantTransactions scopes;
    private final AccessDecisionPoint decisions;

    PrincipalResolver(Sessions sessions, UserAccounts users, Memberships memberships, TenantDirectory tenants,
            TenantTransactions scopes, AccessDecisionPoint decisions) {
        this.sessions = sessions;
        this.users = users;
        this.memberships = memberships;
        this.tenants = tenants;
        this.scopes = scopes;
        this.decisions = decisions;
    }

    @Override
    public AbstractAuthenticationToken convert(Jwt jwt) {
        UUID userId = uuidClaim(jwt, "sub");
        UUID tenantId = uuidClaim(jwt, "tid");
        UUID sessionId = uuidClaim(jwt, "sid");
        Session session = sessions.find(sessionId)
                .filter(s -> s.live(Instant.now()) && s.userId().equals(userId) && s.tenantId().equals(tenantId))
                .orElseThrow(() -> refused(HttpStatus.UNAUTHORIZED, "SESSION_REVOKED",
                        "The session of this token has ended or moved to another tenant."));
        UserAccount user = users.findById(userId).filter(UserAccount::active)
                .orElseThrow(() -> refused(HttpStatus.UNAUTHORIZED, "SESSION_REVOKED", "The account is disabled."));
        TenantInfo tenant = tenants.find(tenantId)
                .orElseThrow(() -> refused(HttpStatus.FORBIDDEN, "TENANT_NOT_FOUND", "The tenant no longer exists."));
        if (!tenant.usable()) {
            throw refused(HttpStatus.FORBIDDEN, "deleted".equals(tenant.status()) ? "TENANT_DELETED"
                    : "TENANT_SUSPENDED", "The tenant '" + tenant.slug() + "' is " + tenant.status() + ".");
        }
        List<String> roles = scopes.inTenant(tenantId,
                () -> memberships.find(tenantId, userId).map(Membership::roles).orElse(List.of()));
        if (roles.isEmpty() && !user.platformAdmin()) {
            throw refused(HttpStatus.FORBIDDEN, "NOT_A_MEMBER", "You are no longer a member of this tenant.");
        }
        sessions.touch(session.id());
        var principal = new CanopyPrincipal(userId, user.email(), tenantId, sessionId,
                decisions.effectivePermissions(roles, user.platformAdmin()), user.platformAdmin());
        return new CanopyAuthentication(principal, jwt.getTokenValue());
    }

    private static UUID uuidClaim(Jwt jwt, String claim) {
        try {
            return UUID.fromString(jwt.getClaimAsString(claim));
        }
        catch (RuntimeException e) {
            throw refused(HttpStatus.UNAUTHORIZED, "TOKEN_INVALID", "The access token is not a Canopy token.");
        }
    }

    private static ProblemAuthenticationException refused(HttpStatus status, String code, String detail) {
        return new ProblemAuthenticationException(status, code, detail);
    }
}
