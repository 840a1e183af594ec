package dev.canopy.tenancy.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import dev.canopy.secrets.SealedSecret;
import dev.canopy.secrets.SealedSecretStore;
import dev.canopy.secrets.SecretBinding;

/** The registry's sealed passwords (record ids {@code <id>:owner}, {@code <id>:runtime}), for data key rotation. */
@Component
class DatabaseServerSecretStore implements SealedSecretStore {

    private final JdbcClient jdbc;

    DatabaseServerSecretStore(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public List<SealedSecret> page(UUID ownerId, @Nullable String afterRecordId, int limit) {
        if (!SecretBinding.PLATFORM.equals(ownerId)) {
            return List.of();
        }
        String after = afterRecordId == null ? "" : afterRecordId;
        var page = new ArrayList<SealedSecret>();
        // ":owner" sorts before ":runtime", so record ids run in id order, owner first
        jdbc.sql("""
                select id, sealed_owner_password, sealed_runtime_password from platform.database_servers
                 where id::text >= :afterId order by id::text limit :limit
                """)
                .param("afterId", after.isEmpty() ? "" : after.substring(0, after.indexOf(':')))
                .param("limit", limit)
                .query((rs, n) -> {
                    UUID id = rs.getObject("id", UUID.class);
                    page.add(new SealedSecret(DatabaseServerRegistry.binding(id, "owner"),
                            rs.getBytes("sealed_owner_password")));
                    page.add(new SealedSecret(DatabaseServerRegistry.binding(id, "runtime"),
                            rs.getBytes("sealed_runtime_password")));
                    return id;
                })
                .list();
        return page.stream().filter(s -> s.binding().recordId().compareTo(after) > 0).limit(limit).toList();
    }

    @Override
    public boolean replace(SealedSecret current, byte[] resealed) {
        String recordId = current.binding().recordId();
        UUID id = UUID.fromString(recordId.substring(0, recordId.indexOf(':')));
        String column = recordId.endsWith(":owner") ? "sealed_owner_password" : "sealed_runtime_password";
        return jdbc.sql("update platform.database_servers set " + column + " = :resealed where id = :id and "
                + column + " = :current")
                .param("resealed", resealed).param("id", id).param("current", current.ciphertext())
                .update() == 1;
    }
}
