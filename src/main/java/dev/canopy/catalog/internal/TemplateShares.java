package dev.canopy.catalog.internal;

import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** SQL for an MSP's shares of its templates (rows of the MSP tenant). */
@Repository
class TemplateShares {

    private static final RowMapper<TemplateShare> SHARE = (rs, n) -> new TemplateShare(rs.getObject("id", UUID.class),
            rs.getObject("template_id", UUID.class), rs.getObject("client_tenant_id", UUID.class),
            rs.getBoolean("all_clients"), rs.getObject("created_by", UUID.class),
            rs.getTimestamp("created_at").toInstant());

    private final JdbcClient jdbc;

    TemplateShares(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** Adds the share, or answers the existing one for the same target. */
    TemplateShare add(UUID tenantId, UUID id, UUID templateId, @Nullable UUID clientTenantId, UUID by) {
        jdbc.sql("""
                insert into template_shares (tenant_id, id, template_id, client_tenant_id, all_clients, created_by)
                values (?, ?, ?, ?, ?, ?) on conflict do nothing
                """).params(tenantId, id, templateId, clientTenantId, clientTenantId == null, by).update();
        return jdbc.sql("""
                select * from template_shares
                 where tenant_id = ? and template_id = ? and client_tenant_id is not distinct from ?
                """).params(tenantId, templateId, clientTenantId).query(SHARE).single();
    }

    List<TemplateShare> list(UUID tenantId, UUID templateId) {
        return jdbc.sql("select * from template_shares where tenant_id = ? and template_id = ? order by id")
                .params(tenantId, templateId).query(SHARE).list();
    }

    Optional<TemplateShare> find(UUID tenantId, UUID templateId, UUID id) {
        return jdbc.sql("select * from template_shares where tenant_id = ? and template_id = ? and id = ?")
                .params(tenantId, templateId, id).query(SHARE).optional();
    }

    boolean remove(UUID tenantId, UUID templateId, UUID id) {
        return jdbc.sql("delete from template_shares where tenant_id = ? and template_id = ? and id = ?")
                .params(tenantId, templateId, id).update() == 1;
    }
}
