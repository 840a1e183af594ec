package dev.canopy.identity.console;

import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;

import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;

import dev.canopy.access.Permissions;
import dev.canopy.audit.AuditActivity;
import dev.canopy.platform.console.ConsoleController;
import dev.canopy.platform.console.DashboardCount;
import dev.canopy.platform.security.CanopyPrincipal;

/** The first page: the current tenant's counts and, for those who may read the audit log, its last 30 days. */
@ConsoleController
class DashboardPage {

    static final String VIEW = "console/dashboard";
    static final int CHART_DAYS = 30;

    private final List<DashboardCount> counts;
    private final AuditActivity activity;

    DashboardPage(List<DashboardCount> counts, AuditActivity activity) {
        this.counts = counts;
        this.activity = activity;
    }

    /** The chart's data, as the canvas's {@code data-chart} attribute carries it. */
    record Chart(String json, long total) {
    }

    @GetMapping("/")
    String dashboard(@AuthenticationPrincipal CanopyPrincipal principal, Model model) {
        model.addAttribute("tiles", counts.stream()
                .flatMap(count -> count.counts(principal).stream())
                .sorted(Comparator.comparingInt(DashboardCount.Tile::order))
                .toList());
        if (principal.can(Permissions.AUDIT_READ)) {
            var days = activity.lastDays(principal.tenantId(), CHART_DAYS, LocalDate.now(ZoneOffset.UTC));
            var label = DateTimeFormatter.ofPattern("MMM d");
            String json = "{\"label\":\"Audit events\",\"labels\":["
                    + days.stream().map(d -> "\"" + label.format(d.date()) + "\"").collect(Collectors.joining(","))
                    + "],\"values\":["
                    + days.stream().map(d -> Long.toString(d.events())).collect(Collectors.joining(",")) + "]}";
            model.addAttribute("chart", new Chart(json, days.stream().mapToLong(AuditActivity.Day::events).sum()));
            model.addAttribute("days", days);
        }
        return VIEW;
    }
}
