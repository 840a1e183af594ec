package dev.canopy.audit;

import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;

import dev.canopy.platform.db.TenantTransactions;

/** How busy a tenant's audit log has been: events per day, for the console's dashboard chart. */
@Service
public class AuditActivity {

    private final JdbcClient jdbc;
    private final TenantTransactions scopes;

    AuditActivity(JdbcClient jdbc, TenantTransactions scopes) {
        this.jdbc = jdbc;
        this.scopes = scopes;
    }

    /** Events recorded on one UTC day. */
    public record Day(LocalDate date, long events) {
    }

    /** The last {@code days} UTC days up to today, oldest first, days without events included as zero. */
    public List<Day> lastDays(UUID tenantId, int days, LocalDate today) {
        LocalDate first = today.minusDays(days - 1L);
        Map<LocalDate, Long> counts = new HashMap<>();
        scopes.inTenant(tenantId, () -> {
            // the (tenant_id, occurred_at) index serves the range; grouping happens on at most 30 days of rows
            jdbc.sql("""
                    select (occurred_at at time zone 'UTC')::date as day, count(*) as events
                    from audit_events
                    where tenant_id = :tenant and occurred_at >= :from
                    group by 1
                    """)
                    .param("tenant", tenantId)
                    .param("from", first.atStartOfDay().atOffset(ZoneOffset.UTC))
                    .query((rs, n) -> Map.entry(rs.getObject("day", LocalDate.class), rs.getLong("events")))
                    .list()
                    .forEach(e -> counts.put(e.getKey(), e.getValue()));
            return null;
        });
        var result = new ArrayList<Day>(days);
        for (LocalDate d = first; !d.isAfter(today); d = d.plusDays(1)) {
            result.add(new Day(d, counts.getOrDefault(d, 0L)));
        }
        return result;
    }
}
