package dev.canopy.secrets.internal;

import java.security.GeneralSecurityException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import org.springframework.jdbc.core.simple.JdbcClient;

import com.google.crypto.tink.Aead;
import com.google.crypto.tink.KeysetHandle;

import dev.canopy.platform.db.ChangeBroadcast;
import dev.canopy.platform.db.IndependentTransaction;

/**
 * Each owner's data keyset (a tenant's, or the platform's under the nil UUID), wrapped by a KEK version in
 * {@code platform.data_keys} and held unwrapped in memory once used. Re-wrapping does not change a keyset, so
 * cached ones stay valid through KEK rotation; a data-key rotation is announced through {@link ChangeBroadcast}.
 */
final class DataKeys implements ChangeBroadcast.Listener {

    static final String TOPIC = "data-key";

    /** An owner's keyset, unwrapped. */
    record OwnerKeyset(KeysetHandle keyset, Aead aead) {
    }

    /** A wrapped keyset as stored. */
    record Wrapped(UUID ownerId, int kekVersion, byte[] keyset) {
    }

    private final JdbcClient jdbc;
    private final KeyEncryptionKeys keks;
    private final IndependentTransaction independent;
    private final ChangeBroadcast broadcast;
    private final Map<UUID, OwnerKeyset> cache = new ConcurrentHashMap<>();

    DataKeys(JdbcClient jdbc, KeyEncryptionKeys keks, IndependentTransaction independent, ChangeBroadcast broadcast) {
        this.jdbc = jdbc;
        this.keks = keks;
        this.independent = independent;
        this.broadcast = broadcast;
        broadcast.subscribe(this);
    }

    /**
     * The owner's keyset for sealing, created on first use in a transaction of its own: were it created in
     * the caller's transaction and that rolled back, this instance would keep sealing with a key nobody stored.
     */
    OwnerKeyset forSealing(UUID ownerId) {
        return cache.computeIfAbsent(ownerId, id -> read(id).orElseGet(() -> create(id)));
    }

    /** The owner's keyset for opening, if it has one. */
    Optional<OwnerKeyset> forOpening(UUID ownerId) {
        // computed under the map's lock for the key: a read that started before a rotation committed can no longer
        // put its older keyset over the rotated one (the rotation's put waits for it, then wins)
        return Optional.ofNullable(cache.computeIfAbsent(ownerId, id -> read(id).orElse(null)));
    }

    /** Drops the cached keyset and reads it again (another instance may have added a key). */
    Optional<OwnerKeyset> reload(UUID ownerId) {
        cache.remove(ownerId);
        return forOpening(ownerId);
    }

    /**
     * Adds a new primary data key to the owner's keyset and stores it wrapped by the primary KEK. Old keys stay
     * in the keyset so existing ciphertexts open until they are re-encrypted.
     */
    OwnerKeyset addPrimaryKey(UUID ownerId) {
        OwnerKeyset rotated = independent.run(() -> {
            Wrapped current = jdbc.sql("""
                    select tenant_id, kek_version, wrapped_keyset from platform.data_keys where tenant_id = ? for update
                    """).param(ownerId).query(DataKeys::wrapped).optional().orElse(null);
            KeysetHandle keyset = current == null ? Tink.newKeyset() : Tink.withNewPrimary(unwrap(current));
            int kek = keks.primaryVersion();
            byte[] wrapped = Tink.wrap(keyset, keks.version(kek), associatedData(ownerId));
            jdbc.sql("""
                    insert into platform.data_keys (tenant_id, kek_version, wrapped_keyset, rotated_at)
                    values (:owner, :kek, :keyset, now())
                    on conflict (tenant_id) do update
                       set kek_version = excluded.kek_version, wrapped_keyset = excluded.wrapped_keyset, rotated_at = now()
                    """).param("owner", ownerId).param("kek", kek).param("keyset", wrapped).update();
            broadcast.publish(TOPIC, ownerId.toString());
            return new OwnerKeyset(keyset, Tink.aead(keyset));
        });
        cache.put(ownerId, rotated);
        return rotated;
    }

    /**
     * Re-wraps up to {@code limit} keysets not yet under the primary KEK; returns how many. Rows are locked and
     * skipped if another instance is re-wrapping them, and each is updated only if still as read.
     */
    int rewrapBatch(int limit) {
        return independent.run(() -> {
            int target = keks.primaryVersion();
            List<Wrapped> batch = jdbc.sql("""
                    select tenant_id, kek_version, wrapped_keyset from platform.data_keys
                     where kek_version <> :target order by tenant_id limit :limit for update skip locked
                    """).param("target", target).param("limit", limit).query(DataKeys::wrapped).list();
            for (Wrapped row : batch) {
                byte[] rewrapped = Tink.wrap(unwrap(row), keks.version(target), associatedData(row.ownerId()));
                jdbc.sql("""
                        update platform.data_keys set kek_version = :target, wrapped_keyset = :keyset, rewrapped_at = now()
                         where tenant_id = :owner
                        """).param("target", target).param("keyset", rewrapped).param("owner", row.ownerId()).update();
            }
            return batch.size();
        });
    }

    /** How many keysets each KEK version wraps. */
    Map<Integer, Long> countByKekVersion() {
        Map<Integer, Long> counts = new java.util.TreeMap<>();
        jdbc.sql("select kek_version, count(*) from platform.data_keys group by kek_version")
                .query((rs, n) -> counts.put(rs.getInt(1), rs.getLong(2))).list();
        return counts;
    }

    @Override
    public void changed(String topic, String key) {
        if (TOPIC.equals(topic)) {
            cache.remove(UUID.fromString(key));
        }
    }

    @Override
    public void missedChanges() {
        cache.clear();
    }

    private Optional<OwnerKeyset> read(UUID ownerId) {
        return jdbc.sql("select tenant_id, kek_version, wrapped_keyset from platform.data_keys where tenant_id = ?")
                .param(ownerId)
                .query(DataKeys::wrapped)
                .optional()
                .map(row -> {
                    KeysetHandle keyset = unwrap(row);
                    return new OwnerKeyset(keyset, Tink.aead(keyset));
                });
    }

    private OwnerKeyset create(UUID ownerId) {
        independent.run(() -> {
            int kek = keks.primaryVersion();
            byte[] wrapped = Tink.wrap(Tink.newKeyset(), keks.version(kek), associatedData(ownerId));
            jdbc.sql("""
                    insert into platform.data_keys (tenant_id, kek_version, wrapped_keyset) values (?, ?, ?)
                    on conflict (tenant_id) do nothing
                    """).params(ownerId, kek, wrapped).update();
        });
        // whoever inserted first, ours or another instance's, is the keyset
        return read(ownerId).orElseThrow();
    }

    private KeysetHandle unwrap(Wrapped row) {
        try {
            return Tink.unwrap(row.keyset(), keks.version(row.kekVersion()), associatedData(row.ownerId()));
        }
        catch (GeneralSecurityException e) {
            throw new IllegalStateException("The data keyset of owner " + row.ownerId() + " does not unwrap with "
                    + "key-encryption key version " + row.kekVersion() + ": it was altered or moved", e);
        }
    }

    private static Wrapped wrapped(java.sql.ResultSet rs, int n) throws java.sql.SQLException {
        return new Wrapped(rs.getObject(1, UUID.class), rs.getInt(2), rs.getBytes(3));
    }

    /** Binds a wrapped keyset to its owner, so swapping two owners' rows makes both unreadable rather than mixed. */
    private static String associatedData(UUID ownerId) {
        return "canopy-data-key/" + ownerId;
    }
}
