package dev.canopy.catalog.internal;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** SQL for grants of locked templates and the access requests that lead to them (tenant data). */
@Repository
class TemplateAccess {

    private static final RowMapper<AccessRequest> REQUEST = (rs, n) -> new AccessRequest(
            rs.getObject("tenant_id", UUID.class), rs.getObject("id", UUID.class),
            rs.getObject("template_id", UUID.class), rs.getObject("requester_id", UUID.class),
            rs.getString("requester_email"), rs.getString("reason"), rs.getObject("business_unit_id", UUID.class),
            rs.getString("status"), rs.getObject("decided_by", UUID.class), instant(rs, "decided_at"),
            rs.getString("decision_comment"), instant(rs, "created_at"));

    private static final RowMapper<TemplateGrant> GRANT = (rs, n) -> new TemplateGrant(
            rs.getObject("template_id", UUID.class), rs.getObject("user_id", UUID.class),
            rs.getObject("granted_by", UUID.class), rs.getObject("request_id", UUID.class), instant(rs, "granted_at"));

    private final JdbcClient jdbc;

    TemplateAccess(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    boolean hasGrant(UUID tenantId, UUID templateId, UUID userId) {
        return jdbc.sql("""
                select exists (select 1 from template_grants where tenant_id = ? and template_id = ? and user_id = ?)
                """).params(tenantId, templateId, userId).query(Boolean.class).single();
    }

    void grant(UUID tenantId, UUID templateId, UUID userId, UUID by, @Nullable UUID requestId) {
        jdbc.sql("""
                insert into template_grants (tenant_id, template_id, user_id, granted_by, request_id)
                values (?, ?, ?, ?, ?) on conflict (tenant_id, template_id, user_id) do nothing
                """).params(tenantId, templateId, userId, by, requestId).update();
    }

    boolean revoke(UUID tenantId, UUID templateId, UUID userId) {
        boolean removed = jdbc.sql("delete from template_grants where tenant_id = ? and template_id = ? and user_id = ?")
                .params(tenantId, templateId, userId).update() == 1;
        jdbc.sql("""
                update template_access_requests set status = 'revoked'
                 where tenant_id = ? and template_id = ? and requester_id = ? and status = 'approved'
                """).params(tenantId, templateId, userId).update();
        return removed;
    }

    List<TemplateGrant> grants(UUID tenantId, UUID templateId) {
        return jdbc.sql("select * from template_grants where tenant_id = ? and template_id = ? order by granted_at")
                .params(tenantId, templateId).query(GRANT).list();
    }

    void insertRequest(AccessRequest r) {
        jdbc.sql("""
                insert into template_access_requests (tenant_id, id, template_id, requester_id, requester_email,
                       reason, business_unit_id)
                values (?, ?, ?, ?, ?, ?, ?)
                """).params(r.tenantId(), r.id(), r.templateId(), r.requesterId(), r.requesterEmail(), r.reason(),
                r.businessUnitId()).update();
    }

    Optional<AccessRequest> findRequest(UUID tenantId, UUID id) {
        return jdbc.sql("select * from template_access_requests where tenant_id = ? and id = ?")
                .params(tenantId, id).query(REQUEST).optional();
    }

    /**
     * Requests in id order (creation order) after the cursor, optionally of one status or template; with a
     * requester, only theirs and those made in the given business units.
     */
    List<AccessRequest> requests(UUID tenantId, @Nullable String status, @Nullable UUID templateId,
            @Nullable UUID requester, List<UUID> units, @Nullable UUID after, int limit) {
        return jdbc.sql("""
                select * from template_access_requests
                 where tenant_id = :tenant and (cast(:status as text) is null or status = :status)
                   and (cast(:template as uuid) is null or template_id = :template)
                   and (cast(:requester as uuid) is null or requester_id = :requester
                        or business_unit_id = any (:units))
                   and (cast(:after as uuid) is null or id > :after)
                 order by id limit :limit
                """).param("tenant", tenantId).param("status", status).param("template", templateId)
                .param("requester", requester).param("units", units.toArray(UUID[]::new))
                .param("after", after).param("limit", limit).query(REQUEST).list();
    }

    /** Decides a pending request; false when it was decided already (two approvers racing). */
    boolean decide(UUID tenantId, UUID id, String status, UUID by, @Nullable String comment) {
        return jdbc.sql("""
                update template_access_requests
                   set status = ?, decided_by = ?, decided_at = now(), decision_comment = ?
                 where tenant_id = ? and id = ? and status = 'pending'
                """).params(status, by, comment, tenantId, id).update() == 1;
    }

    private static @Nullable Instant instant(ResultSet rs, String column) throws SQLException {
        Timestamp value = rs.getTimestamp(column);
        return value == null ? null : value.toInstant();
    }
}
