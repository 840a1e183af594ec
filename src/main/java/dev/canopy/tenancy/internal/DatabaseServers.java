package dev.canopy.tenancy.internal;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** The rows of {@code platform.database_servers}. */
@Repository
class DatabaseServers {

    private static final RowMapper<DatabaseServer> SERVER = (rs, n) -> new DatabaseServer(
            rs.getObject("id", UUID.class), rs.getString("name"), rs.getString("region"), rs.getString("jdbc_url"),
            rs.getString("owner_user"), rs.getBytes("sealed_owner_password"), rs.getString("runtime_user"),
            rs.getBytes("sealed_runtime_password"), rs.getString("role"), rs.getInt("capacity"),
            rs.getString("health"), rs.getString("health_detail"), rs.getString("server_version"),
            instant(rs, "checked_at"), instant(rs, "created_at"), instant(rs, "updated_at"), rs.getLong("version"));

    private final JdbcClient jdbc;

    DatabaseServers(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    void insert(DatabaseServer s) {
        jdbc.sql("""
                insert into platform.database_servers (id, name, region, jdbc_url, owner_user, sealed_owner_password,
                       runtime_user, sealed_runtime_password, role, capacity, health, health_detail, server_version,
                       checked_at)
                values (:id, :name, :region, :url, :owner, :ownerPassword, :runtime, :runtimePassword, :role,
                        :capacity, :health, :detail, :serverVersion, :checkedAt)
                """)
                .param("id", s.id()).param("name", s.name()).param("region", s.region()).param("url", s.jdbcUrl())
                .param("owner", s.ownerUser()).param("ownerPassword", s.sealedOwnerPassword())
                .param("runtime", s.runtimeUser()).param("runtimePassword", s.sealedRuntimePassword())
                .param("role", s.role()).param("capacity", s.capacity()).param("health", s.health())
                .param("detail", s.healthDetail()).param("serverVersion", s.serverVersion())
                .param("checkedAt", offset(s.checkedAt()))
                .update();
    }

    /** Writes the row as changed, if it is still at {@code expectedVersion}; false when someone changed it first. */
    boolean update(DatabaseServer s, long expectedVersion) {
        return jdbc.sql("""
                update platform.database_servers
                   set region = :region, jdbc_url = :url, owner_user = :owner, sealed_owner_password = :ownerPassword,
                       runtime_user = :runtime, sealed_runtime_password = :runtimePassword, role = :role,
                       capacity = :capacity, health = :health, health_detail = :detail,
                       server_version = :serverVersion, checked_at = :checkedAt, updated_at = now(),
                       version = version + 1
                 where id = :id and version = :expected
                """)
                .param("id", s.id()).param("region", s.region()).param("url", s.jdbcUrl())
                .param("owner", s.ownerUser()).param("ownerPassword", s.sealedOwnerPassword())
                .param("runtime", s.runtimeUser()).param("runtimePassword", s.sealedRuntimePassword())
                .param("role", s.role()).param("capacity", s.capacity()).param("health", s.health())
                .param("detail", s.healthDetail()).param("serverVersion", s.serverVersion())
                .param("checkedAt", offset(s.checkedAt())).param("expected", expectedVersion)
                .update() == 1;
    }

    /** Records a health check's finding without touching the version people edit against. */
    void recordHealth(UUID id, ServerProbe.Health health, Instant at) {
        jdbc.sql("""
                update platform.database_servers
                   set health = :health, health_detail = :detail, server_version = coalesce(:serverVersion,
                       server_version), checked_at = :at
                 where id = :id
                """)
                .param("id", id).param("health", health.status()).param("detail", health.detail())
                .param("serverVersion", health.version()).param("at", offset(at))
                .update();
    }

    boolean delete(UUID id) {
        return jdbc.sql("delete from platform.database_servers where id = ?").param(id).update() == 1;
    }

    Optional<DatabaseServer> find(UUID id) {
        return jdbc.sql("select * from platform.database_servers where id = ?").param(id).query(SERVER).optional();
    }

    Optional<DatabaseServer> findByName(String name) {
        return jdbc.sql("select * from platform.database_servers where name = ?").param(name).query(SERVER)
                .optional();
    }

    List<DatabaseServer> all() {
        return jdbc.sql("select * from platform.database_servers order by name").query(SERVER).list();
    }

    private static @Nullable Instant instant(ResultSet rs, String column) throws SQLException {
        var value = rs.getObject(column, java.time.OffsetDateTime.class);
        return value == null ? null : value.toInstant();
    }

    private static java.time.@Nullable OffsetDateTime offset(@Nullable Instant at) {
        return at == null ? null : at.atOffset(java.time.ZoneOffset.UTC);
    }
}
