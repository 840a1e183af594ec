package dev.canopy.audit.internal;

import java.util.List;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.BindParam;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.StreamingResponseBody;

import dev.canopy.access.Permissions;
import dev.canopy.audit.AuditRecord;
import dev.canopy.audit.AuditTrail;
import dev.canopy.platform.web.Audited;
import dev.canopy.platform.db.TenantTransactions;
import dev.canopy.platform.security.CanopyPrincipal;
import dev.canopy.platform.web.ApiException;
import dev.canopy.platform.web.Page;
import dev.canopy.platform.web.PageRequest;

/**
 * {@code /api/v1/audit-events}: search, export and verify the current tenant's audit chain (permission
 * {@code audit:read}), or with {@code scope=platform} the platform's own chain (platform administrators).
 */
@RestController
@RequestMapping("/api/v1/audit-events")
class AuditEventsController {

    private static final List<String> SCOPES = List.of("tenant", "platform");

    private final AuditEvents events;
    private final ChainVerifier verifier;
    private final TenantTransactions scopes;
    private final AuditTrail audit;
    private final AuditDownloads downloads;

    AuditEventsController(AuditEvents events, ChainVerifier verifier, TenantTransactions scopes, AuditTrail audit,
            AuditDownloads downloads) {
        this.events = events;
        this.verifier = verifier;
        this.scopes = scopes;
        this.audit = audit;
        this.downloads = downloads;
    }

    /** The query parameters that choose events, shared by the list and the export. */
    record Filters(@Nullable String scope, @BindParam("user_id") @Nullable String userId, @Nullable String action,
            @BindParam("resource_type") @Nullable String resourceType,
            @BindParam("resource_id") @Nullable String resourceId, @Nullable String status, @Nullable String from,
            @Nullable String to, @BindParam("request_id") @Nullable String requestId, @Nullable String search) {

        AuditFilter parse(AuditFilter.Parser parser) {
            return parser.filter(userId, action, resourceType, resourceId, status, from, to, requestId, search);
        }
    }

    /** Matching events, newest first; {@code from} is inclusive, {@code to} exclusive, {@code action} a prefix. */
    @GetMapping
    Page<EventView> list(@AuthenticationPrincipal CanopyPrincipal principal,
            Filters filters,
            @RequestParam(required = false) @Nullable String limit,
            @RequestParam(required = false) @Nullable String cursor) {
        UUID chain = chain(principal, filters.scope());
        var parser = new AuditFilter.Parser();
        AuditFilter filter = filters.parse(parser);
        int size = parser.limit(limit, PageRequest.DEFAULT_LIMIT, PageRequest.MAX_LIMIT);
        Long before = parser.cursor(cursor);
        parser.check();
        List<ChainedEvent> rows = scopes.inTenant(chain, () -> events.page(chain, filter, before, size + 1));
        if (rows.size() <= size) {
            return new Page<>(rows.stream().map(EventView::of).toList(), null);
        }
        List<ChainedEvent> items = rows.subList(0, size);
        return new Page<>(items.stream().map(EventView::of).toList(), SeqCursor.encode(items.getLast().seq()));
    }

    /**
     * Every matching event in chain order (oldest first), streamed: rows are read {@value AuditEvents#FETCH_SIZE}
     * at a time and written as they come, so memory stays flat whatever the size of the log.
     */
    @GetMapping("/export")
    ResponseEntity<StreamingResponseBody> export(@AuthenticationPrincipal CanopyPrincipal principal,
            @RequestParam(required = false) @Nullable String format, Filters filters) {
        UUID chain = chain(principal, filters.scope());
        var parser = new AuditFilter.Parser();
        String formatName = parser.required("format", format, List.of("csv", "ndjson"));
        AuditFilter filter = filters.parse(parser);
        parser.check();
        return downloads.of(chain, "csv".equals(formatName) ? EventFormat.CSV : EventFormat.NDJSON, filter);
    }

    /** Verifies the whole chain: {@code {valid, checked, first_broken_id}}. */
    @Audited(action = "audit.verified", resource = "audit_chain")
    @PostMapping("/verify")
    ChainVerifier.Verification verify(@AuthenticationPrincipal CanopyPrincipal principal,
            @RequestParam(required = false) @Nullable String scope) {
        UUID chain = chain(principal, scope);
        audit.resource("audit_chain", chain.toString());
        ChainVerifier.Verification result = verifier.verify(chain);
        audit.detail("valid", result.valid());
        audit.detail("checked", result.checked());
        audit.detail("first_broken_id", result.firstBrokenId() == null ? null : result.firstBrokenId().toString());
        return result;
    }

    /** The chain the request reads: the current tenant's, or the platform's for its administrators. */
    private static UUID chain(CanopyPrincipal principal, @Nullable String scope) {
        var parser = new AuditFilter.Parser();
        String chosen = parser.choice("scope", scope, SCOPES);
        parser.check();
        if ("platform".equals(chosen)) {
            if (!principal.can(Permissions.PLATFORM_TENANTS_MANAGE)) {
                throw ApiException.forbidden("Only platform administrators may read the platform's audit log.");
            }
            return AuditRecord.PLATFORM;
        }
        principal.require(Permissions.AUDIT_READ);
        return principal.tenantId();
    }
}
