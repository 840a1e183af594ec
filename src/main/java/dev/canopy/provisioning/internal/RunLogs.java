package dev.canopy.provisioning.internal;

import java.sql.Timestamp;
import java.util.List;
import java.util.UUID;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** SQL for {@code run_logs}: lines appended in batches, read in pages by sequence number. */
@Repository
class RunLogs {

    private final JdbcClient jdbc;
    private final JdbcTemplate batch;

    RunLogs(JdbcClient jdbc, JdbcTemplate batch) {
        this.jdbc = jdbc;
        this.batch = batch;
    }

    void append(UUID tenantId, UUID runId, List<LogLine> lines) {
        batch.batchUpdate("""
                insert into run_logs (tenant_id, run_id, seq, at, stream, level, text) values (?, ?, ?, ?, ?, ?, ?)
                """, lines, 1000, (ps, line) -> {
            ps.setObject(1, tenantId);
            ps.setObject(2, runId);
            ps.setLong(3, line.seq());
            ps.setTimestamp(4, Timestamp.from(line.at()));
            ps.setString(5, line.stream());
            ps.setString(6, line.level());
            ps.setString(7, line.text());
        });
    }

    List<LogLine> after(UUID tenantId, UUID runId, long after, int limit) {
        return jdbc.sql("""
                select seq, at, stream, level, text from run_logs
                 where tenant_id = ? and run_id = ? and seq > ? order by seq limit ?
                """).params(tenantId, runId, after, limit).query((rs, n) -> new LogLine(rs.getLong(1),
                        rs.getTimestamp(2).toInstant(), rs.getString(3), rs.getString(4), rs.getString(5))).list();
    }

    long lastSeq(UUID tenantId, UUID runId) {
        return jdbc.sql("select coalesce(max(seq), 0) from run_logs where tenant_id = ? and run_id = ?")
                .params(tenantId, runId).query(Long.class).single();
    }
}
