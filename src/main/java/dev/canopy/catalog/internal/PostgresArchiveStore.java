package dev.canopy.catalog.internal;

import java.util.Optional;
import java.util.UUID;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** Archives as {@code bytea} in {@code template_archives}, under row-level security like the rest. */
@Repository
class PostgresArchiveStore implements ArchiveStore {

    private final JdbcClient jdbc;

    PostgresArchiveStore(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public void put(UUID tenantId, String digest, byte[] content) {
        jdbc.sql("""
                insert into template_archives (tenant_id, digest, content, size_bytes) values (?, ?, ?, ?)
                on conflict (tenant_id, digest) do nothing
                """).params(tenantId, digest, content, content.length).update();
    }

    @Override
    public Optional<byte[]> get(UUID tenantId, String digest) {
        return jdbc.sql("select content from template_archives where tenant_id = ? and digest = ?")
                .params(tenantId, digest).query(byte[].class).optional();
    }

    @Override
    public void removeUnreferenced(UUID tenantId) {
        jdbc.sql("""
                delete from template_archives a
                 where a.tenant_id = ?
                   and not exists (select 1 from template_versions v
                                    where v.tenant_id = a.tenant_id and v.digest = a.digest)
                """).param(tenantId).update();
    }
}
