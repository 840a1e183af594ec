package dev.canopy.identity.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

import dev.canopy.access.Delegations;
import dev.canopy.audit.Actor;
import dev.canopy.audit.AuditRecord;
import dev.canopy.audit.AuditTrail;
import dev.canopy.identity.TenantDirectory;
import dev.canopy.identity.TenantInfo;
import dev.canopy.platform.Ids;
import dev.canopy.platform.db.IndependentTransaction;
import dev.canopy.platform.db.TenantTransactions;
import dev.canopy.platform.security.CanopyPrincipal;
import dev.canopy.platform.security.ProblemAuthenticationException;
import dev.canopy.platform.web.ApiException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/** Logging in, refreshing, switching tenant and logging out: everything that starts, moves or ends a session. */
@Component
public class SignIn {

    public static final Duration REFRESH_LIFETIME = Duration.ofDays(7);

    private static final Logger log = LoggerFactory.getLogger(SignIn.class);

    private final UserAccounts users;
    private final Memberships memberships;
    private final Sessions sessions;
    private final AccessTokens accessTokens;
    private final TenantDirectory tenants;
    private final TenantTransactions scopes;
    private final TransactionTemplate transactions;
    private final PasswordEncoder passwords;
    private final LoginAttempts attempts;
    private final Lockout lockout;
    private final Counter passwordChecks;
    private final AuditTrail audit;
    private final IndependentTransaction independent;
    private final MultiFactor multiFactor;
    private final MfaRecords mfaRecords;
    private final PrincipalResolver principals;
    private final PasswordLogins passwordLogins;
    private final String unknownUserHash;
    private final Delegations delegations;

    SignIn(UserAccounts users, Memberships memberships, Sessions sessions, AccessTokens accessTokens,
            TenantDirectory tenants, TenantTransactions scopes, TransactionTemplate transactions,
            PasswordEncoder passwords, AuditTrail audit, IndependentTransaction independent, LoginAttempts attempts,
            Lockout lockout, MeterRegistry meters, MultiFactor multiFactor, MfaRecords mfaRecords,
            PrincipalResolver principals, PasswordLogins passwordLogins, Delegations delegations) {
        this.delegations = delegations;
        this.users = users;
        this.memberships = memberships;
        this.sessions = sessions;
        this.accessTokens = accessTokens;
        this.tenants = tenants;
        this.scopes = scopes;
        this.transactions = transactions;
        this.passwords = passwords;
        this.attempts = attempts;
        this.lockout = lockout;
        this.passwordChecks = Counter.builder("canopy.auth.password.checks")
                .description("Password hashes verified at sign-in, for unknown emails too").register(meters);
        this.audit = audit;
        this.independent = independent;
        this.multiFactor = multiFactor;
        this.mfaRecords = mfaRecords;
        this.principals = principals;
        this.passwordLogins = passwordLogins;
        // a login for an unknown email costs the same hash work as one for a known email
        this.unknownUserHash = passwords.encode(RefreshTokens.newToken());
    }

    /** What a correct password gets: a session, or with MFA on, a second step to take. */
    public sealed interface LoginOutcome permits SignedIn, MfaRequired {
    }

    /**
     * The tokens a successful sign-in returns, with whom and where they are for; {@code mfaEnrollmentRequired}
     * when the tenant requires MFA and the user has none yet.
     */
    public record SignedIn(String accessToken, String refreshToken, UserAccount user, TenantInfo tenant,
            boolean mfaEnrollmentRequired) implements LoginOutcome {
    }

    /** The password was right; {@code mfaToken} and a code complete the login. */
    public record MfaRequired(String mfaToken) implements LoginOutcome {
    }

    /** Where the request came from, kept with the session. */
    public record Client(@Nullable String ip, @Nullable String userAgent) {

        /** The client of an HTTP request: its remote address and {@code User-Agent}. */
        public static Client of(jakarta.servlet.http.HttpServletRequest request) {
            return new Client(request.getRemoteAddr(), request.getHeader("User-Agent"));
        }

