package dev.canopy.tenancy.internal;

import java.net.URI;
import java.time.Instant;
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
import org.springframework.web.bind.annotation.RestController;

import dev.canopy.access.Permissions;
import dev.canopy.audit.AuditTrail;
import dev.canopy.platform.security.CanopyPrincipal;
import dev.canopy.platform.web.ApiException;
import dev.canopy.platform.web.Audited;
import dev.canopy.platform.web.Page;

/** The platform administrator's database registry ({@code /api/v1/admin/database-servers}) and its regions. */
@RestController
class DatabaseServersController {

    private static final String SERVERS = "/api/v1/admin/database-servers";

    private final DatabaseServerRegistry registry;
    private final PlacementSettings placement;
    private final AuditTrail audit;

    DatabaseServersController(DatabaseServerRegistry registry, PlacementSettings placement, AuditTrail audit) {
        this.registry = registry;
        this.placement = placement;
        this.audit = audit;
    }

    record HealthView(String status, @Nullable String detail, @Nullable String serverVersion,
            @Nullable Instant checkedAt) {
    }

    /** A server without its passwords. */
    record ServerView(UUID id, String name, String region, String jdbcUrl, String ownerUser, String runtimeUser,
            String role, int capacity, HealthView health, Instant createdAt, Instant updatedAt, long version) {

        static ServerView of(DatabaseServer s) {
            return new ServerView(s.id(), s.name(), s.region(), s.jdbcUrl(), s.ownerUser(), s.runtimeUser(), s.role(),
                    s.capacity(), new HealthView(s.health(), s.healthDetail(), s.serverVersion(), s.checkedAt()),
                    s.createdAt(), s.updatedAt(), s.version());
        }
    }

    record ServerBody(@Nullable String name, @Nullable String region, @Nullable String jdbcUrl,
            @Nullable String ownerUser, @Nullable String ownerPassword, @Nullable String runtimeUser,
            @Nullable String runtimePassword, @Nullable String role, @Nullable Integer capacity,
            @Nullable Long version) {

        DatabaseServerRegistry.Draft draft() {
            return new DatabaseServerRegistry.Draft(name, region, jdbcUrl, ownerUser, ownerPassword, runtimeUser,
                    runtimePassword, role, capacity);
        }
    }

    record RegionView(String key, String name, boolean isDefault) {
    }

    @GetMapping("/api/v1/admin/regions")
    Page<RegionView> regions(@AuthenticationPrincipal CanopyPrincipal principal) {
        principal.require(Permissions.PLATFORM_DATABASES_MANAGE);
        return new Page<>(placement.regions().stream()
                .map(r -> new RegionView(r.key(), r.name(), r.key().equals(placement.defaultRegion()))).toList(), null);
    }

    @GetMapping(SERVERS)
    Page<ServerView> list(@AuthenticationPrincipal CanopyPrincipal principal) {
        principal.require(Permissions.PLATFORM_DATABASES_MANAGE);
        return new Page<>(registry.list().stream().map(ServerView::of).toList(), null);
    }

    @GetMapping(SERVERS + "/{id}")
    ServerView get(@AuthenticationPrincipal CanopyPrincipal principal, @PathVariable UUID id) {
        principal.require(Permissions.PLATFORM_DATABASES_MANAGE);
        return ServerView.of(registry.get(id));
    }

    @Audited(action = "database_server.registered", resource = "database_server")
    @PostMapping(SERVERS)
    ResponseEntity<ServerView> register(@AuthenticationPrincipal CanopyPrincipal principal,
            @RequestBody ServerBody body) {
        principal.require(Permissions.PLATFORM_DATABASES_MANAGE);
        if (body.version() != null) {
            throw ApiException.invalidField("version", "is set by Canopy");
        }
        DatabaseServer server = registry.register(body.draft());
        audited(server);
        return ResponseEntity.created(URI.create(SERVERS + "/" + server.id())).body(ServerView.of(server));
    }

    @Audited(action = "database_server.updated", resource = "database_server")
    @PatchMapping(SERVERS + "/{id}")
    ServerView change(@AuthenticationPrincipal CanopyPrincipal principal, @PathVariable UUID id,
            @RequestBody ServerBody body) {
        principal.require(Permissions.PLATFORM_DATABASES_MANAGE);
        if (body.version() == null) {
            throw ApiException.invalidField("version", "is required (the version you read)");
        }
        DatabaseServer server = registry.change(id, body.draft(), body.version());
        audited(server);
        return ServerView.of(server);
    }

    @Audited(action = "database_server.checked", resource = "database_server")
    @PostMapping(SERVERS + "/{id}/check")
    ServerView check(@AuthenticationPrincipal CanopyPrincipal principal, @PathVariable UUID id) {
        principal.require(Permissions.PLATFORM_DATABASES_MANAGE);
        DatabaseServer server = registry.check(id);
        audited(server);
        audit.detail("health", server.health());
        return ServerView.of(server);
    }

    @Audited(action = "database_server.removed", resource = "database_server")
    @DeleteMapping(SERVERS + "/{id}")
    ResponseEntity<Void> remove(@AuthenticationPrincipal CanopyPrincipal principal, @PathVariable UUID id) {
        principal.require(Permissions.PLATFORM_DATABASES_MANAGE);
        audit.resource("database_server", id.toString());
        registry.remove(id);
        return ResponseEntity.noContent().build();
    }

    private void audited(DatabaseServer server) {
        audit.resource("database_server", server.id().toString());
        audit.detail("name", server.name());
        audit.detail("region", server.region());
    }
}
