package dev.canopy.cloud.internal;

import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import tools.jackson.databind.json.JsonMapper;

/** SQL for {@code cloud_accounts}: tenant data, so every call runs inside the tenant's scope. */
@Repository
class CloudAccounts {

    static final String TABLE = "tenant.cloud_accounts";

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static final RowMapper<CloudAccount> ACCOUNT = (rs, n) -> new CloudAccount(
            rs.getObject("tenant_id", UUID.class), rs.getObject("id", UUID.class), rs.getString("name"),
            rs.getString("provider"), rs.getString("auth_type"), stringMap(rs.getString("settings")),
            rs.getBytes("sealed_credentials"), rs.getString("credentials_hint"), strings(rs.getArray("environments")),
            stringMap(rs.getString("tags")), instant(rs, "last_test_at"),
            (Boolean) rs.getObject("last_test_ok"), rs.getString("last_test_detail"),
            rs.getObject("created_by", UUID.class), instant(rs, "created_at"), instant(rs, "updated_at"),
            rs.getLong("version"));

    private final JdbcClient jdbc;

    CloudAccounts(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    void insert(CloudAccount a) {
        jdbc.sql("""
                insert into cloud_accounts (tenant_id, id, name, provider, auth_type, settings, sealed_credentials,
                       credentials_hint, environments, tags, created_by)
                values (:tenant, :id, :name, :provider, :authType, cast(:settings as jsonb), :sealed, :hint,
                        :environments, cast(:tags as jsonb), :createdBy)
                """)
                .param("tenant", a.tenantId()).param("id", a.id()).param("name", a.name())
                .param("provider", a.provider()).param("authType", a.authType())
                .param("settings", JSON.writeValueAsString(a.settings())).param("sealed", a.sealedCredentials())
                .param("hint", a.credentialsHint()).param("environments", a.environments().toArray(String[]::new))
                .param("tags", JSON.writeValueAsString(a.tags())).param("createdBy", a.createdBy())
                .update();
    }

    Optional<CloudAccount> find(UUID tenantId, UUID id) {
        return jdbc.sql("select * from cloud_accounts where tenant_id = ? and id = ?")
                .params(tenantId, id).query(ACCOUNT).optional();
    }

    /** The tenant's accounts in id order after the cursor, optionally of one provider. */
    List<CloudAccount> list(UUID tenantId, @Nullable String provider, @Nullable UUID after, int limit) {
        return jdbc.sql("""
                select * from cloud_accounts
                 where tenant_id = :tenant and (cast(:provider as text) is null or provider = :provider)
                   and (cast(:after as uuid) is null or id > :after)
                 order by id limit :limit
                """)
                .param("tenant", tenantId).param("provider", provider).param("after", after).param("limit", limit)
                .query(ACCOUNT).list();
    }

    /** Writes an update if the row is still at {@code expectedVersion}; false when someone changed it first. */
    boolean update(CloudAccount a, long expectedVersion) {
        return jdbc.sql("""
                update cloud_accounts
                   set name = :name, auth_type = :authType, settings = cast(:settings as jsonb),
                       sealed_credentials = :sealed, credentials_hint = :hint, environments = :environments,
                       tags = cast(:tags as jsonb), updated_at = now(), version = version + 1
                 where tenant_id = :tenant and id = :id and version = :version
                """)
                .param("tenant", a.tenantId()).param("id", a.id()).param("name", a.name())
                .param("authType", a.authType()).param("settings", JSON.writeValueAsString(a.settings()))
                .param("sealed", a.sealedCredentials()).param("hint", a.credentialsHint())
                .param("environments", a.environments().toArray(String[]::new))
                .param("tags", JSON.writeValueAsString(a.tags())).param("version", expectedVersion)
                .update() == 1;
    }

    long count(UUID tenantId) {
        return jdbc.sql("select count(*) from cloud_accounts where tenant_id = ?").param(tenantId)
                .query(Long.class).single();
    }

    boolean delete(UUID tenantId, UUID id) {
        return jdbc.sql("delete from cloud_accounts where tenant_id = ? and id = ?").params(tenantId, id)
                .update() == 1;
    }

    void recordTest(UUID tenantId, UUID id, boolean ok, String detail) {
        jdbc.sql("""
                update cloud_accounts set last_test_at = now(), last_test_ok = ?, last_test_detail = ?
                 where tenant_id = ? and id = ?
                """).params(ok, detail, tenantId, id).update();
    }

    /** Sealed credentials of the tenant after a record id, for re-encryption. */
    List<Object[]> sealedAfter(UUID tenantId, @Nullable UUID after, int limit) {
        return jdbc.sql("""
                select id, sealed_credentials from cloud_accounts
                 where tenant_id = :tenant and (cast(:after as uuid) is null or id > :after) order by id limit :limit
                """).param("tenant", tenantId).param("after", after).param("limit", limit)
                .query((rs, n) -> new Object[] { rs.getObject(1, UUID.class), rs.getBytes(2) }).list();
    }

    boolean replaceSealed(UUID tenantId, UUID id, byte[] current, byte[] resealed) {
        return jdbc.sql("""
                update cloud_accounts set sealed_credentials = ?
                 where tenant_id = ? and id = ? and sealed_credentials = ?
                """).params(resealed, tenantId, id, current).update() == 1;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, String> stringMap(String json) {
        return JSON.readValue(json, Map.class);
    }

    private static List<String> strings(Array array) throws SQLException {
        return Arrays.asList((String[]) array.getArray());
    }

    private static @Nullable Instant instant(ResultSet rs, String column) throws SQLException {
        Timestamp value = rs.getTimestamp(column);
        return value == null ? null : value.toInstant();
    }
}
