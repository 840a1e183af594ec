package dev.canopy.identity.sso;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.Collectors;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionCallback;
import org.springframework.transaction.support.TransactionTemplate;

import dev.canopy.access.BuiltInRole;
import dev.canopy.identity.TenantDirectory;
import dev.canopy.identity.TenantInfo;
import dev.canopy.identity.internal.Membership;
import dev.canopy.identity.internal.Memberships;
import dev.canopy.identity.internal.SignIn;
import dev.canopy.identity.internal.SignIn.SignedIn;
import dev.canopy.identity.internal.UserAccount;
import dev.canopy.identity.internal.UserAccounts;
import dev.canopy.platform.Ids;
import dev.canopy.platform.db.TenantTransactions;
import dev.canopy.platform.web.ApiException;

/**
 * The OIDC authorization-code login of a tenant: {@link #begin} sends the browser to the provider with a
 * single-use {@code state}, a {@code nonce} and a PKCE S256 challenge; {@link #complete} takes the state back,
 * exchanges the code (with the client secret and the PKCE verifier), verifies the ID token, applies the tenant's
 * rules, links or provisions the user and starts a session exactly as a password login does.
 */
@Service
class SsoLogin {

    static final Duration STATE_LIFETIME = Duration.ofMinutes(10);
    /**
     * Marks the states of logins started from the console, so the shared callback knows to answer with a console
     * session and console pages, even for a state it cannot find. Changing it changes the state's hash: harmless.
     */
    private static final String CONSOLE_STATE = "console.";
    private static final Logger log = LoggerFactory.getLogger(SsoLogin.class);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final TenantDirectory tenants;
    private final TenantTransactions scopes;
    private final TransactionTemplate transactions;
    private final SsoConfigs configs;
    private final SsoClientSecrets secrets;
    private final SsoLoginStates states;
    private final SsoIdentities identities;
    private final OidcProviders providers;
    private final UserAccounts users;
    private final Memberships memberships;
    private final SignIn signIn;
    private final SsoAudit audit;

    SsoLogin(TenantDirectory tenants, TenantTransactions scopes, TransactionTemplate transactions, SsoConfigs configs,
            SsoClientSecrets secrets, SsoLoginStates states, SsoIdentities identities, OidcProviders providers,
            UserAccounts users, Memberships memberships, SignIn signIn, SsoAudit audit) {
        this.tenants = tenants;
        this.scopes = scopes;
        this.transactions = transactions;
        this.configs = configs;
        this.secrets = secrets;
        this.states = states;
        this.identities = identities;
        this.providers = providers;
        this.users = users;
        this.memberships = memberships;
        this.signIn = signIn;
        this.audit = audit;
    }

    /** Where to send the browser, and the state to bind to it (as a cookie). */
    record Started(String authorizationUrl, String state) {

        @Override
        public String toString() {
            return "Started[" + authorizationUrl.substring(0, authorizationUrl.indexOf('?')) + "]";
        }
    }

    /** A finished login: the session's tokens and where the console wanted to go. */
    record Completed(SignedIn signedIn, String returnTo, boolean provisioned, List<String> roles) {
    }

    /** Whether the login with this state was started from the console's sign-in page. */
    static boolean startedFromConsole(@Nullable String state) {
        return state != null && state.startsWith(CONSOLE_STATE);
    }

    Started begin(String slug, String returnTo, String redirectUri, LoginAttempt attempt) {
        return begin(slug, returnTo, redirectUri, attempt, false);
    }

    Started begin(String slug, String returnTo, String redirectUri, LoginAttempt attempt, boolean console) {
        TenantInfo tenant = tenants.findBySlug(slug).filter(t -> !"deleted".equals(t.status()))
                .orElseThrow(SsoConfiguring::notConfigured);
        attempt.tenantId = tenant.id();
        requireUsable(tenant);
        SsoConfig config = enabledConfig(tenant);
        attempt.issuer = config.issuer();
        ProviderMetadata provider = providers.discover(config.issuer(), false);
        String state = (console ? CONSOLE_STATE : "") + random();
        String nonce = random();
        String verifier = random();
        states.insert(hash(state), new SsoLoginStates.Pending(tenant.id(), nonce, verifier, redirectUri, returnTo,
                Instant.now().plus(STATE_LIFETIME)));
        var query = new LinkedHashMap<String, String>();
        query.put("response_type", "code");
        query.put("client_id", config.clientId());
        query.put("redirect_uri", redirectUri);
        query.put("scope", String.join(" ", config.scopes()));
        query.put("state", state);
        query.put("nonce", nonce);
        query.put("code_challenge", Base64.getUrlEncoder().withoutPadding().encodeToString(sha256(verifier)));
        query.put("code_challenge_method", "S256");
        String endpoint = provider.authorizationEndpoint();
        return new Started(endpoint + (endpoint.contains("?") ? "&" : "?") + query.entrySet().stream()
                .map(e -> encode(e.getKey()) + "=" + encode(e.getValue())).collect(Collectors.joining("&")), state);
    }

