package dev.canopy.tenancy.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.HttpStatus;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

import dev.canopy.audit.Actor;
import dev.canopy.audit.AuditRecord;
import dev.canopy.audit.AuditTrail;
import dev.canopy.platform.Ids;
import dev.canopy.platform.db.AdvisoryLocks;
import dev.canopy.platform.db.TenantRelocation;
import dev.canopy.platform.web.ApiException;
import dev.canopy.tenancy.Tenant;
import jakarta.annotation.PreDestroy;

/**
 * Live moves of a tenant between the pool and a schema of its own: checked when asked for, run in the background
 * ({@link TenantRelocation} copies, blocks the tenant's transactions for the switch only, verifies and switches),
 * audited in the platform's chain when done or failed; the source is kept for {@code canopy.placement.keep-moved-source}
 * and then dropped.
 */
@Component
class LiveMoves {

    private static final Logger log = LoggerFactory.getLogger(LiveMoves.class);
    /** Arbitrary, fixed: the source clean-up's advisory lock key across instances. */
    private static final long CLEANUP_LOCK = 0x63616e6f70790003L;

    private final TenantRecords tenants;
    private final TenantMoves moves;
    private final TenantPlacements placements;
    private final TenantRelocation relocation;
    private final AuditTrail audit;
    private final AdvisoryLocks locks;
    private final Duration keepSource;
    private final ExecutorService runner = Executors.newVirtualThreadPerTaskExecutor();

    LiveMoves(TenantRecords tenants, TenantMoves moves, TenantPlacements placements, TenantRelocation relocation,
            AuditTrail audit, AdvisoryLocks locks, @Value("${canopy.placement.keep-moved-source}") Duration keepSource) {
        this.tenants = tenants;
        this.moves = moves;
        this.placements = placements;
        this.relocation = relocation;
        this.audit = audit;
        this.locks = locks;
        this.keepSource = keepSource;
    }

    /** What a platform administrator asks for. */
    record MoveRequest(String tier, @Nullable String region, @Nullable UUID serverId, boolean allowRegionChange) {
    }

    /** Checks the move and starts it; answers its record. */
    TenantMoves.Move start(UUID tenantId, MoveRequest request, UUID requestedBy) {
        Tenant tenant = tenants.find(tenantId).filter(t -> !t.deleted()).orElseThrow(
                () -> ApiException.notFound("TENANT_NOT_FOUND", "No tenant " + tenantId + "."));
        if (request.tier().equals(tenant.tier())) {
            throw ApiException.conflict("ALREADY_IN_TIER", "The tenant is in the " + tenant.tier() + " tier already.");
        }
        String region = request.region() == null ? tenant.placementRegion() : request.region();
        if (region != null && !region.equals(tenant.placementRegion()) && !request.allowRegionChange()) {
            throw new ApiException(HttpStatus.UNPROCESSABLE_CONTENT, "REGION_CHANGE_NOT_ALLOWED", "Moving the "
                    + "tenant's data from " + tenant.placementRegion() + " to " + region + " takes it out of its "
                    + "region; say allow_region_change: true to do so.");
        }
        Placement target = placements.choose(new TenantPlacements.Request(request.tier(), region,
                request.serverId()));
        if (moves.running(tenantId)) {
            throw ApiException.conflict("MOVE_IN_PROGRESS", "The tenant is being moved already.");
        }
        UUID id = Ids.newId();
        try {
            moves.start(id, tenantId, tenant.tier(), target.tier(), requestedBy);
        }
        catch (org.springframework.dao.DuplicateKeyException e) {
            throw ApiException.conflict("MOVE_IN_PROGRESS", "The tenant is being moved already.");
        }
        // the move's record must be committed before the move updates it
        AfterCommit.run(() -> runner.submit(() -> run(id, tenant, target)));
        return moves.find(tenantId, id).orElseThrow();
    }

    private void run(UUID id, Tenant tenant, Placement target) {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("move_id", id.toString());
        details.put("from_tier", tenant.tier());
        details.put("to_tier", target.tier());
        try {
            TenantRelocation.Moved moved = relocation.relocate(tenant.id(), Tenant.SCHEMA.equals(target.tier()),
                    copied -> moves.progress(id, copied));
            tenants.placed(tenant.id(), target);
            moves.finished(id, moved.total(), moved.rows(), moved.blockedMillis(), moved.sourceSchema(),
                    Instant.now().plus(keepSource));
            details.put("rows", moved.total());
            details.put("write_blocked_ms", moved.blockedMillis());
            record(tenant, "tenant.moved", true, details);
        }
        catch (RuntimeException e) {
            log.warn("Moving tenant {} to the {} tier failed", tenant.id(), target.tier(), e);
            moves.failed(id, String.valueOf(e.getMessage()));
            details.put("error", String.valueOf(e.getMessage()));
            record(tenant, "tenant.move_failed", false, details);
        }
    }

    private void record(Tenant tenant, String action, boolean success, Map<String, Object> details) {
        audit.appendSeparately(new AuditRecord(AuditRecord.PLATFORM, Instant.now(), new Actor.SystemActor("placement"),
                action, "tenant", tenant.id().toString(), success, null, null, null, null, details));
    }

    /** Drops the sources moves have kept long enough, on one instance at a time. */
    @Scheduled(fixedDelayString = "${canopy.placement.health-check-every}")
    void dropKeptSources() {
        locks.runAlone(CLEANUP_LOCK, () -> {
            for (TenantMoves.Move move : moves.sourcesDue()) {
                relocation.dropSource(move.tenantId(), move.sourceSchema());
                moves.sourceDropped(move.id());
            }
        });
    }

    @PreDestroy
    void stop() {
        runner.shutdownNow();
    }
}
