package dev.canopy.identity.sso;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import dev.canopy.platform.db.ChangeBroadcast;

import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/** SQL for {@code sso_configs}: tenant data, so every call runs inside that tenant's scope. */
@Repository
class SsoConfigs {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static final String COLUMNS = """
            tenant_id, preset, issuer, client_id, scopes, groups_claim, email_claim, auth_mode, provisioning_enabled,
            default_role, allowed_email_domains, allowed_groups, group_role_mapping::text as group_role_mapping,
            sync_attributes_on_login, created_at, updated_at, version
            """;

    private static final RowMapper<SsoConfig> CONFIG = (rs, n) -> new SsoConfig(rs.getObject("tenant_id", UUID.class),
            Preset.of(rs.getString("preset")).orElseThrow(), rs.getString("issuer"), rs.getString("client_id"),
            strings(rs, "scopes"), rs.getString("groups_claim"), rs.getString("email_claim"),
            AuthMode.of(rs.getString("auth_mode")).orElseThrow(),
            new AutoProvisioning(rs.getBoolean("provisioning_enabled"), rs.getString("default_role"),
                    strings(rs, "allowed_email_domains"), strings(rs, "allowed_groups"),
                    mapping(rs.getString("group_role_mapping")), rs.getBoolean("sync_attributes_on_login")),
            rs.getTimestamp("created_at").toInstant(), rs.getTimestamp("updated_at").toInstant(), rs.getLong("version"));

    /** The broadcast topic of a tenant's SSO configuration changes; the key is the tenant id. */
    static final String TOPIC = "sso";

    private final JdbcClient jdbc;
    private final ChangeBroadcast changes;

    SsoConfigs(JdbcClient jdbc, ChangeBroadcast changes) {
        this.jdbc = jdbc;
        this.changes = changes;
    }

    Optional<SsoConfig> find(UUID tenantId) {
        return jdbc.sql("select " + COLUMNS + " from sso_configs where tenant_id = ?")
                .param(tenantId)
                .query(CONFIG)
                .optional();
    }

    /** How the tenant signs in; {@code local} when it has no configuration. */
    AuthMode authMode(UUID tenantId) {
        return jdbc.sql("select auth_mode from sso_configs where tenant_id = ?")
                .param(tenantId)
                .query(String.class)
                .optional()
                .flatMap(AuthMode::of)
                .orElse(AuthMode.LOCAL);
    }

    Optional<byte[]> sealedSecret(UUID tenantId) {
        return jdbc.sql("select client_secret_sealed from sso_configs where tenant_id = ?")
                .param(tenantId)
                .query((rs, n) -> rs.getBytes(1))
                .optional();
    }

    /** Replaces the sealed secret with its re-encryption, only if the row still holds {@code current}. */
    boolean replaceSealedSecret(UUID tenantId, byte[] current, byte[] resealed) {
        return jdbc.sql("""
                update sso_configs set client_secret_sealed = ?
                 where tenant_id = ? and client_secret_sealed = ?
                """)
                .params(resealed, tenantId, current)
                .update() == 1;
    }

    /** Inserts the configuration; false when the tenant already has one. */
    boolean insert(SsoConfig c, byte[] sealedSecret) {
        return jdbc.sql("""
                insert into sso_configs (tenant_id, preset, issuer, client_id, client_secret_sealed, scopes,
                        groups_claim, email_claim, auth_mode, provisioning_enabled, default_role, allowed_email_domains,
                        allowed_groups, group_role_mapping, sync_attributes_on_login)
                values (:tenant, :preset, :issuer, :clientId, :secret, :scopes, :groupsClaim, :emailClaim, :authMode,
                        :enabled, :defaultRole, :domains, :groups, cast(:mapping as jsonb), :sync)
                on conflict (tenant_id) do nothing
                """)
                .params(params(c, sealedSecret))
                .update() == 1 && changed(c.tenantId());
    }

    /** Replaces the configuration if still at {@code version}; a null secret keeps the stored one. */
    boolean update(SsoConfig c, long version, byte @Nullable [] sealedSecret) {
        return jdbc.sql("""
                update sso_configs
                   set preset = :preset, issuer = :issuer, client_id = :clientId,
                       client_secret_sealed = coalesce(cast(:secret as bytea), client_secret_sealed), scopes = :scopes,
                       groups_claim = :groupsClaim, email_claim = :emailClaim, auth_mode = :authMode,
                       provisioning_enabled = :enabled, default_role = :defaultRole, allowed_email_domains = :domains,
                       allowed_groups = :groups, group_role_mapping = cast(:mapping as jsonb),
                       sync_attributes_on_login = :sync, updated_at = now(), version = version + 1
                 where tenant_id = :tenant and version = :version
                """)
                .params(params(c, sealedSecret))
                .param("version", version)
                .update() == 1 && changed(c.tenantId());
    }

    boolean delete(UUID tenantId) {
        return jdbc.sql("delete from sso_configs where tenant_id = ?").param(tenantId).update() == 1
                && changed(tenantId);
    }

    private boolean changed(UUID tenantId) {
        changes.publish(TOPIC, tenantId.toString());
        return true;
    }

    private static Map<String, Object> params(SsoConfig c, byte @Nullable [] sealedSecret) {
        var p = new java.util.HashMap<String, Object>();
        p.put("tenant", c.tenantId());
        p.put("preset", c.preset().key());
        p.put("issuer", c.issuer());
        p.put("clientId", c.clientId());
        p.put("secret", sealedSecret);
        p.put("scopes", c.scopes().toArray(String[]::new));
        p.put("groupsClaim", c.groupsClaim());
        p.put("emailClaim", c.emailClaim());
        p.put("authMode", c.authMode().key());
        AutoProvisioning a = c.autoProvisioning();
        p.put("enabled", a.enabled());
        p.put("defaultRole", a.defaultRole());
        p.put("domains", a.allowedEmailDomains().toArray(String[]::new));
        p.put("groups", a.allowedGroups().toArray(String[]::new));
        p.put("mapping", JSON.writeValueAsString(a.groupRoleMapping()));
        p.put("sync", a.syncAttributesOnLogin());
        return p;
    }

    private static List<String> strings(ResultSet rs, String column) throws SQLException {
        return List.copyOf(Arrays.asList((String[]) rs.getArray(column).getArray()));
    }

    private static Map<String, String> mapping(String json) {
        return new TreeMap<>(JSON.readValue(json, new TypeReference<Map<String, String>>() {
        }));
    }
}