        /** The user agent as sessions keep it: at most 500 characters. */
        public @Nullable String storedUserAgent() {
            return userAgent == null ? null : userAgent.substring(0, Math.min(500, userAgent.length()));
        }
    }

    public LoginOutcome login(String email, String password, @Nullable UUID requestedTenant, Client client) {
        attempts.lockedUntil(LoginAttempts.password(email)).ifPresent(until -> {
            throw ApiException.tooManyRequests("Too many failed sign-ins; try again later.",
                    Duration.between(Instant.now(), until));
        });
        UserAccount user = users.findByEmail(email).orElse(null);
        passwordChecks.increment();
        boolean matches = passwords.matches(password,
                user == null || user.passwordHash() == null ? unknownUserHash : user.passwordHash());
        if (user == null || user.passwordHash() == null || !matches || !user.active()) {
            // the request rolls back; the count of failures must not
            var failures = independent.run(() -> attempts.recordFailure(LoginAttempts.password(email),
                    lockout.maxFailures(), lockout.window(), lockout.duration()));
            if (failures.lockedUntil() != null) {
                audit.action("auth.account_locked");
                log.warn("Sign-ins for one email are locked until {} after {} failures", failures.lockedUntil(),
                        failures.count());
            }
            throw ApiException.unauthorized("INVALID_CREDENTIALS", "The email or password is wrong.");
        }
        attempts.clear(LoginAttempts.password(email));
        List<Membership> own = scopes.asUser(user.id(), () -> memberships.ofUser(user.id()));
        TenantInfo tenant = requestedTenant != null ? enterable(user, own, requestedTenant)
                : defaultTenant(user, own);
        requirePasswordAllowed(user, tenant);
        if (multiFactor.active(user.id())) {
            audit.actor(tenant.id(), actor(user, own, tenant));
            audit.action("auth.mfa_challenged");
            audit.resource("user", user.id().toString());
            return new MfaRequired(transactions.execute(status -> multiFactor.challenge(user.id(), tenant.id(), client)));
        }
        return transactions.execute(status -> start(user, tenant, own, client, null, false));
    }

    /**
     * Starts a session for a user the tenant's identity provider has vouched for: the same session and tokens
     * as a password login, bound to this tenant. Runs in the caller's transaction.
     */
    public SignedIn signInFederated(UserAccount user, TenantInfo tenant, Client client) {
        requireUsable(tenant);
        List<Membership> own = scopes.asUser(user.id(), () -> memberships.ofUser(user.id()));
        return start(user, tenant, own, client, null, true);
    }

    /**
     * An SSO-only tenant refuses passwords; a platform administrator may still sign in with one (break glass),
     * and that is logged and audited as such.
     */
    private void requirePasswordAllowed(UserAccount user, TenantInfo tenant) {
        if (passwordLogins.allowedIn(tenant.id())) {
            return;
        }
        if (!user.platformAdmin()) {
            throw ssoRequired(tenant);
        }
        log.warn("Break-glass password login of platform administrator {} into SSO-only tenant {}", user.id(),
                tenant.id());
        audit.action("auth.break_glass_login");
        audit.detail("break_glass", true);
    }

    private static ApiException ssoRequired(TenantInfo tenant) {
        return new ApiException(HttpStatus.FORBIDDEN, "SSO_REQUIRED", "The tenant '" + tenant.slug()
                + "' signs in through its identity provider only: use /api/v1/auth/sso/" + tenant.slug() + "/login.");
    }

