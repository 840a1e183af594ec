package dev.canopy.identity.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.core.convert.converter.Converter;
import org.springframework.http.HttpStatus;
import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.stereotype.Component;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import dev.canopy.access.AccessDecisionPoint;
import dev.canopy.access.Delegations;
import dev.canopy.identity.TenantDirectory;
import dev.canopy.identity.TenantInfo;
import dev.canopy.platform.db.ChangeBroadcast;
import dev.canopy.platform.db.TenantTransactions;
import dev.canopy.platform.security.CanopyAuthentication;
import dev.canopy.platform.security.CanopyPrincipal;
import dev.canopy.platform.security.ProblemAuthenticationException;

/**
 * Turns a verified access token into a principal, refusing it when its session was revoked, its user
 * deactivated, its tenant suspended or its membership removed. Permissions come from the membership in
 * the token's tenant only. The outcome is cached per session, so the hot path makes no database round
 * trip; every instance drops cached outcomes when a session, user, tenant or membership changes
 * ({@link ChangeBroadcast}), so a revocation takes effect at once everywhere.
 */
@Component
class PrincipalResolver implements Converter<Jwt, AbstractAuthenticationToken>, ChangeBroadcast.Listener {

    /** A safety net only: changes evict entries long before this. */
    private static final Duration MAX_STALENESS = Duration.ofMinutes(5);

    private final Sessions sessions;
    private final UserAccounts users;
    private final Memberships memberships;
    private final TenantDirectory tenants;
    private final TenantTransactions scopes;
    private final AccessDecisionPoint decisions;
    private final Delegations delegations;
    private final Cache<UUID, Resolution> resolved = Caffeine.newBuilder()
            .maximumSize(100_000)
            .expireAfterWrite(MAX_STALENESS)
            .build();

    PrincipalResolver(Sessions sessions, UserAccounts users, Memberships memberships, TenantDirectory tenants,
            TenantTransactions scopes, AccessDecisionPoint decisions, ChangeBroadcast changes,
            Delegations delegations) {
        this.delegations = delegations;
        this.sessions = sessions;
        this.users = users;
        this.memberships = memberships;
        this.tenants = tenants;
        this.scopes = scopes;
        this.decisions = decisions;
        changes.subscribe(this);
    }

    /** A live session with its principal and the user and tenant it was resolved from. */
    record LiveSession(CanopyPrincipal principal, UserAccount user, TenantInfo tenant) {
    }

    /** A session's principal, or why its tokens are refused. */
    private record Resolution(@Nullable LiveSession session, @Nullable ProblemAuthenticationException refusal) {
    }

    @Override
    public AbstractAuthenticationToken convert(Jwt jwt) {
        UUID userId = uuidClaim(jwt, "sub");
        UUID tenantId = uuidClaim(jwt, "tid");
        UUID sessionId = uuidClaim(jwt, "sid");
        CanopyPrincipal principal = session(sessionId).principal();
        if (!principal.userId().equals(userId) || !principal.tenantId().equals(tenantId)) {
            throw refused(HttpStatus.UNAUTHORIZED, "TOKEN_INVALID", "The access token does not match its session.");
        }
        return new CanopyAuthentication(principal, jwt.getTokenValue());
    }

    /**
     * The session as its tokens see it, from the cache when it holds it; throws the refusal when the
     * session ended, its user was deactivated, its tenant is unusable or its membership was removed.
     */
    LiveSession session(UUID sessionId) {
        Resolution resolution = resolved.get(sessionId, this::resolve);
        if (resolution.refusal() != null) {
            throw resolution.refusal();
        }
        return resolution.session();
    }

    private Resolution resolve(UUID sessionId) {
        try {
            return new Resolution(liveSession(sessionId), null);
        }
        catch (ProblemAuthenticationException refusal) {
            return new Resolution(null, refusal);
        }
    }

    private LiveSession liveSession(UUID sessionId) {
        Session session = sessions.find(sessionId).filter(s -> s.live(Instant.now()))
                .orElseThrow(() -> refused(HttpStatus.UNAUTHORIZED, "SESSION_REVOKED",
                        "The session of this token has ended."));
        UserAccount user = users.findById(session.userId()).filter(UserAccount::active)
                .orElseThrow(() -> refused(HttpStatus.UNAUTHORIZED, "SESSION_REVOKED", "The account is disabled."));
        UUID tenantId = session.tenantId();
        TenantInfo tenant = tenants.find(tenantId)
                .orElseThrow(() -> refused(HttpStatus.FORBIDDEN, "TENANT_NOT_FOUND", "The tenant no longer exists."));
        if (!tenant.usable()) {
            throw refused(HttpStatus.FORBIDDEN, "deleted".equals(tenant.status()) ? "TENANT_DELETED"
                    : "TENANT_SUSPENDED", "The tenant '" + tenant.slug() + "' is " + tenant.status() + ".");
        }
        List<String> roles = scopes.inTenant(tenantId,
                () -> memberships.find(tenantId, user.id()).map(Membership::roles).orElse(List.of()));
        UUID via = null;
        if (roles.isEmpty() && !user.platformAdmin()) {
            // not a member: a session that entered through an access grant still in force may go on
            via = delegations.viaTenantOf(tenantId, sessionId, user.id()).orElseThrow(() -> refused(
                    HttpStatus.FORBIDDEN, "NOT_A_MEMBER", "You are no longer a member of this tenant."));
        }
        var principal = new CanopyPrincipal(user.id(), user.email(), tenantId, sessionId,
                decisions.permissionsOf(tenantId, user.id(), user.platformAdmin(), via), user.platformAdmin(),
                CanopyPrincipal.Kind.USER, via, session.actingAsPlatformAdmin());
        return new LiveSession(principal, user, tenant);
    }

    @Override
    public void changed(String topic, String key) {
        switch (topic) {
            case "session" -> resolved.invalidate(UUID.fromString(key));
            // rare changes that touch many sessions: start afresh
            case "user", "tenant", "membership" -> resolved.invalidateAll();
            default -> {
            }
        }
    }

    @Override
    public void missedChanges() {
        resolved.invalidateAll();
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