    Completed complete(@Nullable String state, @Nullable String code, @Nullable String error,
            @Nullable String cookieState, SignIn.Client client, SsoAudit.RequestFacts request, LoginAttempt attempt) {
        if (state == null || state.isEmpty() || state.length() > 200) {
            throw stateInvalid("The callback has no valid state.");
        }
        SsoLoginStates.Pending pending = states.take(hash(state))
                .orElseThrow(() -> stateInvalid("The state is unknown or was already used; sign in again."));
        attempt.tenantId = pending.tenantId();
        if (pending.expiresAt().isBefore(Instant.now())) {
            throw stateInvalid("The login took too long (over " + STATE_LIFETIME.toMinutes() + " minutes); sign in "
                    + "again.");
        }
        if (cookieState == null || !MessageDigest.isEqual(hash(cookieState), hash(state))) {
            // the callback must reach the browser that started the login (login CSRF)
            throw stateInvalid("This login was not started in this browser; sign in again.");
        }
        if (error != null) {
            throw new ApiException(HttpStatus.UNAUTHORIZED, "SSO_PROVIDER_ERROR",
                    "The provider did not sign you in: " + OidcProviders.safe(error) + ".");
        }
        if (code == null || code.isEmpty() || code.length() > 4096) {
            throw new ApiException(HttpStatus.BAD_REQUEST, "SSO_CODE_INVALID", "The callback has no valid code.");
        }
        TenantInfo tenant = tenants.find(pending.tenantId()).orElseThrow(SsoConfiguring::notConfigured);
        requireUsable(tenant);
        SsoConfig config = enabledConfig(tenant);
        attempt.issuer = config.issuer();
        byte[] sealed = scopes.inTenant(tenant.id(), () -> configs.sealedSecret(tenant.id()))
                .orElseThrow(SsoConfiguring::notConfigured);
        ProviderMetadata provider = providers.discover(config.issuer(), false);
        String idToken = providers.exchange(provider, config.clientId(), secrets.open(tenant.id(), sealed), code,
                pending.redirectUri(), pending.codeVerifier());
        IdentityClaims claims = providers.verify(provider, idToken, config.clientId(), pending.nonce(),
                config.emailClaim(), config.groupsClaim());
        attempt.subject = claims.subject();
        attempt.email = claims.email();
        String email = ProvisioningRules.email(claims, config.emailClaim());
        ProvisioningRules.requireAllowed(config.autoProvisioning(), email, claims);
        TransactionCallback<Completed> admitting = status -> {
            Completed completed = admit(tenant, config, claims, email, client, pending.returnTo());
            audit.succeeded(request, tenant.id(), completed.signedIn().user(), claims, completed.provisioned(),
                    completed.roles());
            return completed;
        };
        try {
            return transactions.execute(admitting);
        }
        catch (DuplicateKeyException e) {
            // a simultaneous first login of the same person (two tabs, a double click) committed the user, the
            // link or the membership between our look-up and our insert; PostgreSQL reports the unique violation
            // only once that transaction has committed, so a second attempt finds them and links to them
            log.info("SSO login into tenant {} met a simultaneous first login of the same person; admitting again",
                    tenant.id());
            return transactions.execute(admitting);
        }
    }

