package dev.canopy.identity.internal;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import dev.canopy.platform.db.ChangeBroadcast;

/**
 * SQL for API keys: {@code api_keys} is tenant data (call inside a tenant scope);
 * {@code platform.api_key_hashes} finds a key's tenant from the SHA-256 of its secret.
 */
@Repository
class ApiKeys {

    static final String TOPIC = "api_key";

    private static final RowMapper<ApiKey> KEY = (rs, n) -> new ApiKey(rs.getObject("tenant_id", UUID.class),
            rs.getObject("id", UUID.class), rs.getString("name"), rs.getString("prefix"),
            Arrays.asList((String[]) rs.getArray("roles").getArray()), rs.getObject("created_by", UUID.class),
            instant(rs, "created_at"), instant(rs, "expires_at"), instant(rs, "last_used_at"),
            instant(rs, "revoked_at"));

    /** Where a secret leads: a key of a tenant. */
    record Target(UUID tenantId, UUID keyId) {
    }

    private final JdbcClient jdbc;
    private final ChangeBroadcast changes;

    ApiKeys(JdbcClient jdbc, ChangeBroadcast changes) {
        this.jdbc = jdbc;
        this.changes = changes;
    }

    void insert(ApiKey key, byte[] secretHash) {
        jdbc.sql("""
                insert into api_keys (tenant_id, id, name, prefix, roles, created_by, created_at, expires_at)
                values (:tenant, :id, :name, :prefix, :roles, :createdBy, :createdAt, :expiresAt)
                """)
                .param("tenant", key.tenantId())
                .param("id", key.id())
                .param("name", key.name())
                .param("prefix", key.prefix())
                .param("roles", key.roles().toArray(String[]::new))
                .param("createdBy", key.createdBy())
                .param("createdAt", Timestamp.from(key.createdAt()))
                .param("expiresAt", key.expiresAt() == null ? null : Timestamp.from(key.expiresAt()))
                .update();
        jdbc.sql("insert into platform.api_key_hashes (key_hash, tenant_id, key_id) values (?, ?, ?)")
                .params(secretHash, key.tenantId(), key.id())
                .update();
    }

    Optional<Target> target(byte[] secretHash) {
        return jdbc.sql("select tenant_id, key_id from platform.api_key_hashes where key_hash = ?")
                .param(secretHash)
                .query(Target.class)
                .optional();
    }

    Optional<ApiKey> find(UUID tenantId, UUID id) {
        return jdbc.sql("select * from api_keys where tenant_id = ? and id = ?")
                .params(tenantId, id)
                .query(KEY)
                .optional();
    }

    /** The tenant's keys that are not revoked (expired ones included), in id order after the cursor. */
    List<ApiKey> live(UUID tenantId, @Nullable UUID after, int limit) {
        return jdbc.sql("""
                select * from api_keys
                 where tenant_id = :tenant and revoked_at is null and (cast(:after as uuid) is null or id > :after)
                 order by id
                 limit :limit
                """)
                .param("tenant", tenantId)
                .param("after", after)
                .param("limit", limit)
                .query(KEY)
                .list();
    }

    /** Revokes a key: its secret stops leading anywhere, and every instance forgets it on commit. */
    boolean revoke(UUID tenantId, UUID id) {
        boolean revoked = jdbc.sql("update api_keys set revoked_at = now() where tenant_id = ? and id = ?"
                + " and revoked_at is null")
                .params(tenantId, id)
                .update() == 1;
        jdbc.sql("delete from platform.api_key_hashes where tenant_id = ? and key_id = ?")
                .params(tenantId, id)
                .update();
        changes.publish(TOPIC, id.toString());
        return revoked;
    }

    /** Records use, at most once a minute per key whatever the number of instances. */
    void touch(UUID tenantId, UUID id) {
        jdbc.sql("""
                update api_keys set last_used_at = now()
                 where tenant_id = ? and id = ? and (last_used_at is null or last_used_at < now() - interval '1 minute')
                """)
                .params(tenantId, id)
                .update();
    }

    private static @Nullable Instant instant(ResultSet rs, String column) throws SQLException {
        Timestamp value = rs.getTimestamp(column);
        return value == null ? null : value.toInstant();
    }
}
