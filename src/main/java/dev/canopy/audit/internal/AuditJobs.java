package dev.canopy.audit.internal;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * The audit module's daily jobs: archiving events past their tenant's retention
 * ({@code canopy.audit.retention-cron}, 03:00 by default) and verifying every chain
 * ({@code canopy.audit.verify-cron}, 03:30). One tenant's failure never stops the others.
 */
@Component
class AuditJobs {

    private static final Logger log = LoggerFactory.getLogger(AuditJobs.class);

    private final AuditEvents events;
    private final ChainVerifier verifier;
    private final AuditArchiver archiver;

    AuditJobs(AuditEvents events, ChainVerifier verifier, AuditArchiver archiver) {
        this.events = events;
        this.verifier = verifier;
        this.archiver = archiver;
    }

    @Scheduled(cron = "${canopy.audit.verify-cron:0 30 3 * * *}")
    void verifyDaily() {
        Map<UUID, ChainVerifier.Verification> results = verifyAll();
        long broken = results.values().stream().filter(v -> !v.valid()).count();
        log.info("Verified {} audit chains: {} broken", results.size(), broken);
    }

    @Scheduled(cron = "${canopy.audit.retention-cron:0 0 3 * * *}")
    void archiveDaily() {
        Map<UUID, AuditArchiver.Archive> archived = archiveAll();
        log.info("Audit retention: archived segments of {} tenants", archived.size());
    }

    /** Verifies every chain (the platform's too), each in its own tenant scope. */
    Map<UUID, ChainVerifier.Verification> verifyAll() {
        var results = new LinkedHashMap<UUID, ChainVerifier.Verification>();
        for (UUID tenantId : events.chains().keySet()) {
            try {
                results.put(tenantId, verifier.verify(tenantId));
            }
            catch (RuntimeException e) {
                log.error("The audit chain of tenant {} could not be verified", tenantId, e);
            }
        }
        return results;
    }

    /** Archives every tenant's expired events. */
    Map<UUID, AuditArchiver.Archive> archiveAll() {
        var archived = new LinkedHashMap<UUID, AuditArchiver.Archive>();
        events.chains().forEach((tenantId, retentionDays) -> {
            try {
                Optional<AuditArchiver.Archive> archive = archiver.archiveExpired(tenantId, retentionDays);
                archive.ifPresent(a -> archived.put(tenantId, a));
            }
            catch (RuntimeException e) {
                log.error("The expired audit events of tenant {} could not be archived", tenantId, e);
            }
        });
        return archived;
    }
}
