package dev.canopy.provisioning.internal;

import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** SQL for {@code environments}. */
@Repository
class Environments {

    private static final String COLUMNS = """
            tenant_id, id, name, description, cloud_account_id, business_unit_id, required_approvals, approver_roles,
            allow_self_approval, extract(epoch from approval_timeout)::bigint as approval_timeout_s,
            extract(epoch from ttl_default)::bigint as ttl_default_s, extract(epoch from ttl_max)::bigint as ttl_max_s,
            required_tags, extract(epoch from drift_check)::bigint as drift_check_s, created_at, updated_at, version
            """;

    static final RowMapper<Environment> ROW = (rs, n) -> new Environment(rs.getObject("tenant_id", UUID.class),
            rs.getObject("id", UUID.class), rs.getString("name"), rs.getString("description"),
            rs.getObject("cloud_account_id", UUID.class), rs.getObject("business_unit_id", UUID.class),
            new Protection(rs.getInt("required_approvals"), strings(rs.getArray("approver_roles")),
                    rs.getBoolean("allow_self_approval"), Duration.ofSeconds(rs.getLong("approval_timeout_s")),
                    seconds(rs, "ttl_default_s"), seconds(rs, "ttl_max_s"), strings(rs.getArray("required_tags"))),
            seconds(rs, "drift_check_s"), rs.getTimestamp("created_at").toInstant(), rs.getTimestamp("updated_at").toInstant(),
            rs.getLong("version"));

    private final JdbcClient jdbc;

    Environments(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** The tenant-wide environments and, when a business unit is given, that unit's, by name. */
    List<Environment> list(UUID tenantId, @Nullable UUID businessUnitId) {
        return jdbc.sql("select " + COLUMNS + """
                  from environments
                 where tenant_id = :tenant and (business_unit_id is null or business_unit_id = cast(:unit as uuid))
                 order by name
                """).param("tenant", tenantId).param("unit", businessUnitId).query(ROW).list();
    }

    Optional<Environment> find(UUID tenantId, UUID id) {
        return jdbc.sql("select " + COLUMNS + " from environments where tenant_id = ? and id = ?")
                .params(tenantId, id).query(ROW).optional();
    }

    void insert(Environment e) {
        Protection p = e.protection();
        jdbc.sql("""
                insert into environments (tenant_id, id, name, description, cloud_account_id, business_unit_id,
                       required_approvals, approver_roles, allow_self_approval, approval_timeout, ttl_default, ttl_max,
                       required_tags, drift_check)
                values (:tenant, :id, :name, :description, :account, :unit, :approvals, :roles, :self,
                        cast(:timeout as interval), cast(:ttl_default as interval), cast(:ttl_max as interval), :tags,
                        cast(:drift as interval))
                """)
                .param("tenant", e.tenantId()).param("id", e.id()).param("name", e.name())
                .param("description", e.description()).param("account", e.cloudAccountId())
                .param("unit", e.businessUnitId()).param("approvals", p.requiredApprovals())
                .param("roles", p.approverRoles().toArray(String[]::new)).param("self", p.allowSelfApproval())
                .param("timeout", p.approvalTimeout().toString()).param("ttl_default", text(p.ttlDefault()))
                .param("ttl_max", text(p.ttlMax())).param("tags", p.requiredTags().toArray(String[]::new))
                .param("drift", text(e.driftCheck()))
                .update();
    }

    /** Writes the environment if it is still at {@code version}; false when someone changed it meanwhile. */
    boolean update(Environment e, long version) {
        Protection p = e.protection();
        return jdbc.sql("""
                update environments
                   set name = :name, description = :description, cloud_account_id = :account,
                       required_approvals = :approvals, approver_roles = :roles, allow_self_approval = :self,
                       approval_timeout = cast(:timeout as interval), ttl_default = cast(:ttl_default as interval),
                       ttl_max = cast(:ttl_max as interval), required_tags = :tags,
                       drift_check = cast(:drift as interval), updated_at = now(),
                       version = version + 1
                 where tenant_id = :tenant and id = :id and version = :version
                """)
                .param("tenant", e.tenantId()).param("id", e.id()).param("name", e.name())
                .param("description", e.description()).param("account", e.cloudAccountId())
                .param("approvals", p.requiredApprovals())
                .param("roles", p.approverRoles().toArray(String[]::new)).param("self", p.allowSelfApproval())
                .param("timeout", p.approvalTimeout().toString()).param("ttl_default", text(p.ttlDefault()))
                .param("ttl_max", text(p.ttlMax())).param("tags", p.requiredTags().toArray(String[]::new))
                .param("drift", text(e.driftCheck())).param("version", version)
                .update() == 1;
    }

    boolean delete(UUID tenantId, UUID id) {
        return jdbc.sql("delete from environments where tenant_id = ? and id = ?").params(tenantId, id)
                .update() == 1;
    }

    boolean hasDeployments(UUID tenantId, UUID id) {
        return jdbc.sql("select exists (select 1 from deployments where tenant_id = ? and environment_id = ?)")
                .params(tenantId, id).query(Boolean.class).single();
    }

    private static @Nullable String text(@Nullable Duration d) {
        return d == null ? null : d.toString();
    }

    private static @Nullable Duration seconds(ResultSet rs, String column) throws SQLException {
        long value = rs.getLong(column);
        return rs.wasNull() ? null : Duration.ofSeconds(value);
    }

    static List<String> strings(@Nullable Array array) throws SQLException {
        return array == null ? List.of() : Arrays.asList((String[]) array.getArray());
    }
}
