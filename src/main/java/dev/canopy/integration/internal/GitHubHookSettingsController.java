package dev.canopy.integration.internal;

import java.security.SecureRandom;
import java.time.Instant;
import java.util.HexFormat;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.support.ServletUriComponentsBuilder;

import dev.canopy.access.Permissions;
import dev.canopy.audit.AuditTrail;
import dev.canopy.identity.TenantDirectory;
import dev.canopy.platform.db.TenantTransactions;
import dev.canopy.platform.security.CanopyPrincipal;
import dev.canopy.platform.web.ApiException;
import dev.canopy.platform.web.Audited;
import dev.canopy.secrets.Secrets;

/**
 * {@code /api/v1/integrations/github}: the secret GitHub signs the tenant's webhook deliveries with, set by a tenant
 * administrator ({@code github_hooks:manage}) or generated (then answered once). It is sealed at once and never
 * shown again, logged or audited.
 */
@RestController
@RequestMapping("/api/v1/integrations/github")
class GitHubHookSettingsController {

    static final int MIN_SECRET = 20;
    static final int MAX_SECRET = 256;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final GitHubHookSecrets secrets;
    private final Secrets sealing;
    private final TenantTransactions scopes;
    private final TenantDirectory tenants;
    private final AuditTrail audit;

    GitHubHookSettingsController(GitHubHookSecrets secrets, Secrets sealing, TenantTransactions scopes,
            TenantDirectory tenants, AuditTrail audit) {
        this.secrets = secrets;
        this.sealing = sealing;
        this.scopes = scopes;
        this.tenants = tenants;
        this.audit = audit;
    }

    /** {@code PUT}: the secret to use; without one (or without a body) Canopy generates it. */
    record SecretBody(@Nullable String secret) {

        @Override
        public String toString() {
            return "SecretBody[" + (secret == null ? "generate" : "given") + "]";
        }
    }

    /**
     * Where to point GitHub ({@code hook_url}, content type application/json) and whether a secret is set; the
     * {@code secret} only in the answer that generated it.
     */
    record SettingsView(String hookUrl, boolean secretConfigured, @Nullable Instant secretUpdatedAt,
            @Nullable String secret) {

        @Override
        public String toString() {
            return "SettingsView[" + hookUrl + ", " + secretConfigured + "]";
        }
    }

    @GetMapping
    SettingsView get(@AuthenticationPrincipal CanopyPrincipal principal) {
        principal.require(Permissions.GITHUB_HOOKS_MANAGE);
        UUID tenantId = principal.tenantId();
        Instant updatedAt = scopes.inTenant(tenantId, () -> secrets.find(tenantId))
                .map(GitHubHookSecrets.Sealed::updatedAt).orElse(null);
        return new SettingsView(hookUrl(tenantId), updatedAt != null, updatedAt, null);
    }

    @Audited(action = "github_hooks.secret_set", resource = "github_hooks", recordRequest = false)
    @PutMapping
    SettingsView put(@AuthenticationPrincipal CanopyPrincipal principal,
            @RequestBody(required = false) @Nullable SecretBody body) {
        principal.require(Permissions.GITHUB_HOOKS_MANAGE);
        String given = body == null ? null : body.secret();
        if (given != null && (given.length() < MIN_SECRET || given.length() > MAX_SECRET
                || !given.chars().allMatch(c -> c >= 0x21 && c <= 0x7e))) {
            throw ApiException.invalidField("secret", "must be " + MIN_SECRET + " to " + MAX_SECRET
                    + " visible ASCII characters without spaces (or left out to have one generated)");
        }
        String secret = given != null ? given : generated();
        UUID tenantId = principal.tenantId();
        byte[] sealed = sealing.sealText(GitHubHookSecrets.binding(tenantId), secret);
        Instant updatedAt = scopes.inTenant(tenantId, () -> secrets.put(tenantId, sealed));
        audit.resource("github_hooks", tenantId.toString());
        audit.detail("generated", given == null);
        return new SettingsView(hookUrl(tenantId), true, updatedAt, given == null ? secret : null);
    }

    @Audited(action = "github_hooks.secret_removed", resource = "github_hooks")
    @DeleteMapping
    ResponseEntity<Void> delete(@AuthenticationPrincipal CanopyPrincipal principal) {
        principal.require(Permissions.GITHUB_HOOKS_MANAGE);
        UUID tenantId = principal.tenantId();
        if (!scopes.inTenant(tenantId, () -> secrets.delete(tenantId))) {
            throw ApiException.notFound("GITHUB_SECRET_NOT_FOUND", "No GitHub webhook secret is set.");
        }
        audit.resource("github_hooks", tenantId.toString());
        return ResponseEntity.noContent().build();
    }

    /** 32 random bytes as hex: what {@code openssl rand -hex 32}, GitHub's suggestion, gives. */
    private static String generated() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    private String hookUrl(UUID tenantId) {
        String slug = tenants.find(tenantId).orElseThrow().slug();
        return ServletUriComponentsBuilder.fromCurrentContextPath().path("/api/v1/hooks/github/{slug}")
                .buildAndExpand(slug).toUriString();
    }
}
