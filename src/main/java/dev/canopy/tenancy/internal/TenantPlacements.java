package dev.canopy.tenancy.internal;

import java.util.List;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;

import dev.canopy.platform.db.TenantSchemas;
import dev.canopy.platform.web.ApiException;
import dev.canopy.platform.web.ApiException.FieldError;
import dev.canopy.tenancy.Tenant;

/**
 * Chooses and builds a new tenant's placement: the tier (the request's, else {@code canopy.placement.default-tier}),
 * a region it knows, and a server of that region with room; a tenant's data never goes to another region's server.
 * The pool and the schema tier live on the server {@code local} (the control plane's); the database tier and
 * schemas on other servers are not built yet and are refused rather than placed somewhere else.
 */
@Component
public class TenantPlacements {

    private final PlacementSettings settings;
    private final DatabaseServers servers;
    private final TenantRecords tenants;
    private final TenantSchemas schemas;

    TenantPlacements(PlacementSettings settings, DatabaseServers servers, TenantRecords tenants,
            TenantSchemas schemas) {
        this.settings = settings;
        this.servers = servers;
        this.tenants = tenants;
        this.schemas = schemas;
    }

    /** What a request asks for; every part may be left to the defaults. */
    public record Request(@Nullable String tier, @Nullable String region, @Nullable UUID serverId) {
    }

    /** Checks the request against the tiers, regions and servers there are, and answers the placement to build. */
    public Placement choose(@Nullable Request request) {
        String tier = request == null || request.tier() == null ? settings.defaultTier() : request.tier();
        String region = request == null || request.region() == null ? settings.defaultRegion() : request.region();
        if (!settings.knows(region)) {
            throw refused("REGION_UNKNOWN", "No region '" + region + "'; GET /api/v1/admin/regions lists them.",
                    "placement.region");
        }
        if (Tenant.DATABASE.equals(tier)) {
            throw refused("TIER_NOT_AVAILABLE", "The database tier (a database per tenant) is not available in this "
                    + "version; choose pool or schema.", "placement.tier");
        }
        DatabaseServer server = request == null || request.serverId() == null ? local()
                : servers.find(request.serverId()).orElseThrow(() -> refused("DATABASE_SERVER_UNKNOWN",
                        "No database server " + request.serverId() + ".", "placement.server_id"));
        if (!server.region().equals(region)) {
            throw refused("REGION_MISMATCH", "The server '" + server.name() + "' is in " + server.region()
                    + ", not " + region + "; a tenant's data stays on its region's servers.", "placement.server_id");
        }
        if (!"healthy".equals(server.health()) && !"unknown".equals(server.health())) {
            throw new ApiException(HttpStatus.CONFLICT, "DATABASE_SERVER_UNHEALTHY", "The server '" + server.name()
                    + "' is " + server.health() + " at its last check.");
        }
        if (tenants.countOnServer(server.id()) >= server.capacity()) {
            throw new ApiException(HttpStatus.CONFLICT, "DATABASE_SERVER_FULL", "The server '" + server.name()
                    + "' holds its capacity of " + server.capacity() + " tenants.");
        }
        if (!server.name().equals(DatabaseServer.LOCAL)) {
            throw refused("TIER_NOT_AVAILABLE", "The " + tier + " tier lives on the server 'local' in this version; "
                    + "placing tenants on '" + server.name() + "' is not available yet.", "placement.server_id");
        }
        return new Placement(tier, region, server.id());
    }

    /**
     * Builds what the placement needs before the tenant's row is written: its schema in the schema tier (undone if
     * the creating transaction rolls back; {@link TenantRecords#insert} routes the tenant there).
     */
    public void build(UUID tenantId, Placement placement) {
        if (Tenant.SCHEMA.equals(placement.tier())) {
            schemas.build(tenantId);
        }
    }

    private DatabaseServer local() {
        return servers.findByName(DatabaseServer.LOCAL).orElseThrow(() -> new ApiException(
                HttpStatus.SERVICE_UNAVAILABLE, "DATABASE_SERVER_UNKNOWN", "The server 'local' is not registered yet."));
    }

    private static ApiException refused(String code, String detail, String field) {
        return new ApiException(HttpStatus.UNPROCESSABLE_CONTENT, code, detail,
                List.of(new FieldError(field, detail)));
    }
}