    /** Links or provisions the user, applies the roles and starts the session, in one transaction. */
    private Completed admit(TenantInfo tenant, SsoConfig config, IdentityClaims claims, String email,
            SignIn.Client client, String returnTo) {
        UUID tenantId = tenant.id();
        AutoProvisioning rules = config.autoProvisioning();
        boolean provisioned = false;
        UserAccount user;
        var linked = scopes.inTenant(tenantId, () -> identities.userOf(tenantId, claims.issuer(), claims.subject()));
        if (linked.isPresent()) {
            user = users.findById(linked.get()).orElseThrow();
        }
        else {
            user = users.findByEmail(email).orElse(null);
            if (user != null && user.platformAdmin()) {
                throw new ApiException(HttpStatus.FORBIDDEN, "SSO_ACCOUNT_NOT_LINKABLE", "Platform administrators "
                        + "are not linked to a tenant's identity provider; they sign in with their password.");
            }
            UUID existing = user == null ? null : user.id();
            boolean linkedMeanwhile = false;
            if (existing != null && scopes.inTenant(tenantId,
                    () -> identities.linkedElsewhere(tenantId, claims.issuer(), existing))) {
                // a simultaneous first login of this very identity may have linked it since the look-up above
                linkedMeanwhile = scopes.inTenant(tenantId, () -> identities.userOf(tenantId, claims.issuer(),
                        claims.subject())).filter(existing::equals).isPresent();
                if (!linkedMeanwhile) {
                    throw new ApiException(HttpStatus.CONFLICT, "SSO_IDENTITY_CONFLICT", "The account " + email
                            + " is already linked to another identity of this provider in this tenant.");
                }
            }
            if (user == null) {
                if (!rules.enabled()) {
                    throw new ApiException(HttpStatus.FORBIDDEN, "SSO_USER_NOT_PROVISIONED", "There is no Canopy "
                            + "account for " + email + " and this tenant does not create accounts at first login.");
                }
                UUID id = Ids.newId();
                String name = claims.name() == null || claims.name().isBlank() ? email
                        : truncate(claims.name().trim(), 200);
                users.insert(id, email, name, null, false);
                user = users.findById(id).orElseThrow();
                provisioned = true;
                log.info("User {} provisioned at first SSO login into tenant {}", id, tenantId);
            }
            UUID userId = user.id();
            if (!linkedMeanwhile) {
                scopes.inTenant(tenantId, () -> identities.link(tenantId, claims.issuer(), claims.subject(), userId,
                        email));
            }
        }
        if (!user.active()) {
            throw new ApiException(HttpStatus.FORBIDDEN, "SSO_USER_DISABLED", "Your Canopy account is disabled.");
        }
        UUID userId = user.id();
        List<String> mapped = ProvisioningRules.roles(rules, claims.groups());
        Membership membership = scopes.inTenant(tenantId, () -> memberships.find(tenantId, userId)).orElse(null);
        List<String> roles;
        if (membership == null) {
            if (!rules.enabled()) {
                throw new ApiException(HttpStatus.FORBIDDEN, "SSO_NOT_A_MEMBER", "You are not a member of this tenant "
                        + "and it does not add members at first login; ask its administrator.");
            }
            roles = mapped;
            scopes.inTenantAsUser(tenantId, userId, () -> {
                memberships.insert(tenantId, userId, mapped, memberships.ofUser(userId).isEmpty());
                return null;
            });
            provisioned = true;
        }
        else if (rules.syncAttributesOnLogin()) {
            roles = keepLastAdmin(tenantId, membership, mapped);
            if (!Set.copyOf(roles).equals(Set.copyOf(membership.roles()))) {
                scopes.inTenant(tenantId, () -> memberships.updateRoles(tenantId, userId, roles));
            }
        }
        else {
            roles = membership.roles();
        }
        if (rules.syncAttributesOnLogin()) {
            syncName(user, claims.name());
        }
        scopes.inTenant(tenantId, () -> identities.touch(tenantId, claims.issuer(), claims.subject(), email));
        SignedIn signedIn = signIn.signInFederated(users.findById(userId).orElseThrow(), tenant, client);
        return new Completed(signedIn, returnTo, provisioned, roles);
    }

    /** Group sync never removes the tenant's last administrator: that would lock everyone out of its settings. */
    private List<String> keepLastAdmin(UUID tenantId, Membership membership, List<String> mapped) {
        String admin = BuiltInRole.TENANT_ADMIN.key();
        if (membership.roles().contains(admin) && !mapped.contains(admin)
                && scopes.inTenant(tenantId, () -> memberships.countWithRole(tenantId, admin)) <= 1) {
            log.warn("SSO group sync would remove the last administrator of tenant {}; the role is kept", tenantId);
            var kept = new TreeSet<>(mapped);
            kept.add(admin);
            return List.copyOf(kept);
        }
        return mapped;
    }

    /** The provider's name for the user, when the account is not also someone else's tenants' to manage. */
    private void syncName(UserAccount user, @Nullable String name) {
        if (name == null || name.isBlank() || truncate(name.trim(), 200).equals(user.fullName())) {
            return;
        }
        if (scopes.asUser(user.id(), () -> memberships.ofUser(user.id())).size() == 1) {
            users.update(user.id(), user.version(), truncate(name.trim(), 200), null);
        }
    }

    private SsoConfig enabledConfig(TenantInfo tenant) {
        SsoConfig config = scopes.inTenant(tenant.id(), () -> configs.find(tenant.id()))
                .orElseThrow(SsoConfiguring::notConfigured);
        if (!config.authMode().ssoAllowed()) {
            throw new ApiException(HttpStatus.FORBIDDEN, "SSO_DISABLED",
                    "Single sign-on is off for this tenant (auth_mode local).");
        }
        return config;
    }

    private static void requireUsable(TenantInfo tenant) {
        if (!tenant.usable()) {
            throw new ApiException(HttpStatus.FORBIDDEN, "TENANT_SUSPENDED", "The tenant '" + tenant.slug()
                    + "' is " + tenant.status() + ".");
        }
    }

    static ApiException stateInvalid(String detail) {
        return new ApiException(HttpStatus.BAD_REQUEST, "SSO_STATE_INVALID", detail);
    }

    private static String truncate(String text, int max) {
        return text.length() <= max ? text : text.substring(0, max);
    }

    private static String random() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    static byte[] hash(String value) {
        return sha256(value);
    }

    private static byte[] sha256(String value) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.US_ASCII));
        }
        catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
