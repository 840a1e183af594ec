package dev.canopy.tenancy.internal;

import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import dev.canopy.audit.AuditRetention;
import dev.canopy.platform.web.Audited;
import dev.canopy.platform.security.CanopyPrincipal;
import dev.canopy.platform.web.Page;
import dev.canopy.platform.web.PageRequest;
import dev.canopy.tenancy.Tenant;
import dev.canopy.tenancy.Tenants;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/**
 * {@code /api/v1/tenants}.
 * Not {@code @Validated}: Spring MVC validates the constrained parameters itself and reports them as
 * 400 problems, where a method-validation proxy would throw {@code ConstraintViolationException} (a 500).
 */
@RestController
@RequestMapping("/api/v1/tenants")
class TenantController {

    static final String SLUG = "^[a-z0-9][a-z0-9-]{1,62}$";
    static final String RETENTION = "must be between " + AuditRetention.MIN_DAYS + " and "
            + AuditRetention.MAX_DAYS + " days";

    private final Tenants tenants;

    TenantController(Tenants tenants) {
        this.tenants = tenants;
    }

    record TenantView(UUID id, String name, String slug, String status, @Nullable UUID parentTenantId,
            @Nullable String region, Instant createdAt, Instant updatedAt, long version, SettingsView settings,
            PlacementView placement) {

        static TenantView of(Tenant t, Tenants.TenantSettings settings) {
            return new TenantView(t.id(), t.name(), t.slug(), t.status(), t.parentTenantId(), t.region(),
                    t.createdAt(), t.updatedAt(), t.version(),
                    new SettingsView(t.mfaRequired(), settings.auditRetentionDays()),
                    new PlacementView(t.tier(), t.placementRegion(), t.serverId()));
        }
    }

    /** Where a tenant's data lives. */
    record PlacementView(String tier, @Nullable String region, @Nullable UUID serverId) {
    }

    /** Where a new tenant's data should live; omitted parts take the installation's defaults. */
    record PlacementChoice(
            @Nullable @Pattern(regexp = "pool|schema|database", message = "must be pool, schema or database") String tier,
            @Nullable @Size(max = 100) String region, @Nullable UUID serverId) {
    }

    /** A tenant's settings. */
    record SettingsView(boolean mfaRequired, int auditRetentionDays) {
    }

    record CreateTenant(@NotBlank @Size(max = 200) String name,
            @NotBlank @Pattern(regexp = SLUG, message = "must be 2-63 lower-case letters, digits or dashes, "
                    + "starting with a letter or digit") String slug,
            @Nullable UUID parentTenantId,
            @Nullable @Size(max = 100) String region,
            @Nullable @Valid PlacementChoice placement) {
    }

    record UpdateTenant(@Nullable @Size(min = 1, max = 200) @Pattern(regexp = ".*\\S.*") String name,
            @Nullable @Size(max = 100) String region,
            @Nullable @Pattern(regexp = "active|suspended", message = "must be active or suspended") String status,
            @Nullable @Valid SettingsChange settings, @NotNull Long version) {
    }

    /** Settings to change; null means unchanged. */
    record SettingsChange(@Nullable Boolean mfaRequired,
            @Nullable @Min(value = AuditRetention.MIN_DAYS, message = RETENTION) @Max(value = AuditRetention.MAX_DAYS,
                    message = RETENTION) Integer auditRetentionDays) {
    }

    @GetMapping
    Page<TenantView> list(@AuthenticationPrincipal CanopyPrincipal principal,
            @RequestParam(required = false) @Nullable @Pattern(regexp = "active|suspended|deleted") String status,
            @RequestParam(name = "parent_tenant_id", required = false) @Nullable UUID parentTenantId,
            @RequestParam(required = false) @Nullable @Size(max = 200) String search,
            @RequestParam(required = false) @Nullable Integer limit,
            @RequestParam(required = false) @Nullable String cursor) {
        Page<Tenant> page = tenants.list(principal, new Tenants.TenantFilter(status, parentTenantId,
                search == null || search.isBlank() ? null : search.trim()), PageRequest.of(limit, cursor));
        return new Page<>(views(page.items()), page.nextCursor());
    }

    @Audited(action = "tenant.created", resource = "tenant")
    @PostMapping
    ResponseEntity<TenantView> create(@AuthenticationPrincipal CanopyPrincipal principal,
            @Valid @RequestBody CreateTenant body) {
        Tenant tenant = tenants.create(principal,
                new Tenants.NewTenant(body.name().trim(), body.slug(), body.parentTenantId(), body.region(),
                        body.placement() == null ? null : new TenantPlacements.Request(body.placement().tier(),
                                body.placement().region(), body.placement().serverId())));
        return ResponseEntity.created(URI.create("/api/v1/tenants/" + tenant.id())).body(view(tenant));
    }

    @GetMapping("/{id}")
    TenantView get(@AuthenticationPrincipal CanopyPrincipal principal, @PathVariable UUID id) {
        return view(tenants.get(principal, id));
    }

    @Audited(action = "tenant.updated", resource = "tenant")
    @PatchMapping("/{id}")
    TenantView update(@AuthenticationPrincipal CanopyPrincipal principal, @PathVariable UUID id,
            @Valid @RequestBody UpdateTenant body) {
        return view(tenants.update(principal, id,
                new Tenants.TenantChanges(body.name() == null ? null : body.name().trim(), body.region(),
                        body.status(), body.settings() == null ? null : body.settings().mfaRequired(),
                        body.settings() == null ? null : body.settings().auditRetentionDays(),
                        body.version())));
    }

    @Audited(action = "tenant.deleted", resource = "tenant")
    @DeleteMapping("/{id}")
    ResponseEntity<Void> delete(@AuthenticationPrincipal CanopyPrincipal principal, @PathVariable UUID id) {
        tenants.delete(principal, id);
        return ResponseEntity.noContent().build();
    }

    private TenantView view(Tenant tenant) {
        return views(List.of(tenant)).getFirst();
    }

    private List<TenantView> views(List<Tenant> page) {
        Map<UUID, Tenants.TenantSettings> settings = tenants.settings(page.stream().map(Tenant::id).toList());
        return page.stream().map(t -> TenantView.of(t, settings.get(t.id()))).toList();
    }
}