    /**
     * Completes a login that needs MFA: the challenge token and a TOTP code or an unused recovery code.
     * Each try counts against the token, even when the request fails; after {@link MultiFactor#MAX_ATTEMPTS}
     * the token is spent. The token works only for the client that logged in.
     */
    public SignedIn verifyMfa(String mfaToken, @Nullable String code, @Nullable String recoveryCode, Client client) {
        byte[] hash = RefreshTokens.hash(mfaToken);
        // the attempt counts in a transaction of its own: a wrong code rolls the request back
        MfaRecords.Challenge challenge = independent.run(() -> mfaRecords.attempt(hash, MultiFactor.MAX_ATTEMPTS))
                .orElseThrow(SignIn::mfaTokenInvalid);
        UserAccount user = users.findById(challenge.userId()).orElseThrow(SignIn::mfaTokenInvalid);
        audit.actor(challenge.tenantId(), new Actor.UserActor(user.id(), user.email()));
        audit.resource("user", user.id().toString());
        if (!Objects.equals(challenge.ip(), client.ip())
                || !Objects.equals(challenge.userAgent(), client.storedUserAgent())) {
            // a token replayed from elsewhere is spent at once
            independent.run(() -> mfaRecords.finish(hash));
            log.warn("MFA token of user {} presented by another client; the token is spent", user.id());
            throw mfaTokenInvalid();
        }
        if (!user.active() || user.passwordHash() == null) {
            throw mfaTokenInvalid();
        }
        // per account too: new MFA tokens must not buy new guesses without end
        String subject = LoginAttempts.mfa(user.id());
        attempts.lockedUntil(subject).ifPresent(until -> {
            throw ApiException.tooManyRequests("Too many wrong codes; try again later.",
                    Duration.between(Instant.now(), until));
        });
        return transactions.execute(status -> {
            String method;
            try {
                method = multiFactor.verify(user.id(), code, recoveryCode);
                attempts.clear(subject);
            }
            catch (ApiException wrong) {
                independent.run(() -> attempts.recordFailure(subject, lockout.maxFailures(), lockout.window(),
                        lockout.duration()));
                int left = MultiFactor.MAX_ATTEMPTS - challenge.attempts();
                throw new ApiException(wrong.status(), wrong.code(), wrong.getMessage() + (left > 0
                        ? " " + left + (left == 1 ? " try is" : " tries are") + " left for this login."
                        : " No tries are left; sign in again."));
            }
            if (!mfaRecords.finish(hash)) {
                throw mfaTokenInvalid(); // another request completed this login first
            }
            List<Membership> own = scopes.asUser(user.id(), () -> memberships.ofUser(user.id()));
            TenantInfo tenant = enterable(user, own, challenge.tenantId());
            audit.detail("mfa_method", method);
            return start(user, tenant, own, client, method, false);
        });
    }

    private static ApiException mfaTokenInvalid() {
        return ApiException.unauthorized("MFA_TOKEN_INVALID",
                "The MFA token is unknown, expired, already used or out of tries; sign in again.");
    }

    private static Actor actor(UserAccount user, List<Membership> own, TenantInfo tenant) {
        boolean acting = own.stream().noneMatch(m -> m.tenantId().equals(tenant.id()));
        return acting ? new Actor.DelegatedActor(user.id(), user.email(), AuditRecord.PLATFORM)
                : new Actor.UserActor(user.id(), user.email());
    }

    private SignedIn start(UserAccount user, TenantInfo tenant, List<Membership> own, Client client,
            @Nullable String mfa, boolean sso) {
        boolean acting = own.stream().noneMatch(m -> m.tenantId().equals(tenant.id()));
        var now = Instant.now();
        var session = new Session(Ids.newId(), user.id(), tenant.id(), acting, now, now, now.plus(REFRESH_LIFETIME),
                null, client.ip(), client.storedUserAgent(), mfa, sso, client.ip());
        sessions.insert(session);
        audit.actor(tenant.id(), actor(user, own, tenant));
        audit.resource("session", session.id().toString());
        if (acting) {
            log.info("Platform administrator {} entered tenant {} without membership", user.id(), tenant.id());
            audit.detail("acting_as_platform_admin", true);
        }
        return issue(session.id(), user, tenant);
    }

