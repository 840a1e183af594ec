package dev.canopy.identity.sso;

import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.http.CacheControl;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import dev.canopy.platform.web.Audited;
import dev.canopy.identity.internal.Issuer;
import dev.canopy.platform.security.CanopyPrincipal;
import dev.canopy.platform.web.ApiException;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/**
 * {@code /api/v1/tenants/{id}/sso/config}: a tenant's OIDC single sign-on. The client secret is write-only:
 * no answer ever carries it, only {@code client_secret_set}.
 */
@RestController
@RequestMapping("/api/v1/tenants/{id}/sso/config")
class SsoConfigController {

    private static final String PRINTABLE = "[\\x21-\\x7E]+";

    private final SsoConfiguring configuring;
    private final Issuer issuer;

    SsoConfigController(SsoConfiguring configuring, Issuer issuer) {
        this.configuring = configuring;
        this.issuer = issuer;
    }

    /** The body of POST and PUT; PUT replaces everything but a left-out client secret, and needs the version. */
    record SsoConfigRequest(
            @Nullable @Pattern(regexp = "entra_id|keycloak|google|generic",
                    message = "must be entra_id, keycloak, google or generic") String preset,
            @Nullable @Size(max = 500) String issuer,
            @Nullable @Pattern(regexp = "[A-Za-z0-9.-]{1,100}",
                    message = "must be the directory (tenant) ID or its domain") String directory,
            @NotBlank @Size(max = 255) @Pattern(regexp = PRINTABLE, message = "must be printable, without spaces")
            String clientId,
            @Nullable @Size(min = 1, max = 1024) @Pattern(regexp = "\\S(.*\\S)?", message = "must not be blank")
            String clientSecret,
            @Nullable @Size(min = 1, max = 20) List<@NotBlank @Size(max = 100) @Pattern(regexp = "[\\x21\\x23-\\x5B\\x5D-\\x7E]+",
                    message = "must be a scope token") String> scopes,
            @Nullable @Size(min = 1, max = 100) @Pattern(regexp = PRINTABLE, message = "must be a claim name")
            String groupsClaim,
            @Nullable @Size(min = 1, max = 100) @Pattern(regexp = PRINTABLE, message = "must be a claim name")
            String emailClaim,
            @Nullable @Pattern(regexp = "local|sso|both", message = "must be local, sso or both") String authMode,
            @Nullable @Valid AutoProvisioningRequest autoProvisioning,
            @Nullable Long version) {

        @Override
        public String toString() {
            return "SsoConfigRequest[issuer=" + issuer + ", clientId=" + clientId + "]";
        }

        SsoConfiguring.Draft draft() {
            AutoProvisioningRequest a = autoProvisioning;
            return new SsoConfiguring.Draft(preset, issuer, directory, clientId, clientSecret, scopes, groupsClaim,
                    emailClaim, authMode, a == null ? null
                            : new SsoConfiguring.ProvisioningDraft(a.enabled(), a.defaultRole(),
                                    a.allowedEmailDomains(), a.allowedGroups(), a.groupRoleMapping(),
                                    a.syncAttributesOnLogin()));
        }
    }

    /** Seed 004's {@code auto_provisioning}. */
    record AutoProvisioningRequest(@Nullable Boolean enabled,
            @Nullable @Size(min = 1, max = 64) String defaultRole,
            @Nullable @Size(max = 100) List<@NotBlank @Size(max = 254) String> allowedEmailDomains,
            @Nullable @Size(max = 100) List<@NotBlank @Size(max = 256) String> allowedGroups,
            @Nullable @Size(max = 200) Map<@NotBlank @Size(max = 256) String, @NotNull @Size(min = 1, max = 64) String>
            groupRoleMapping,
            @Nullable Boolean syncAttributesOnLogin) {
    }

    record AutoProvisioningView(boolean enabled, String defaultRole, List<String> allowedEmailDomains,
            List<String> allowedGroups, Map<String, String> groupRoleMapping, boolean syncAttributesOnLogin) {
    }

    /** A configuration as the API shows it; {@code redirect_uri} is what to register at the provider. */
    record SsoConfigView(UUID tenantId, String preset, String issuer, String clientId, boolean clientSecretSet,
            List<String> scopes, String groupsClaim, String emailClaim, String authMode,
            AutoProvisioningView autoProvisioning, String redirectUri, String loginUrl, Instant createdAt,
            Instant updatedAt, long version) {
    }

    @GetMapping
    ResponseEntity<SsoConfigView> get(@AuthenticationPrincipal CanopyPrincipal principal, @PathVariable UUID id) {
        return ResponseEntity.ok().cacheControl(CacheControl.noStore()).body(view(configuring.get(principal, id)));
    }

    @Audited(action = "sso.config_created", resource = "sso_config")
    @PostMapping
    ResponseEntity<SsoConfigView> create(@AuthenticationPrincipal CanopyPrincipal principal, @PathVariable UUID id,
            @Valid @RequestBody SsoConfigRequest body) {
        if (body.version() != null) {
            throw ApiException.invalidField("version", "is given by the server; leave it out when creating");
        }
        SsoConfigView view = view(configuring.create(principal, id, body.draft()));
        return ResponseEntity.created(URI.create("/api/v1/tenants/" + id + "/sso/config"))
                .cacheControl(CacheControl.noStore()).body(view);
    }

    @Audited(action = "sso.config_updated", resource = "sso_config")
    @PutMapping
    ResponseEntity<SsoConfigView> replace(@AuthenticationPrincipal CanopyPrincipal principal, @PathVariable UUID id,
            @Valid @RequestBody SsoConfigRequest body) {
        if (body.version() == null) {
            throw ApiException.invalidField("version", "is required (the version you read)");
        }
        return ResponseEntity.ok().cacheControl(CacheControl.noStore())
                .body(view(configuring.replace(principal, id, body.draft(), body.version())));
    }

    @Audited(action = "sso.config_deleted", resource = "sso_config")
    @DeleteMapping
    ResponseEntity<Void> delete(@AuthenticationPrincipal CanopyPrincipal principal, @PathVariable UUID id) {
        configuring.delete(principal, id);
        return ResponseEntity.noContent().build();
    }

    @GetMapping("/validate")
    SsoConfiguring.Validation validate(@AuthenticationPrincipal CanopyPrincipal principal, @PathVariable UUID id) {
        return configuring.validate(principal, id);
    }

    private SsoConfigView view(SsoConfiguring.Configured configured) {
        SsoConfig c = configured.config();
        AutoProvisioning a = c.autoProvisioning();
        String base = issuer.current();
        return new SsoConfigView(c.tenantId(), c.preset().key(), c.issuer(), c.clientId(), true, c.scopes(),
                c.groupsClaim(), c.emailClaim(), c.authMode().key(),
                new AutoProvisioningView(a.enabled(), a.defaultRole(), a.allowedEmailDomains(), a.allowedGroups(),
                        a.groupRoleMapping(), a.syncAttributesOnLogin()),
                base + SsoLoginController.CALLBACK, base + "/api/v1/auth/sso/" + configured.tenant().slug() + "/login",
                c.createdAt(), c.updatedAt(), c.version());
    }
}
