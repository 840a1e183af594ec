package dev.canopy.access.internal;

import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** SQL for groups, their members and their roles (tenant data; run inside a tenant scope). */
@Repository
public class Groups {

    private static final RowMapper<Group> GROUP = (rs, n) -> new Group(rs.getObject("id", UUID.class),
            rs.getString("name"), rs.getString("description"), rs.getObject("business_unit_id", UUID.class),
            rs.getTimestamp("created_at").toInstant(),
            rs.getTimestamp("updated_at").toInstant(), rs.getLong("version"));

    /** A role a user holds through a group. */
    public record HeldRole(UUID groupId, String groupName, @Nullable UUID businessUnitId, String roleKey) {
    }

    private final JdbcClient jdbc;

    Groups(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    public List<Group> list(UUID tenantId, @Nullable UUID after, int limit) {
        return jdbc.sql("""
                select * from groups
                 where tenant_id = :tenant and (cast(:after as uuid) is null or id > :after)
                 order by id
                 limit :limit
                """)
                .param("tenant", tenantId).param("after", after).param("limit", limit)
                .query(GROUP).list();
    }

    /** How many the tenant has (tenant scope). */
    public long count(UUID tenantId) {
        return jdbc.sql("select count(*) from groups where tenant_id = ?").param(tenantId).query(Long.class).single();
    }

    /** The groups scoped to a business unit, by name (tenant scope). */
    public List<Group> ofUnit(UUID tenantId, UUID businessUnitId) {
        return jdbc.sql("select * from groups where tenant_id = ? and business_unit_id = ? order by lower(name), id")
                .params(tenantId, businessUnitId).query(GROUP).list();
    }

    public Optional<Group> find(UUID tenantId, UUID id) {
        return jdbc.sql("select * from groups where tenant_id = ? and id = ?").params(tenantId, id)
                .query(GROUP).optional();
    }

    public void insert(UUID tenantId, UUID id, String name, String description, @Nullable UUID businessUnitId) {
        jdbc.sql("insert into groups (tenant_id, id, name, description, business_unit_id) values (?, ?, ?, ?, ?)")
                .params(tenantId, id, name, description, businessUnitId).update();
    }

    public boolean update(UUID tenantId, UUID id, long version, @Nullable String name, @Nullable String description) {
        return jdbc.sql("""
                update groups
                   set name = coalesce(:name, name), description = coalesce(:description, description),
                       updated_at = now(), version = version + 1
                 where tenant_id = :tenant and id = :id and version = :version
                """)
                .param("name", name).param("description", description)
                .param("tenant", tenantId).param("id", id).param("version", version)
                .update() == 1;
    }

    public boolean delete(UUID tenantId, UUID id) {
        return jdbc.sql("delete from groups where tenant_id = ? and id = ?").params(tenantId, id).update() == 1;
    }

    public List<UUID> members(UUID tenantId, UUID groupId) {
        return jdbc.sql("select user_id from group_members where tenant_id = ? and group_id = ? order by user_id")
                .params(tenantId, groupId).query(UUID.class).list();
    }

    public List<String> roles(UUID tenantId, UUID groupId) {
        return jdbc.sql("select role_key from group_roles where tenant_id = ? and group_id = ? order by added_at, role_key")
                .params(tenantId, groupId).query(String.class).list();
    }

    public boolean addMember(UUID tenantId, UUID groupId, UUID userId) {
        return jdbc.sql("""
                insert into group_members (tenant_id, group_id, user_id) values (?, ?, ?)
                on conflict do nothing
                """).params(tenantId, groupId, userId).update() == 1;
    }

    public boolean removeMember(UUID tenantId, UUID groupId, UUID userId) {
        return jdbc.sql("delete from group_members where tenant_id = ? and group_id = ? and user_id = ?")
                .params(tenantId, groupId, userId).update() == 1;
    }

    public boolean addRole(UUID tenantId, UUID groupId, String roleKey) {
        return jdbc.sql("""
                insert into group_roles (tenant_id, group_id, role_key) values (?, ?, ?)
                on conflict do nothing
                """).params(tenantId, groupId, roleKey).update() == 1;
    }

    public boolean removeRole(UUID tenantId, UUID groupId, String roleKey) {
        return jdbc.sql("delete from group_roles where tenant_id = ? and group_id = ? and role_key = ?")
                .params(tenantId, groupId, roleKey).update() == 1;
    }

    /** Takes a deleted role out of every group. */
    public void removeRoleEverywhere(UUID tenantId, String roleKey) {
        jdbc.sql("delete from group_roles where tenant_id = ? and role_key = ?").params(tenantId, roleKey)
                .update();
    }

    /**
     * The roles a user holds through the groups they belong to: tenant-wide groups, plus the groups of the
     * business unit when one is given.
     */
    public List<HeldRole> rolesHeldBy(UUID tenantId, UUID userId, @Nullable UUID businessUnitId) {
        return jdbc.sql("""
                select g.id, g.name, g.business_unit_id, r.role_key
                  from group_members m
                  join groups g on g.tenant_id = m.tenant_id and g.id = m.group_id
                  join group_roles r on r.tenant_id = m.tenant_id and r.group_id = m.group_id
                 where m.tenant_id = :tenant and m.user_id = :user
                   and (g.business_unit_id is null or g.business_unit_id = cast(:unit as uuid))
                 order by g.id, r.role_key
                """)
                .param("tenant", tenantId).param("user", userId).param("unit", businessUnitId)
                .query((rs, n) -> new HeldRole(rs.getObject(1, UUID.class), rs.getString(2),
                        rs.getObject(3, UUID.class), rs.getString(4)))
                .list();
    }
}