    public SignedIn refresh(String refreshToken, Client client) {
        byte[] hash = RefreshTokens.hash(refreshToken);
        String successor = RefreshTokens.newToken();
        // One transaction from rotating the token to issuing its successor: a concurrent refresh with the same
        // token waits on the token's row until this one has committed, so it cannot revoke the session (as
        // reuse) between this rotation and this session check, which would leave neither caller signed in.
        return transactions.execute(status -> {
            Sessions.Rotation rotation = sessions.rotate(hash, RefreshTokens.hash(successor),
                    Instant.now().plus(REFRESH_LIFETIME), client.ip());
            if (rotation.rotatedSession() == null) {
                throw refused(hash);
            }
            if (rotation.liveSession() == null) {
                throw sessionEnded();
            }
            return renew(rotation.liveSession(), rotation.sso(), successor);
        });
    }

    /** Checks the session as its access tokens are checked (cached, evicted on every change) and signs anew. */
    private SignedIn renew(UUID sessionId, boolean sso, String refreshToken) {
        PrincipalResolver.LiveSession live;
        try {
            live = principals.session(sessionId);
        }
        catch (ProblemAuthenticationException refusal) {
            throw new ApiException(refusal.status(), refusal.code(), refusal.getMessage());
        }
        UserAccount user = live.user();
        TenantInfo tenant = live.tenant();
        // a refused refresh is recorded in the session's tenant, as its user's (delegated when entered as the
        // platform administrator, as every request of such a session is)
        audit.actor(tenant.id(), live.principal().enteredAsPlatformAdmin()
                ? new Actor.DelegatedActor(user.id(), user.email(), AuditRecord.PLATFORM)
                : new Actor.UserActor(user.id(), user.email()));
        audit.resource("session", sessionId.toString());
        if (!sso && !user.platformAdmin() && !passwordLogins.allowedIn(tenant.id())) {
            // the tenant went SSO-only after this password session started
            throw ssoRequired(tenant);
        }
        return signedIn(sessionId, refreshToken, user, tenant);
    }

    private static ApiException sessionEnded() {
        return ApiException.unauthorized("SESSION_REVOKED", "The session has ended; sign in again.");
    }

    /**
     * Moves the caller into another tenant with a new session: the old session ends, so every token
     * issued for it, access or refresh, stops working at once, whichever tenant it names.
     */
    public SignedIn switchTenant(CanopyPrincipal principal, UUID tenantId, Client client) {
        UserAccount user = users.findById(principal.userId()).orElseThrow();
        List<Membership> own = scopes.asUser(user.id(), () -> memberships.ofUser(user.id()));
        Optional<Session> current = sessions.find(principal.sessionId());
        boolean sso = current.map(Session::sso).orElse(false);
        if (sso && !tenantId.equals(principal.tenantId())) {
            throw new ApiException(HttpStatus.FORBIDDEN, "SSO_SESSION_TENANT_BOUND", "This session was started by "
                    + "the current tenant's single sign-on and is valid there only; sign in to the other tenant.");
        }
        // not a member: an access grant to one of the caller's own tenants may let them in (MSP delegation), the
        // current one preferred; a delegated session goes back to an own tenant first
        Delegations.Delegation delegation = null;
        if (!user.platformAdmin() && own.stream().noneMatch(m -> m.tenantId().equals(tenantId))
                && principal.viaTenantId() == null) {
            delegation = delegations.availableFromAny(tenantId, user.id(), usableVia(principal.tenantId(), own))
                    .orElse(null);
        }
        TenantInfo tenant = delegation == null ? enterable(user, own, tenantId) : usable(tenantId);
        if (!sso) {
            requirePasswordAllowed(user, tenant);
        }
        audit.detail("from_tenant_id", principal.tenantId());
        // the new session keeps what the user proved at login
        String mfa = current.map(Session::mfa).orElse(null);
        Delegations.Delegation through = delegation;
        return transactions.execute(status -> {
            sessions.revoke(principal.sessionId());
            if (through == null) {
                return start(user, tenant, own, client, mfa, sso);
            }
            return startDelegated(user, tenant, client, mfa, through);
        });
    }

