package dev.canopy.audit.internal;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.context.annotation.Bean;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.method.annotation.StreamingResponseBody;

import dev.canopy.access.Permissions;
import dev.canopy.audit.AuditTrail;
import dev.canopy.platform.web.Audited;
import dev.canopy.platform.console.ConsoleController;
import dev.canopy.platform.console.FormErrors;
import dev.canopy.platform.console.NavItem;
import dev.canopy.platform.db.TenantTransactions;
import dev.canopy.platform.security.CanopyPrincipal;
import dev.canopy.platform.web.ApiException;
import jakarta.servlet.http.HttpServletResponse;
import tools.jackson.databind.json.JsonMapper;

/**
 * The console's audit log of the current tenant ({@code audit:read}): filters, each event's details, CSV or
 * NDJSON export of what the filters select, and verification of the chain. Same rules as the API.
 */
@ConsoleController
class AuditPages {

    static final String VIEW = "console/audit";
    private static final int PAGE_SIZE = 50;

    private final AuditEvents events;
    private final ChainVerifier verifier;
    private final TenantTransactions scopes;
    private final AuditTrail audit;
    private final JsonMapper json;
    private final AuditDownloads downloads;

    AuditPages(AuditEvents events, ChainVerifier verifier, TenantTransactions scopes, AuditTrail audit,
            JsonMapper json, AuditDownloads downloads) {
        this.events = events;
        this.verifier = verifier;
        this.scopes = scopes;
        this.audit = audit;
        this.json = json;
        this.downloads = downloads;
    }

    @Bean
    static NavItem auditNav() {
        return new NavItem("/audit", "Audit log", 60, principal -> principal.can(Permissions.AUDIT_READ));
    }

    /** The filter form's values as typed; {@code to} is a date shown inclusive, so one day is added for the query. */
    record Filters(@Nullable String action, @Nullable String status, @Nullable String from, @Nullable String to,
            @Nullable String search) {

        AuditFilter parse(AuditFilter.Parser parser) {
            return parser.filter(null, action, null, null, status, from, inclusiveEnd(to), null, search);
        }

        String query() {
            return "action=" + encode(action) + "&status=" + encode(status) + "&from=" + encode(from) + "&to="
                    + encode(to) + "&search=" + encode(search);
        }

        private static @Nullable String inclusiveEnd(@Nullable String to) {
            if (to == null || to.isBlank()) {
                return null;
            }
            try {
                return LocalDate.parse(to.trim()).plusDays(1).toString();
            }
            catch (DateTimeParseException notADate) {
                return to;
            }
        }

        private static String encode(@Nullable String value) {
            return value == null ? "" : URLEncoder.encode(value, StandardCharsets.UTF_8);
        }
    }

    /** One row: the event and its details pretty-printed for the detail view. */
    record Row(EventView event, String prettyDetails) {
    }

    @GetMapping("/audit")
    String list(@AuthenticationPrincipal CanopyPrincipal principal, Filters filters,
            @RequestParam(required = false) @Nullable String cursor, Model model, HttpServletResponse response) {
        principal.require(Permissions.AUDIT_READ);
        UUID chain = principal.tenantId();
        model.addAttribute("filters", filters);
        model.addAttribute("exportQuery", filters.query());
        try {
            var parser = new AuditFilter.Parser();
            AuditFilter filter = filters.parse(parser);
            Long before = parser.cursor(cursor);
            parser.check();
            List<ChainedEvent> rows = scopes.inTenant(chain, () -> events.page(chain, filter, before, PAGE_SIZE + 1));
            List<ChainedEvent> shown = rows.size() > PAGE_SIZE ? rows.subList(0, PAGE_SIZE) : rows;
            model.addAttribute("rows", shown.stream().map(EventView::of).map(this::row).toList());
            model.addAttribute("next", rows.size() > PAGE_SIZE ? SeqCursor.encode(shown.getLast().seq()) : null);
            model.addAttribute("errors", new FormErrors());
        }
        catch (ApiException e) {
            response.setStatus(e.status().value());
            model.addAttribute("rows", List.of());
            model.addAttribute("errors", FormErrors.of(e));
        }
        return VIEW;
    }

    @GetMapping("/audit/export")
    ResponseEntity<StreamingResponseBody> export(@AuthenticationPrincipal CanopyPrincipal principal,
            @RequestParam(required = false) @Nullable String format, Filters filters) {
        principal.require(Permissions.AUDIT_READ);
        UUID chain = principal.tenantId();
        var parser = new AuditFilter.Parser();
        String formatName = parser.required("format", format, List.of("csv", "ndjson"));
        AuditFilter filter = filters.parse(parser);
        parser.check();
        return downloads.of(chain, "csv".equals(formatName) ? EventFormat.CSV : EventFormat.NDJSON, filter);
    }

    @Audited(action = "audit.verified", resource = "audit_chain")
    @PostMapping("/audit/verify")
    String verify(@AuthenticationPrincipal CanopyPrincipal principal, Model model, HttpServletResponse response) {
        principal.require(Permissions.AUDIT_READ);
        UUID chain = principal.tenantId();
        audit.resource("audit_chain", chain.toString());
        ChainVerifier.Verification result = verifier.verify(chain);
        audit.detail("valid", result.valid());
        audit.detail("checked", result.checked());
        audit.detail("first_broken_id", result.firstBrokenId() == null ? null : result.firstBrokenId().toString());
        model.addAttribute("verification", result);
        return list(principal, new Filters(null, null, null, null, null), null, model, response);
    }

    private Row row(EventView event) {
        String details;
        try {
            details = json.writerWithDefaultPrettyPrinter().writeValueAsString(json.readTree(event.details()));
        }
        catch (RuntimeException e) {
            details = event.details();
        }
        return new Row(event, details);
    }
}
