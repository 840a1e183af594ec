package dev.canopy.identity.internal;

import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import dev.canopy.access.MemberCard;
import dev.canopy.platform.db.ChangeBroadcast;
import dev.canopy.platform.db.TenantTransactions;

/**
 * SQL for memberships, which are tenant data under row-level security: every method runs inside a
 * {@code TenantTransactions} scope and sees only what that scope allows.
 */
@Repository
public class Memberships {

    private static final RowMapper<Membership> MEMBERSHIP = (rs, n) -> new Membership(rs.getObject("tenant_id",
            UUID.class), rs.getObject("user_id", UUID.class), roles(rs), rs.getBoolean("is_primary"),
            rs.getTimestamp("created_at").toInstant());

    private static final RowMapper<Member> MEMBER = (rs, n) -> new Member(rs.getObject("id", UUID.class),
            rs.getString("email"), rs.getString("full_name"), rs.getBoolean("is_active"), roles(rs),
            rs.getBoolean("is_primary"), rs.getTimestamp("created_at").toInstant(),
            rs.getTimestamp("joined_at").toInstant(), rs.getLong("version"));

    private static final RowMapper<MemberCard> CARD = (rs, n) -> new MemberCard(rs.getObject("id", UUID.class),
            rs.getString("email"), rs.getString("full_name"));

    private static final String MEMBER_SELECT = """
            select u.id, u.email, u.full_name, u.is_active, u.created_at, u.version,
                   m.roles, m.is_primary, m.created_at as joined_at
              from memberships m
              join platform.users u on u.id = m.user_id
            """;

    private static final Comparator<Membership> PRIMARY_THEN_OLDEST = Comparator.comparing(Membership::primary)
            .reversed().thenComparing(Membership::createdAt);

    private final JdbcClient jdbc;
    private final ChangeBroadcast changes;
    private final TenantTransactions scopes;

    Memberships(JdbcClient jdbc, ChangeBroadcast changes, TenantTransactions scopes) {
        this.jdbc = jdbc;
        this.changes = changes;
        this.scopes = scopes;
    }

    /** The user's memberships in every tenant, whichever schema it lives in; needs the user scope. */
    public List<Membership> ofUser(UUID userId) {
        return scopes.inEachSchemaOf(userId, () -> jdbc.sql("select * from memberships where user_id = ?")
                .param(userId)
                .query(MEMBERSHIP)
                .list()).stream().distinct().sorted(PRIMARY_THEN_OLDEST).toList();
    }

    public Optional<Membership> find(UUID tenantId, UUID userId) {
        return jdbc.sql("select * from memberships where tenant_id = ? and user_id = ?")
                .params(tenantId, userId)
                .query(MEMBERSHIP)
                .optional();
    }

    public Optional<Member> findMember(UUID tenantId, UUID userId) {
        return jdbc.sql(MEMBER_SELECT + " where m.tenant_id = ? and m.user_id = ?")
                .params(tenantId, userId)
                .query(MEMBER)
                .optional();
    }

    /** Members of the tenant in id order, after the cursor, optionally matching text and holding a role. */
    public List<Member> members(UUID tenantId, @Nullable String search, @Nullable String role, @Nullable UUID after,
            int limit) {
        return jdbc.sql(MEMBER_SELECT + """
                 where m.tenant_id = :tenant
                   and (cast(:after as uuid) is null or u.id > :after)
                   and (cast(:role as text) is null or :role = any (m.roles))
                   and (cast(:search as text) is null
                        or u.email ilike '%' || :search || '%' or u.full_name ilike '%' || :search || '%')
                 order by u.id
                 limit :limit
                """)
                .param("tenant", tenantId)
                .param("after", after)
                .param("role", role)
                .param("search", search == null ? null : escapeLike(search))
                .param("limit", limit)
                .query(MEMBER)
                .list();
    }