    /**
     * Refuses account-wide changes (MFA, profile) from a session a tenant's identity provider started: that
     * provider vouched for the person in its own tenant only, and must not reach the account's other tenants.
     */
    public void requireAccountSession(CanopyPrincipal principal) {
        if (sessions.find(principal.sessionId()).map(Session::sso).orElse(false)) {
            throw new ApiException(HttpStatus.FORBIDDEN, "SSO_SESSION_TENANT_BOUND", "This session was started by "
                    + "the tenant's single sign-on and cannot change account-wide settings (MFA, profile); your "
                    + "identity provider manages them, or sign in with your password.");
        }
    }

    /** A session in a client tenant under an access grant; audited there as the grantee tenant's member. */
    private SignedIn startDelegated(UserAccount user, TenantInfo tenant, Client client, @Nullable String mfa,
            Delegations.Delegation delegation) {
        var now = Instant.now();
        var session = new Session(Ids.newId(), user.id(), tenant.id(), false, now, now, now.plus(REFRESH_LIFETIME),
                null, client.ip(), client.storedUserAgent(), mfa, false, client.ip());
        sessions.insert(session);
        delegations.startSession(delegation, session.id());
        audit.actor(tenant.id(), new Actor.DelegatedActor(user.id(), user.email(), delegation.viaTenantId()));
        audit.resource("session", session.id().toString());
        audit.detail("access_grant_id", delegation.grantId());
        return issue(session.id(), user, tenant);
    }

    /** The user's own tenants a grant may be used from: usable ones, the current one first. */
    private List<UUID> usableVia(UUID currentTenantId, List<Membership> own) {
        var found = tenants.findAll(own.stream().map(Membership::tenantId).toList());
        return own.stream()
                .map(Membership::tenantId)
                .filter(id -> found.containsKey(id) && found.get(id).usable())
                .sorted(Comparator.comparing(id -> !id.equals(currentTenantId)))
                .toList();
    }

    private TenantInfo usable(UUID tenantId) {
        TenantInfo tenant = tenants.find(tenantId)
                .orElseThrow(() -> ApiException.notFound("TENANT_NOT_FOUND", "No such tenant."));
        requireUsable(tenant);
        return tenant;
    }

    /** Ends every session of the caller, this one included. */
    public void logoutEverywhere(CanopyPrincipal principal) {
        sessions.revokeAllOf(principal.userId(), null);
    }

    /** Ends one of the caller's own sessions; someone else's is not found. */
    public void endSession(CanopyPrincipal principal, UUID sessionId) {
        audit.resource("session", sessionId.toString());
        sessions.find(sessionId)
                .filter(s -> s.userId().equals(principal.userId()) && s.live(Instant.now()))
                .orElseThrow(() -> ApiException.notFound("SESSION_NOT_FOUND", "No such session of yours."));
        sessions.revoke(sessionId);
    }

    /** Changes the caller's password and ends every other session of theirs. */
    public void changePassword(CanopyPrincipal principal, String currentPassword, String newPassword) {
        UserAccount user = users.findById(principal.userId()).orElseThrow();
        audit.resource("user", user.id().toString());
        if (user.passwordHash() == null || !passwords.matches(currentPassword, user.passwordHash())) {
            throw ApiException.invalidField("current_password", "is not your current password");
        }
        PasswordPolicy.check("new_password", newPassword, user.email(), user.fullName());
        if (newPassword.equals(currentPassword)) {
            throw ApiException.invalidField("new_password", "must differ from the current password");
        }
        users.changePassword(user.id(), passwords.encode(newPassword));
        sessions.revokeAllOf(user.id(), principal.sessionId());
    }

    public void logout(CanopyPrincipal principal) {
        audit.resource("session", principal.sessionId().toString());
        sessions.revoke(principal.sessionId());
    }

