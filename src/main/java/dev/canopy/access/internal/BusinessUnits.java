package dev.canopy.access.internal;

import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** SQL for business units, their members and sessions' active unit (tenant data; in a tenant scope). */
@Repository
public class BusinessUnits {

    private static final RowMapper<BusinessUnit> UNIT = (rs, n) -> new BusinessUnit(rs.getObject("id", UUID.class),
            rs.getString("code"), rs.getString("name"), rs.getObject("owner_id", UUID.class),
            rs.getTimestamp("created_at").toInstant(), rs.getTimestamp("updated_at").toInstant(),
            rs.getLong("version"));

    /** A member of a business unit and the role they hold there. */
    public record UnitMember(UUID userId, String roleKey) {
    }

    private final JdbcClient jdbc;

    BusinessUnits(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    public List<BusinessUnit> list(UUID tenantId, @Nullable UUID after, int limit) {
        return jdbc.sql("""
                select * from business_units
                 where tenant_id = :tenant and (cast(:after as uuid) is null or id > :after)
                 order by id limit :limit
                """).param("tenant", tenantId).param("after", after).param("limit", limit).query(UNIT).list();
    }

    public Optional<BusinessUnit> find(UUID tenantId, UUID id) {
        return jdbc.sql("select * from business_units where tenant_id = ? and id = ?").params(tenantId, id)
                .query(UNIT).optional();
    }

    public void insert(UUID tenantId, UUID id, String code, String name, @Nullable UUID ownerId) {
        jdbc.sql("insert into business_units (tenant_id, id, code, name, owner_id) values (?, ?, ?, ?, ?)")
                .params(tenantId, id, code, name, ownerId).update();
    }

    public boolean update(UUID tenantId, UUID id, long version, @Nullable String name, @Nullable UUID ownerId) {
        return jdbc.sql("""
                update business_units
                   set name = coalesce(:name, name), owner_id = coalesce(:owner, owner_id),
                       updated_at = now(), version = version + 1
                 where tenant_id = :tenant and id = :id and version = :version
                """).param("name", name).param("owner", ownerId).param("tenant", tenantId).param("id", id)
                .param("version", version).update() == 1;
    }

    public boolean delete(UUID tenantId, UUID id) {
        return jdbc.sql("delete from business_units where tenant_id = ? and id = ?").params(tenantId, id)
                .update() == 1;
    }

    public List<UnitMember> members(UUID tenantId, UUID unitId) {
        return jdbc.sql("""
                select user_id, role_key from business_unit_members
                 where tenant_id = ? and business_unit_id = ? order by user_id
                """).params(tenantId, unitId)
                .query((rs, n) -> new UnitMember(rs.getObject(1, UUID.class), rs.getString(2))).list();
    }

    public Optional<String> roleOf(UUID tenantId, UUID unitId, UUID userId) {
        return jdbc.sql("""
                select role_key from business_unit_members
                 where tenant_id = ? and business_unit_id = ? and user_id = ?
                """).params(tenantId, unitId, userId).query(String.class).optional();
    }

    /** Adds the member or changes their role. */
    public void putMember(UUID tenantId, UUID unitId, UUID userId, String roleKey) {
        jdbc.sql("""
                insert into business_unit_members (tenant_id, business_unit_id, user_id, role_key)
                values (?, ?, ?, ?)
                on conflict (tenant_id, business_unit_id, user_id) do update set role_key = excluded.role_key
                """).params(tenantId, unitId, userId, roleKey).update();
    }

    public boolean removeMember(UUID tenantId, UUID unitId, UUID userId) {
        return jdbc.sql("""
                delete from business_unit_members where tenant_id = ? and business_unit_id = ? and user_id = ?
                """).params(tenantId, unitId, userId).update() == 1;
    }

    /** Takes a deleted role away from every business unit member holding it. */
    public void removeRoleEverywhere(UUID tenantId, String roleKey) {
        jdbc.sql("delete from business_unit_members where tenant_id = ? and role_key = ?")
                .params(tenantId, roleKey).update();
    }

    public Optional<UUID> activeOf(UUID tenantId, UUID sessionId) {
        return jdbc.sql("select business_unit_id from session_business_units where tenant_id = ? and session_id = ?")
                .params(tenantId, sessionId).query(UUID.class).optional();
    }

    public void setActive(UUID tenantId, UUID sessionId, @Nullable UUID unitId) {
        jdbc.sql("delete from session_business_units where tenant_id = ? and session_id = ?")
                .params(tenantId, sessionId).update();
        if (unitId != null) {
            jdbc.sql("insert into session_business_units (tenant_id, session_id, business_unit_id) values (?, ?, ?)")
                    .params(tenantId, sessionId, unitId).update();
        }
    }
}
