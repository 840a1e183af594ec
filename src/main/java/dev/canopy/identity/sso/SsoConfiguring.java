package dev.canopy.identity.sso;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;

import dev.canopy.access.BuiltInRole;
import dev.canopy.access.Permissions;
import dev.canopy.audit.AuditTrail;
import dev.canopy.identity.TenantDirectory;
import dev.canopy.identity.TenantInfo;
import dev.canopy.identity.internal.Sessions;
import dev.canopy.platform.db.TenantTransactions;
import dev.canopy.platform.security.CanopyPrincipal;
import dev.canopy.platform.web.ApiException;
import dev.canopy.platform.web.ApiException.FieldError;

/**
 * Creating, replacing, deleting and validating a tenant's SSO configuration. Allowed with {@code sso:manage}
 * in the tenant itself or in its MSP; a tenant the caller cannot see is 404.
 */
@Service
class SsoConfiguring {

    private static final String DOMAIN = "[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+";

    private final SsoConfigs configs;
    private final SsoClientSecrets secrets;
    private final TenantDirectory tenants;
    private final TenantTransactions scopes;
    private final OidcProviders providers;
    private final AuditTrail audit;
    private final Sessions sessions;

    SsoConfiguring(SsoConfigs configs, SsoClientSecrets secrets, TenantDirectory tenants, TenantTransactions scopes,
            OidcProviders providers, AuditTrail audit, Sessions sessions) {
        this.configs = configs;
        this.sessions = sessions;
        this.secrets = secrets;
        this.tenants = tenants;
        this.scopes = scopes;
        this.providers = providers;
        this.audit = audit;
    }

    /** A configuration as the caller asks for it, before presets and defaults are applied. */
    record Draft(@Nullable String preset, @Nullable String issuer, @Nullable String directory, String clientId,
            @Nullable String clientSecret, @Nullable List<String> scopes, @Nullable String groupsClaim,
            @Nullable String emailClaim, @Nullable String authMode, @Nullable ProvisioningDraft autoProvisioning) {

        @Override
        public String toString() {
            return "Draft[issuer=" + issuer + ", clientId=" + clientId + "]";
        }
    }

    /** Auto-provisioning as asked for; null fields take their defaults. */
    record ProvisioningDraft(@Nullable Boolean enabled, @Nullable String defaultRole,
            @Nullable List<String> allowedEmailDomains, @Nullable List<String> allowedGroups,
            @Nullable Map<String, String> groupRoleMapping, @Nullable Boolean syncAttributesOnLogin) {
    }

    /** A tenant's configuration with the tenant it belongs to. */
    record Configured(TenantInfo tenant, SsoConfig config) {
    }

    Configured get(CanopyPrincipal principal, UUID tenantId) {
        TenantInfo tenant = manageable(principal, tenantId);
        return new Configured(tenant, scopes.inTenant(tenantId, () -> configs.find(tenantId))
                .orElseThrow(SsoConfiguring::notConfigured));
    }

    Configured create(CanopyPrincipal principal, UUID tenantId, Draft draft) {
        TenantInfo tenant = manageable(principal, tenantId);
        if (draft.clientSecret() == null) {
            throw ApiException.invalidField("client_secret", "is required");
        }
        SsoConfig config = resolve(tenantId, draft, 0);
        audit.resource("sso_config", tenantId.toString());
        byte[] sealed = secrets.seal(tenantId, draft.clientSecret());
        return scopes.inTenant(tenantId, () -> {
            if (!configs.insert(config, sealed)) {
                throw ApiException.conflict("SSO_CONFIG_EXISTS",
                        "The tenant already has an SSO configuration; replace it with PUT.");
            }
            endPasswordSessionsUnlessAllowed(tenantId, config);
            return new Configured(tenant, configs.find(tenantId).orElseThrow());
        });
    }

    Configured replace(CanopyPrincipal principal, UUID tenantId, Draft draft, long version) {
        TenantInfo tenant = manageable(principal, tenantId);
        SsoConfig config = resolve(tenantId, draft, version);
        audit.resource("sso_config", tenantId.toString());
        byte[] sealed = draft.clientSecret() == null ? null : secrets.seal(tenantId, draft.clientSecret());
        return scopes.inTenant(tenantId, () -> {
            SsoConfig current = configs.find(tenantId).orElseThrow(SsoConfiguring::notConfigured);
            if (!config.issuer().equals(current.issuer()) && sealed == null) {
                // a secret given to one provider must not be sent to another one without the administrator saying so
                throw ApiException.invalidField("client_secret", "is required when the issuer changes");
            }
            if (!configs.update(config, version, sealed)) {
                throw ApiException.conflict("VERSION_CONFLICT",
                        "The SSO configuration was changed by someone else; reload it.");
            }
            audit.detail("auth_mode", config.authMode().key());
            endPasswordSessionsUnlessAllowed(tenantId, config);
            return new Configured(tenant, configs.find(tenantId).orElseThrow());
        });
    }

