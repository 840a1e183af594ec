package dev.canopy.audit.internal;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Optional;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

import dev.canopy.audit.Actor;
import dev.canopy.audit.AuditRecord;
import dev.canopy.platform.db.TenantTransactions;
import tools.jackson.databind.json.JsonMapper;

/**
 * Retention: moves a tenant's events older than its retention to an NDJSON file under
 * {@code <data-dir>/audit-archive/<tenant>/<from>-<to>.ndjson}, records the segment with the hash of its
 * last event (the anchor the kept chain starts from) and the file's SHA-256, then deletes the segment.
 * A segment is archived only if it verifies: pruning must never hide a tampered row.
 */
@Component
class AuditArchiver {

    private static final Logger log = LoggerFactory.getLogger(AuditArchiver.class);
    static final String DIRECTORY = "audit-archive";

    private final AuditEvents events;
    private final AuditChain chain;
    private final ChainVerifier verifier;
    private final TenantTransactions scopes;
    private final JsonMapper json;
    private final Path dataDir;

    AuditArchiver(AuditEvents events, AuditChain chain, ChainVerifier verifier, TenantTransactions scopes,
            JsonMapper json, @Value("${canopy.data-dir}") Path dataDir) {
        this.events = events;
        this.chain = chain;
        this.verifier = verifier;
        this.scopes = scopes;
        this.json = json;
        this.dataDir = dataDir;
    }

    /** An archived segment: positions {@code fromSeq..toSeq}, the file (relative to the data directory) and its hash. */
    record Archive(UUID tenantId, long fromSeq, long toSeq, long events, String file, String sha256) {
    }

    /** Thrown when the segment to archive does not verify; nothing was archived or deleted. */
    static final class ChainBrokenException extends IllegalStateException {

        ChainBrokenException(UUID tenantId, @Nullable UUID firstBrokenId) {
            super("The audit chain of tenant " + tenantId + " is broken at " + firstBrokenId
                    + "; its expired events were not archived");
        }
    }

    /** Archives and prunes the tenant's events older than its retention; empty when there are none (or another job is at it). */
    Optional<Archive> archiveExpired(UUID tenantId, int retentionDays) {
        OffsetDateTime cutoff = Instant.now().minus(retentionDays, ChronoUnit.DAYS).atOffset(ZoneOffset.UTC);
        return scopes.inTenant(tenantId, () -> {
            if (!events.tryLockArchiving(tenantId)) {
                log.info("Audit archiving of tenant {} skipped: another job is archiving it", tenantId);
                return Optional.<Archive>empty();
            }
            AuditEvents.Anchor anchor = events.anchor(tenantId);
            Optional<Long> firstKept = events.firstSeqAtOrAfter(tenantId, anchor.seq(), cutoff);
            long toSeq = firstKept.isPresent() ? firstKept.get() - 1 : events.lastSeq(tenantId).orElse(0L);
            if (toSeq <= anchor.seq()) {
                return Optional.<Archive>empty();
            }
            return Optional.of(archive(tenantId, anchor, toSeq));
        });
    }

    private Archive archive(UUID tenantId, AuditEvents.Anchor anchor, long toSeq) {
        long fromSeq = anchor.seq() + 1;
        String name = fromSeq + "-" + toSeq + ".ndjson";
        String relative = DIRECTORY + "/" + tenantId + "/" + name;
        Path directory = dataDir.resolve(DIRECTORY).resolve(tenantId.toString());
        Path file = directory.resolve(name);
        Path partial = directory.resolve(name + ".partial");
        var walk = new ChainWalk(anchor);
        String sha256;
        try {
            Files.createDirectories(directory);
            MessageDigest digest = sha256();
            try (FileChannel channel = FileChannel.open(partial, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING);
                    Writer out = new BufferedWriter(new OutputStreamWriter(
                            new DigestOutputStream(Channels.newOutputStream(channel), digest), StandardCharsets.UTF_8),
                            64 * 1024)) {
                events.streamRange(tenantId, fromSeq, toSeq, event -> {
                    if (!walk.accept(event)) {
                        return false;
                    }
                    EventFormat.NDJSON.writeUnchecked(out, event, json);
                    return true;
                });
                out.flush();
                channel.force(true);
            }
            if (walk.broken() != null || !walk.endsAt(toSeq, walk.lastHash())) {
                Files.deleteIfExists(partial);
                var result = new ChainVerifier.Verification(false, walk.checked(),
                        walk.broken() != null ? walk.broken() : walk.lastId());
                verifier.report(tenantId, result);
                throw new ChainBrokenException(tenantId, result.firstBrokenId());
            }
            Files.move(partial, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            syncDirectory(directory);
            sha256 = EventView.HEX.formatHex(digest.digest());
        }
        catch (IOException e) {
            throw new UncheckedIOException("Writing the audit archive " + file + " failed", e);
        }
        long archived = walk.checked();
        events.insertArchive(tenantId, fromSeq, toSeq, walk.lastHash(), relative, sha256);
        long removed = events.prune(tenantId, toSeq);
        if (removed != archived) {
            throw new IllegalStateException("Pruning the audit events of tenant " + tenantId + " up to " + toSeq
                    + " removed " + removed + " rows instead of " + archived + "; rolled back");
        }
        var details = new LinkedHashMap<String, Object>();
        details.put("from_seq", fromSeq);
        details.put("to_seq", toSeq);
        details.put("events", archived);
        details.put("file", relative);
        details.put("file_sha256", sha256);
        chain.append(new AuditRecord(tenantId, Instant.now(), new Actor.SystemActor("audit-retention"),
                "audit.archived", "audit_archive", fromSeq + "-" + toSeq, true, null, null, null, null, details));
        log.info("Archived {} audit events of tenant {} ({}..{}) to {}", archived, tenantId, fromSeq, toSeq, file);
        return new Archive(tenantId, fromSeq, toSeq, archived, relative, sha256);
    }

    private static void syncDirectory(Path directory) {
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
            channel.force(true);
        }
        catch (IOException e) {
            // not every platform can sync a directory; the file itself is synced
            log.debug("Could not sync directory {}", directory, e);
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        }
        catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
