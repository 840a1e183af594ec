package dev.canopy.secrets.internal;

import java.security.GeneralSecurityException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;

import com.google.crypto.tink.Aead;

import dev.canopy.platform.StartupRefusedException;

/**
 * The versions of the key-encryption key, each a Tink keyset encrypted with the {@link MasterKey}. The newest
 * unretired version wraps data keysets; every version, retired or not, still unwraps, so a reader that
 * fetched a data keyset just before a re-wrap never fails. All versions are held in memory.
 */
final class KeyEncryptionKeys {

    /** One KEK version as listed by the admin endpoint. */
    record KekVersion(int version, Instant createdAt, @Nullable Instant retiredAt) {
    }

    private final JdbcClient jdbc;
    private final MasterKey masterKey;
    private volatile Map<Integer, Aead> versions = Map.of();
    private volatile int primary;

    KeyEncryptionKeys(JdbcClient jdbc, MasterKey masterKey) {
        this.jdbc = jdbc;
        this.masterKey = masterKey;
        load();
        if (versions.isEmpty()) {
            insert(1);
            load();
        }
    }

    /** The version new wraps use. */
    int primaryVersion() {
        return primary;
    }

    Aead primary() {
        return version(primary);
    }

    /** The KEK of a version, reloading once if another instance added it since. */
    Aead version(int version) {
        Aead aead = versions.get(version);
        if (aead == null) {
            load();
            aead = versions.get(version);
        }
        if (aead == null) {
            throw new IllegalStateException("Key-encryption key version " + version + " does not exist");
        }
        return aead;
    }

    /** Adds a new version, which becomes the primary at once on this instance and at next load elsewhere. */
    synchronized int rotate() {
        int next = jdbc.sql("select coalesce(max(version), 0) + 1 from platform.key_encryption_keys")
                .query(Integer.class).single();
        insert(next);
        load();
        return next;
    }

    /** Marks versions that no data keyset uses any more, other than the primary, as retired. */
    int retireUnused() {
        int retired = jdbc.sql("""
                update platform.key_encryption_keys k set retired_at = now()
                 where retired_at is null and version < :primary
                   and not exists (select 1 from platform.data_keys d where d.kek_version = k.version)
                """).param("primary", primary).update();
        return retired;
    }

    List<KekVersion> list() {
        return jdbc.sql("select version, created_at, retired_at from platform.key_encryption_keys order by version")
                .query((rs, n) -> new KekVersion(rs.getInt(1), rs.getTimestamp(2).toInstant(),
                        rs.getTimestamp(3) == null ? null : rs.getTimestamp(3).toInstant()))
                .list();
    }

    /** Picks up versions another instance added (its rotation makes them the primary here too). */
    synchronized void load() {
        Map<Integer, Aead> loaded = new TreeMap<>();
        jdbc.sql("select version, wrapped_key from platform.key_encryption_keys order by version")
                .query((rs, n) -> {
                    int version = rs.getInt(1);
                    loaded.put(version, unwrap(version, rs.getBytes(2)));
                    return version;
                })
                .list();
        versions = Map.copyOf(loaded);
        primary = loaded.keySet().stream().mapToInt(Integer::intValue).max().orElse(0);
    }

    private void insert(int version) {
        byte[] wrapped = Tink.wrap(Tink.newKeyset(), masterKey.aead(), associatedData(version));
        jdbc.sql("insert into platform.key_encryption_keys (version, wrapped_key) values (?, ?) on conflict do nothing")
                .params(version, wrapped)
                .update();
    }

    private Aead unwrap(int version, byte[] wrapped) {
        try {
            return Tink.aead(Tink.unwrap(wrapped, masterKey.aead(), associatedData(version)));
        }
        catch (GeneralSecurityException e) {
            throw new StartupRefusedException("The master key from " + masterKey.source()
                    + " does not decrypt key-encryption key version " + version
                    + " in the database: it is not the key this database's secrets were sealed with.",
                    "Restore the original master key (CANOPY_MASTER_KEY or the backed-up " + MasterKey.FILE_NAME
                            + " in the data directory).");
        }
    }

    private static String associatedData(int version) {
        return "canopy-kek/v" + version;
    }
}