    /**
     * SSO-only: password sessions end now, in this transaction, rather than when their access token expires
     * (refreshing them is refused already, see SignIn.renew).
     */
    private void endPasswordSessionsUnlessAllowed(UUID tenantId, SsoConfig config) {
        if (!config.authMode().passwordAllowed()) {
            audit.detail("password_sessions_ended", sessions.revokePasswordSessionsIn(tenantId));
        }
    }

    void delete(CanopyPrincipal principal, UUID tenantId) {
        manageable(principal, tenantId);
        audit.resource("sso_config", tenantId.toString());
        scopes.inTenant(tenantId, () -> {
            if (!configs.delete(tenantId)) {
                throw notConfigured();
            }
        });
    }

    /** One finding of a validation. */
    record Check(String name, boolean ok, String detail) {
    }

    /** What the provider says about the configuration, in words. */
    record Validation(boolean valid, List<Check> checks, @Nullable ProviderMetadata provider) {
    }

    Validation validate(CanopyPrincipal principal, UUID tenantId) {
        SsoConfig config = get(principal, tenantId).config();
        var checks = new ArrayList<Check>();
        ProviderMetadata provider;
        try {
            provider = providers.discover(config.issuer(), true);
            checks.add(new Check("discovery", true, "The discovery document of " + config.issuer()
                    + " was fetched and names this issuer."));
        }
        catch (ApiException e) {
            checks.add(new Check("discovery", false, e.getMessage()));
            return new Validation(false, checks, null);
        }
        try {
            var keys = providers.keys(provider).getKeys().stream()
                    .filter(k -> k.getKeyUse() == null || "sig".equals(k.getKeyUse().identifier())).toList();
            checks.add(keys.isEmpty()
                    ? new Check("jwks", false, "The JWKS at " + provider.jwksUri() + " has no signing keys.")
                    : new Check("jwks", true, "The JWKS at " + provider.jwksUri() + " has " + keys.size()
                            + " signing key(s)."));
        }
        catch (ApiException e) {
            checks.add(new Check("jwks", false, e.getMessage()));
        }
        List<String> pkce = provider.codeChallengeMethods();
        checks.add(pkce.isEmpty() || pkce.contains("S256")
                ? new Check("pkce", true, pkce.isEmpty() ? "The provider does not advertise PKCE methods; Canopy sends "
                        + "S256 challenges, which providers that ignore them accept." : "The provider supports PKCE S256.")
                : new Check("pkce", false, "The provider supports PKCE only as " + pkce + "; Canopy needs S256."));
        checks.add(new Check("client_authentication", true, provider.secretPosted()
                ? "The client secret will be posted to the token endpoint (client_secret_post)."
                : "The client secret will be sent with HTTP Basic (client_secret_basic)."));
        checks.add(config.autoProvisioning().enabled() && config.autoProvisioning().allowedEmailDomains().isEmpty()
                && config.autoProvisioning().allowedGroups().isEmpty()
                        ? new Check("provisioning", true, "Anyone the provider signs in gets an account: consider "
                                + "allowed_email_domains or allowed_groups.")
                        : new Check("provisioning", true, "Provisioning rules are consistent."));
        checks.add(config.authMode().ssoAllowed()
                ? new Check("auth_mode", true, "SSO logins are on (auth_mode " + config.authMode().key() + ").")
                : new Check("auth_mode", true, "SSO logins stay off until auth_mode is 'sso' or 'both'."));
        return new Validation(checks.stream().allMatch(Check::ok), checks, provider);
    }

    /** The tenant if the caller may manage its SSO: 404 when they cannot see it, 403 without the permission. */
    private TenantInfo manageable(CanopyPrincipal principal, UUID tenantId) {
        TenantInfo tenant = tenants.find(tenantId).filter(t -> !"deleted".equals(t.status()))
                .orElseThrow(SsoConfiguring::tenantNotFound);
        boolean visible = principal.can(Permissions.PLATFORM_TENANTS_MANAGE) || tenantId.equals(principal.tenantId())
                || principal.tenantId().equals(tenant.parentTenantId()) && principal.can(Permissions.TENANTS_UPDATE);
        if (!visible) {
            throw tenantNotFound();
        }
        principal.require(Permissions.SSO_MANAGE);
        return tenant;
    }

    /** The configuration the draft describes, presets and defaults applied; every problem in one 400. */
    private SsoConfig resolve(UUID tenantId, Draft d, long version) {
        var errors = new ArrayList<FieldError>();
        Preset preset = d.preset() == null ? Preset.GENERIC : Preset.of(d.preset()).orElse(Preset.GENERIC);
        String issuer = issuer(preset, d, errors);
        List<String> scopes = d.scopes() == null ? preset.scopes() : List.copyOf(new java.util.LinkedHashSet<>(d.scopes()));
        if (!scopes.contains("openid")) {
            errors.add(new FieldError("scopes", "must include openid"));
        }
        AuthMode mode = d.authMode() == null ? AuthMode.LOCAL : AuthMode.of(d.authMode()).orElse(AuthMode.LOCAL);
        AutoProvisioning provisioning = provisioning(d.autoProvisioning(), errors);
        if (!errors.isEmpty()) {
            throw new ApiException(HttpStatus.BAD_REQUEST, "VALIDATION_FAILED", "The request has invalid fields.",
                    errors);
        }
        var now = java.time.Instant.now();
        return new SsoConfig(tenantId, preset, issuer, d.clientId().trim(), scopes,
                d.groupsClaim() == null ? preset.groupsClaim() : d.groupsClaim(),
                d.emailClaim() == null ? preset.emailClaim() : d.emailClaim(), mode, provisioning, now, now, version);
    }

