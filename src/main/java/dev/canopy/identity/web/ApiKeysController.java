package dev.canopy.identity.web;

import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.http.CacheControl;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import dev.canopy.access.Permissions;
import dev.canopy.platform.web.Audited;
import dev.canopy.identity.internal.ApiKey;
import dev.canopy.identity.internal.ApiKeyDirectory;
import dev.canopy.platform.security.CanopyPrincipal;
import dev.canopy.platform.web.Page;
import dev.canopy.platform.web.PageRequest;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/** API keys of the current tenant: {@code Authorization: Bearer cnp_...} for automation and CI. */
@RestController
@RequestMapping("/api/v1/api-keys")
class ApiKeysController {

    private final ApiKeyDirectory directory;

    ApiKeysController(ApiKeyDirectory directory) {
        this.directory = directory;
    }

    record ApiKeyView(UUID id, String name, String prefix, List<String> roles, Instant createdAt,
            @Nullable Instant expiresAt, @Nullable Instant lastUsedAt) {

        static ApiKeyView of(ApiKey key) {
            return new ApiKeyView(key.id(), key.name(), key.prefix(), key.roles(), key.createdAt(), key.expiresAt(),
                    key.lastUsedAt());
        }
    }

    /** The creation answer: the only time the secret is shown. */
    record CreatedApiKey(UUID id, String name, String prefix, List<String> roles, Instant createdAt,
            @Nullable Instant expiresAt, @Nullable Instant lastUsedAt, String secret) {
    }

    record CreateApiKey(@NotBlank @Size(max = 100) @Pattern(regexp = ".*\\S.*") String name,
            @NotEmpty @Size(max = 20) List<@NotBlank @Size(max = 64) String> roles,
            @Nullable Instant expiresAt) {
    }

    @Audited(action = "api_key.created", resource = "api_key")
    @PostMapping
    ResponseEntity<CreatedApiKey> create(@AuthenticationPrincipal CanopyPrincipal principal,
            @Valid @RequestBody CreateApiKey body) {
        principal.require(Permissions.API_KEYS_CREATE);
        ApiKeyDirectory.Created created = directory.create(principal, body.name().trim(), body.roles(),
                body.expiresAt());
        ApiKey key = created.key();
        return ResponseEntity.created(URI.create("/api/v1/api-keys/" + key.id()))
                .cacheControl(CacheControl.noStore())
                .body(new CreatedApiKey(key.id(), key.name(), key.prefix(), key.roles(), key.createdAt(),
                        key.expiresAt(), key.lastUsedAt(), created.secret()));
    }

    @GetMapping
    Page<ApiKeyView> list(@AuthenticationPrincipal CanopyPrincipal principal,
            @RequestParam(required = false) @Nullable Integer limit,
            @RequestParam(required = false) @Nullable String cursor) {
        principal.require(Permissions.API_KEYS_LIST);
        Page<ApiKey> page = directory.list(principal.tenantId(), PageRequest.of(limit, cursor));
        return new Page<>(page.items().stream().map(ApiKeyView::of).toList(), page.nextCursor());
    }

    @Audited(action = "api_key.revoked", resource = "api_key")
    @DeleteMapping("/{id}")
    ResponseEntity<Void> revoke(@AuthenticationPrincipal CanopyPrincipal principal, @PathVariable UUID id) {
        principal.require(Permissions.API_KEYS_DELETE);
        directory.revoke(principal.tenantId(), id);
        return ResponseEntity.noContent().build();
    }
}