    private SignedIn issue(UUID sessionId, UserAccount user, TenantInfo tenant) {
        String refreshToken = RefreshTokens.newToken();
        sessions.addRefreshToken(sessionId, RefreshTokens.hash(refreshToken), Instant.now().plus(REFRESH_LIFETIME));
        return signedIn(sessionId, refreshToken, user, tenant);
    }

    private SignedIn signedIn(UUID sessionId, String refreshToken, UserAccount user, TenantInfo tenant) {
        return new SignedIn(accessTokens.mint(user.id(), tenant.id(), sessionId), refreshToken, user, tenant,
                tenant.mfaRequired() && !multiFactor.active(user.id()));
    }

    private ApiException refused(byte[] hash) {
        Optional<Session> reused = sessions.sessionOfRotated(hash).flatMap(sessions::find);
        if (reused.isPresent()) {
            Session session = reused.get();
            // the request rolls back; the revocation must not
            independent.run(() -> sessions.revoke(session.id()));
            log.warn("Refresh token reuse on session {}: the session is revoked", session.id());
            users.findById(session.userId()).ifPresent(
                    user -> audit.actor(session.tenantId(), session.actingAsPlatformAdmin()
                            ? new Actor.DelegatedActor(user.id(), user.email(), AuditRecord.PLATFORM)
                            : new Actor.UserActor(user.id(), user.email())));
            audit.action("auth.refresh_token_reused");
            audit.resource("session", session.id().toString());
            return ApiException.unauthorized("REFRESH_TOKEN_REUSED",
                    "This refresh token was already used; the session is revoked for safety.");
        }
        return ApiException.unauthorized("INVALID_REFRESH_TOKEN", "The refresh token is unknown or expired.");
    }

    /** A tenant the user may enter: one of theirs, or any for a platform administrator. */
    private TenantInfo enterable(UserAccount user, List<Membership> own, UUID tenantId) {
        boolean member = own.stream().anyMatch(m -> m.tenantId().equals(tenantId));
        if (!member && !user.platformAdmin()) {
            throw new ApiException(HttpStatus.FORBIDDEN, "NOT_A_MEMBER", "You are not a member of that tenant.");
        }
        TenantInfo tenant = tenants.find(tenantId)
                .orElseThrow(() -> ApiException.notFound("TENANT_NOT_FOUND", "No such tenant."));
        requireUsable(tenant);
        return tenant;
    }

    /**
     * The primary tenant, or when it cannot be used, the first of the others that can; for a password login,
     * the first that accepts passwords, else the first usable one (which then refuses, naming its SSO login).
     */
    private TenantInfo defaultTenant(UserAccount user, List<Membership> own) {
        if (own.isEmpty()) {
            throw new ApiException(HttpStatus.FORBIDDEN, "NO_TENANT", "You are not a member of any tenant yet.");
        }
        var found = tenants.findAll(own.stream().map(Membership::tenantId).toList());
        List<TenantInfo> usable = own.stream()
                .map(m -> found.get(m.tenantId()))
                .filter(t -> t != null && t.usable())
                .toList();
        if (usable.isEmpty()) {
            throw new ApiException(HttpStatus.FORBIDDEN, "TENANT_SUSPENDED",
                    "Every tenant you belong to is suspended or deleted.");
        }
        return usable.stream()
                .filter(t -> user.platformAdmin() || passwordLogins.allowedIn(t.id()))
                .findFirst()
                .orElse(usable.getFirst());
    }

    static void requireUsable(TenantInfo tenant) {
        if (!tenant.usable()) {
            String code = "deleted".equals(tenant.status()) ? "TENANT_DELETED" : "TENANT_SUSPENDED";
            throw new ApiException(HttpStatus.FORBIDDEN, code, "The tenant '" + tenant.slug() + "' is "
                    + tenant.status() + ".");
        }
    }
}