    private String issuer(Preset preset, Draft d, List<FieldError> errors) {
        String issuer = d.issuer() == null ? null : trimSlash(d.issuer().trim());
        switch (preset) {
            case ENTRA_ID -> {
                if (d.directory() != null) {
                    String built = Preset.ENTRA_ISSUER.formatted(d.directory());
                    if (issuer != null && !issuer.equals(built)) {
                        errors.add(new FieldError("issuer", "does not match the directory; give one of them"));
                    }
                    issuer = built;
                }
                else if (issuer == null) {
                    errors.add(new FieldError("directory", "is required for entra_id (the directory (tenant) ID)"));
                    return "";
                }
                else if (!issuer.matches("https://login\\.microsoftonline\\.com/[A-Za-z0-9.-]{1,100}/v2\\.0")) {
                    errors.add(new FieldError("issuer",
                            "must be https://login.microsoftonline.com/{directory}/v2.0 for entra_id"));
                }
            }
            case GOOGLE -> {
                if (issuer != null && !issuer.equals(Preset.GOOGLE_ISSUER)) {
                    errors.add(new FieldError("issuer", "must be " + Preset.GOOGLE_ISSUER + " for google, or left out"));
                }
                issuer = Preset.GOOGLE_ISSUER;
            }
            case KEYCLOAK -> {
                if (issuer == null) {
                    errors.add(new FieldError("issuer", "is required: the realm URL, https://host/realms/{realm}"));
                    return "";
                }
                if (!issuer.matches(".*/realms/[^/]+")) {
                    errors.add(new FieldError("issuer", "must be the realm URL, https://host/realms/{realm}"));
                }
            }
            case GENERIC -> {
                if (issuer == null) {
                    errors.add(new FieldError("issuer", "is required"));
                    return "";
                }
            }
        }
        String problem = providers.problemWithUrl(issuer);
        if (problem != null) {
            errors.add(new FieldError("issuer", problem));
        }
        return issuer;
    }

    private static AutoProvisioning provisioning(@Nullable ProvisioningDraft d, List<FieldError> errors) {
        if (d == null) {
            return AutoProvisioning.off();
        }
        String defaultRole = d.defaultRole() == null ? AutoProvisioning.DEFAULT_ROLE : d.defaultRole();
        if (BuiltInRole.assignable(defaultRole).isEmpty()) {
            errors.add(new FieldError("auto_provisioning.default_role", "is not a role of this tenant"));
        }
        var domains = new ArrayList<String>();
        for (String domain : d.allowedEmailDomains() == null ? List.<String>of() : d.allowedEmailDomains()) {
            // seed 004 writes domains as "@company.com"
            String normalized = domain.trim().toLowerCase(Locale.ROOT);
            normalized = normalized.startsWith("@") ? normalized.substring(1) : normalized;
            if (!normalized.matches(DOMAIN) || normalized.length() > 253) {
                errors.add(new FieldError("auto_provisioning.allowed_email_domains", "'" + OidcProviders.safe(domain)
                        + "' is not a domain name"));
            }
            else if (!domains.contains(normalized)) {
                domains.add(normalized);
            }
        }
        var mapping = new TreeMap<String, String>();
        new LinkedHashMap<>(d.groupRoleMapping() == null ? Map.<String, String>of() : d.groupRoleMapping())
                .forEach((group, role) -> {
                    if (BuiltInRole.assignable(role).isEmpty()) {
                        errors.add(new FieldError("auto_provisioning.group_role_mapping",
                                "'" + OidcProviders.safe(role) + "' is not a role of this tenant"));
                    }
                    mapping.put(group, role);
                });
        List<String> groups = d.allowedGroups() == null ? List.of()
                : List.copyOf(new java.util.LinkedHashSet<>(d.allowedGroups()));
        return new AutoProvisioning(Boolean.TRUE.equals(d.enabled()), defaultRole, List.copyOf(domains), groups,
                mapping, d.syncAttributesOnLogin() == null || d.syncAttributesOnLogin());
    }

    private static String trimSlash(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    static ApiException notConfigured() {
        return ApiException.notFound("SSO_NOT_CONFIGURED", "The tenant has no SSO configuration.");
    }

    private static ApiException tenantNotFound() {
        return ApiException.notFound("TENANT_NOT_FOUND", "No such tenant.");
    }
}
