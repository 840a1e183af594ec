package dev.canopy.access.internal;

import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** SQL for custom roles (tenant data under row-level security; run inside a tenant scope). */
@Repository
public class CustomRoles {

    private static final RowMapper<CustomRole> ROLE = (rs, n) -> new CustomRole(rs.getObject("id", UUID.class),
            rs.getString("name"), rs.getString("description"), strings(rs, "permissions"),
            rs.getTimestamp("created_at").toInstant(), rs.getTimestamp("updated_at").toInstant(),
            rs.getLong("version"));

    private final JdbcClient jdbc;

    CustomRoles(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    public List<CustomRole> list(UUID tenantId, @Nullable UUID after, int limit) {
        return jdbc.sql("""
                select * from roles
                 where tenant_id = :tenant and (cast(:after as uuid) is null or id > :after)
                 order by id
                 limit :limit
                """)
                .param("tenant", tenantId).param("after", after).param("limit", limit)
                .query(ROLE).list();
    }

    /** The tenant's custom roles by name, at most {@code limit}, for forms that offer them. */
    public List<CustomRole> byName(UUID tenantId, int limit) {
        return jdbc.sql("select * from roles where tenant_id = ? order by lower(name), id limit ?")
                .params(tenantId, limit).query(ROLE).list();
    }

    /** How many the tenant has (tenant scope). */
    public long count(UUID tenantId) {
        return jdbc.sql("select count(*) from roles where tenant_id = ?").param(tenantId).query(Long.class).single();
    }

    public Optional<CustomRole> find(UUID tenantId, UUID id) {
        return jdbc.sql("select * from roles where tenant_id = ? and id = ?").params(tenantId, id)
                .query(ROLE).optional();
    }

    public List<CustomRole> findAll(UUID tenantId, Collection<UUID> ids) {
        if (ids.isEmpty()) {
            return List.of();
        }
        return jdbc.sql("select * from roles where tenant_id = ? and id = any (?)")
                .params(tenantId, ids.toArray(UUID[]::new)).query(ROLE).list();
    }

    public void insert(UUID tenantId, UUID id, String name, String description, List<String> permissions) {
        jdbc.sql("""
                insert into roles (tenant_id, id, name, description, permissions)
                values (:tenant, :id, :name, :description, :permissions)
                """)
                .param("tenant", tenantId).param("id", id).param("name", name).param("description", description)
                .param("permissions", permissions.toArray(String[]::new))
                .update();
    }

    /** Applies the changes if the version still matches; false when someone changed the role meanwhile. */
    public boolean update(UUID tenantId, UUID id, long version, @Nullable String name, @Nullable String description,
            @Nullable List<String> permissions) {
        return jdbc.sql("""
                update roles
                   set name = coalesce(:name, name),
                       description = coalesce(:description, description),
                       permissions = coalesce(:permissions, permissions),
                       updated_at = now(), version = version + 1
                 where tenant_id = :tenant and id = :id and version = :version
                """)
                .param("name", name).param("description", description)
                .param("permissions", permissions == null ? null : permissions.toArray(String[]::new))
                .param("tenant", tenantId).param("id", id).param("version", version)
                .update() == 1;
    }

    public boolean delete(UUID tenantId, UUID id) {
        return jdbc.sql("delete from roles where tenant_id = ? and id = ?").params(tenantId, id).update() == 1;
    }

    static List<String> strings(ResultSet rs, String column) throws SQLException {
        Array array = rs.getArray(column);
        return array == null ? List.of() : Arrays.asList((String[]) array.getArray());
    }
}
