package dev.canopy.tenancy.internal;

import java.net.URI;
import java.time.Instant;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
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
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Live moves of a tenant between tiers, for platform administrators: start one, follow its progress. */
@RestController
class TenantMovesController {

    private static final String MOVES = "/api/v1/admin/tenants/{id}/moves";
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final LiveMoves live;
    private final TenantMoves moves;
    private final AuditTrail audit;

    TenantMovesController(LiveMoves live, TenantMoves moves, AuditTrail audit) {
        this.live = live;
        this.moves = moves;
        this.audit = audit;
    }

    record MoveBody(
            @NotNull @Pattern(regexp = "pool|schema|database", message = "must be pool, schema or database") String tier,
            @Nullable @Size(max = 100) String region, @Nullable UUID serverId, @Nullable Boolean allowRegionChange) {
    }

    /** A move's progress; {@code tables} holds the rows per table once it is done. */
    record MoveView(UUID id, UUID tenantId, String fromTier, String toTier, String status, long rowsCopied,
            JsonNode tables, @Nullable Integer writeBlockedMs, @Nullable String error, Instant startedAt,
            @Nullable Instant finishedAt, @Nullable Instant keepSourceUntil, @Nullable Instant sourceDroppedAt) {

        static MoveView of(TenantMoves.Move m) {
            return new MoveView(m.id(), m.tenantId(), m.fromTier(), m.toTier(), m.status(), m.rowsCopied(),
                    JSON.readTree(m.tables()), m.writeBlockedMs(), m.error(), m.startedAt(), m.finishedAt(),
                    m.keepSourceUntil(), m.sourceDroppedAt());
        }
    }

    @Audited(action = "tenant.move_requested", resource = "tenant")
    @PostMapping("/api/v1/admin/tenants/{id}/move")
    ResponseEntity<MoveView> move(@AuthenticationPrincipal CanopyPrincipal principal, @PathVariable UUID id,
            @Valid @RequestBody MoveBody body) {
        principal.require(Permissions.PLATFORM_TENANTS_MANAGE);
        audit.resource("tenant", id.toString());
        audit.detail("tier", body.tier());
        audit.detail("region", body.region());
        audit.detail("allow_region_change", Boolean.TRUE.equals(body.allowRegionChange()));
        TenantMoves.Move move = live.start(id, new LiveMoves.MoveRequest(body.tier(), body.region(), body.serverId(),
                Boolean.TRUE.equals(body.allowRegionChange())), principal.userId());
        return ResponseEntity.accepted().location(URI.create(MOVES.replace("{id}", id.toString()) + "/" + move.id()))
                .body(MoveView.of(move));
    }

    @GetMapping(MOVES)
    Page<MoveView> list(@AuthenticationPrincipal CanopyPrincipal principal, @PathVariable UUID id) {
        principal.require(Permissions.PLATFORM_TENANTS_MANAGE);
        return new Page<>(moves.ofTenant(id).stream().map(MoveView::of).toList(), null);
    }

    @GetMapping(MOVES + "/{moveId}")
    MoveView get(@AuthenticationPrincipal CanopyPrincipal principal, @PathVariable UUID id,
            @PathVariable UUID moveId) {
        principal.require(Permissions.PLATFORM_TENANTS_MANAGE);
        return MoveView.of(moves.find(id, moveId)
                .orElseThrow(() -> ApiException.notFound("MOVE_NOT_FOUND", "No move " + moveId + " of this tenant.")));
    }
}
