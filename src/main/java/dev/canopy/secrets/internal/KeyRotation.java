package dev.canopy.secrets.internal;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;

import dev.canopy.platform.db.ChangeBroadcast;
import dev.canopy.platform.db.IndependentTransaction;
import dev.canopy.secrets.SealedSecret;
import dev.canopy.secrets.SealedSecretStore;

/**
 * Rotation of both key levels. A KEK rotation adds a version and re-wraps every data keyset in batches on a
 * background thread; a data-key rotation adds a primary key to one owner's keyset and re-encrypts that owner's
 * secrets in batches through every {@link SealedSecretStore}. Reads never wait for either: old KEK versions
 * and old data keys keep decrypting. A sweep every minute (any instance) finishes work an instance left.
 */
final class KeyRotation implements ChangeBroadcast.Listener {

    static final String KEK_TOPIC = "kek";
    static final int BATCH = 100;

    private static final Logger log = LoggerFactory.getLogger(KeyRotation.class);

    /** Re-encryption progress of one owner. */
    record DataKeyStatus(UUID ownerId, int kekVersion, int keys, @Nullable Instant rotatedAt,
            @Nullable Instant reencryptionStartedAt, @Nullable Instant reencryptionFinishedAt, long reencryptedSecrets) {
    }

    private final JdbcClient jdbc;
    private final KeyEncryptionKeys keks;
    private final DataKeys dataKeys;
    private final EnvelopeSecrets secrets;
    private final List<SealedSecretStore> stores;
    private final ChangeBroadcast broadcast;
    private final IndependentTransaction independent;
    private final ExecutorService worker = Executors.newSingleThreadExecutor(Thread.ofVirtual()
            .name("canopy-key-rotation").factory());
    private final AtomicBoolean rewrapping = new AtomicBoolean();

    KeyRotation(JdbcClient jdbc, KeyEncryptionKeys keks, DataKeys dataKeys, EnvelopeSecrets secrets,
            List<SealedSecretStore> stores, ChangeBroadcast broadcast, IndependentTransaction independent) {
        this.jdbc = jdbc;
        this.keks = keks;
        this.dataKeys = dataKeys;
        this.secrets = secrets;
        this.stores = stores;
        this.broadcast = broadcast;
        this.independent = independent;
        broadcast.subscribe(this);
    }

    /** Adds a KEK version and starts re-wrapping; returns the new version. */
    int rotateKek() {
        // committed at once, whatever the request does next: this instance already wraps with the new version
        int version = independent.run(() -> {
            int added = keks.rotate();
            broadcast.publish(KEK_TOPIC, String.valueOf(added));
            return added;
        });
        log.info("Key-encryption key rotated to version {}; re-wrapping data keys", version);
        rewrapInBackground();
        return version;
    }

    Future<?> rewrapInBackground() {
        return worker.submit(this::rewrapAll);
    }

    /** Re-wraps every data keyset under the primary KEK, then retires versions nothing uses. */
    void rewrapAll() {
        if (!rewrapping.compareAndSet(false, true)) {
            return;
        }
        try {
            int total = 0;
            for (int done = dataKeys.rewrapBatch(BATCH); done > 0; done = dataKeys.rewrapBatch(BATCH)) {
                total += done;
            }
            int retired = keks.retireUnused();
            if (total > 0 || retired > 0) {
                log.info("Re-wrapped {} data keys under key-encryption key version {}; retired {} old versions", total,
                        keks.primaryVersion(), retired);
            }
        }
        finally {
            rewrapping.set(false);
        }
    }

    boolean rewrapRunning() {
        return rewrapping.get();
    }

    /** Adds a primary data key for the owner and starts re-encrypting its secrets; empty if it has no data key. */
    Optional<DataKeyStatus> rotateDataKey(UUID ownerId) {
        if (status(ownerId).isEmpty()) {
            return Optional.empty();
        }
        dataKeys.addPrimaryKey(ownerId);
        independent.run(() -> jdbc.sql("""
                update platform.data_keys
                   set reencryption_started_at = now(), reencryption_finished_at = null, reencrypted_secrets = 0
                 where tenant_id = ?
                """).param(ownerId).update());
        log.info("Data key of owner {} rotated; re-encrypting its secrets", ownerId);
        worker.submit(() -> reencrypt(ownerId));
        return status(ownerId);
    }

    /** Re-encrypts, batch by batch, every secret of the owner not yet under its primary data key. */
    void reencrypt(UUID ownerId) {
        long count = 0;
        for (SealedSecretStore store : stores) {
            String after = null;
            for (List<SealedSecret> page = store.page(ownerId, null, BATCH); !page.isEmpty();
                    page = store.page(ownerId, after, BATCH)) {
                int resealed = 0;
                for (SealedSecret sealed : page) {
                    if (!secrets.underPrimaryKey(sealed.binding(), sealed.ciphertext())
                            && store.replace(sealed, secrets.reseal(sealed.binding(), sealed.ciphertext()))) {
                        resealed++;
                    }
                }
                count += resealed;
                jdbc.sql("update platform.data_keys set reencrypted_secrets = reencrypted_secrets + ? where tenant_id = ?")
                        .params(resealed, ownerId).update();
                after = page.getLast().binding().recordId();
            }
        }
        jdbc.sql("update platform.data_keys set reencryption_finished_at = now() where tenant_id = ?").param(ownerId)
                .update();
        log.info("Re-encrypted {} secrets of owner {} under its new data key", count, ownerId);
    }

    /** Finishes what any instance left: keysets under an old KEK, re-encryptions started but not finished. */
    @Scheduled(fixedDelayString = "${canopy.secrets.sweep-interval:60s}", initialDelayString = "${canopy.secrets.sweep-interval:60s}")
    void sweep() {
        keks.load();
        rewrapAll();
        List<UUID> unfinished = jdbc.sql("""
                select tenant_id from platform.data_keys
                 where reencryption_started_at is not null and reencryption_finished_at is null
                   and reencryption_started_at < now() - interval '5 minutes'
                """).query(UUID.class).list();
        unfinished.forEach(this::reencrypt);
    }

    Map<Integer, Long> keysPerKekVersion() {
        return dataKeys.countByKekVersion();
    }

    List<KeyEncryptionKeys.KekVersion> keys() {
        return keks.list();
    }

    int primaryVersion() {
        return keks.primaryVersion();
    }

    Optional<DataKeyStatus> status(UUID ownerId) {
        return jdbc.sql("""
                select tenant_id, kek_version, wrapped_keyset, rotated_at, reencryption_started_at,
                       reencryption_finished_at, reencrypted_secrets
                  from platform.data_keys where tenant_id = ?
                """).param(ownerId).query((rs, n) -> new DataKeyStatus(rs.getObject(1, UUID.class), rs.getInt(2),
                        dataKeys.forOpening(ownerId).map(k -> k.keyset().size()).orElse(0), instant(rs, 4),
                        instant(rs, 5), instant(rs, 6), rs.getLong(7)))
                .optional();
    }

    @Override
    public void changed(String topic, String key) {
        if (KEK_TOPIC.equals(topic)) {
            keks.load();
        }
    }

    @Override
    public void missedChanges() {
        keks.load();
    }

    private static @Nullable Instant instant(java.sql.ResultSet rs, int column) throws java.sql.SQLException {
        var ts = rs.getTimestamp(column);
        return ts == null ? null : ts.toInstant();
    }
}