    /** Name and email of the members among the given users (tenant scope). */
    public List<MemberCard> cards(UUID tenantId, Collection<UUID> userIds) {
        if (userIds.isEmpty()) {
            return List.of();
        }
        return jdbc.sql("""
                select u.id, u.email, u.full_name
                  from memberships m
                  join platform.users u on u.id = m.user_id
                 where m.tenant_id = ? and m.user_id = any (?)
                 order by lower(u.full_name), u.id
                """)
                .params(tenantId, userIds.toArray(UUID[]::new)).query(CARD).list();
    }

    /** The member with this email, compared case-insensitively (tenant scope). */
    public Optional<MemberCard> cardByEmail(UUID tenantId, String email) {
        return jdbc.sql("""
                select u.id, u.email, u.full_name
                  from memberships m
                  join platform.users u on u.id = m.user_id
                 where m.tenant_id = ? and lower(u.email) = lower(?)
                """)
                .params(tenantId, email).query(CARD).optional();
    }

    /** The first members by name (tenant scope), for pickers. */
    public List<MemberCard> cards(UUID tenantId, int limit) {
        return jdbc.sql("""
                select u.id, u.email, u.full_name
                  from memberships m
                  join platform.users u on u.id = m.user_id
                 where m.tenant_id = ?
                 order by lower(u.full_name), u.id
                 limit ?
                """)
                .params(tenantId, limit).query(CARD).list();
    }

    public void insert(UUID tenantId, UUID userId, List<String> roles, boolean primary) {
        jdbc.sql("""
                insert into memberships (tenant_id, user_id, roles, is_primary)
                values (:tenant, :user, :roles, :primary)
                """)
                .param("tenant", tenantId)
                .param("user", userId)
                .param("roles", roles.toArray(String[]::new))
                .param("primary", primary)
                .update();
        changes.publish("membership", tenantId + ":" + userId);
    }

    /** How many members the tenant has; call within the tenant's scope. */
    public long count(UUID tenantId) {
        return jdbc.sql("select count(*) from memberships where tenant_id = ?").param(tenantId)
                .query(Long.class).single();
    }

    public int countWithRole(UUID tenantId, String role) {
        return jdbc.sql("select count(*) from memberships where tenant_id = ? and ? = any (roles)")
                .params(tenantId, role)
                .query(Integer.class)
                .single();
    }

    public void updateRoles(UUID tenantId, UUID userId, List<String> roles) {
        jdbc.sql("update memberships set roles = :roles where tenant_id = :tenant and user_id = :user")
                .param("roles", roles.toArray(String[]::new))
                .param("tenant", tenantId)
                .param("user", userId)
                .update();
        changes.publish("membership", tenantId + ":" + userId);
    }

    public boolean delete(UUID tenantId, UUID userId) {
        boolean deleted = jdbc.sql("delete from memberships where tenant_id = ? and user_id = ?")
                .params(tenantId, userId)
                .update() == 1;
        changes.publish("membership", tenantId + ":" + userId);
        return deleted;
    }

    /** Moves the user's primary flag to the given tenant; needs the user scope. */
    public void makePrimary(UUID userId, UUID tenantId) {
        // first every schema's unset, then the one set: the one-primary index is checked row by row, within a schema
        scopes.inEachSchemaOf(userId, () -> {
            jdbc.sql("update memberships set is_primary = false where user_id = ? and is_primary and tenant_id <> ?")
                    .params(userId, tenantId)
                    .update();
            return List.of();
        });
        scopes.inEachSchemaOf(userId, () -> {
            jdbc.sql("update memberships set is_primary = true where user_id = ? and tenant_id = ?")
                    .params(userId, tenantId)
                    .update();
            return List.of();
        });
    }

    private static List<String> roles(ResultSet rs) throws SQLException {
        Array array = rs.getArray("roles");
        return Arrays.asList((String[]) array.getArray());
    }

    private static String escapeLike(String text) {
        return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
    }
}
