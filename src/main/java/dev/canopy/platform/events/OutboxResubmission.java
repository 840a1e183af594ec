package dev.canopy.platform.events;

import java.time.Duration;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.modulith.events.FailedEventPublications;
import org.springframework.modulith.events.ResubmissionOptions;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

import dev.canopy.platform.db.AdvisoryLocks;

/**
 * Hands failed event publications (a listener threw, Kafka was down) to their listeners again, every
 * {@code canopy.events.resubmit-every}. One instance at a time, so two instances do not deliver the same failed
 * publication twice in one round.
 */
@Component
class OutboxResubmission {

    /** Arbitrary, fixed: the advisory lock key of this job across instances. */
    private static final long LOCK_KEY = 0x63616e6f70790001L;

    private final FailedEventPublications failed;
    private final AdvisoryLocks locks;
    private final ResubmissionOptions options;

    OutboxResubmission(FailedEventPublications failed, AdvisoryLocks locks,
            @Value("${canopy.events.resubmit-every}") Duration every) {
        this.failed = failed;
        this.locks = locks;
        this.options = ResubmissionOptions.defaults().withMinAge(every).withBatchSize(1000);
    }

    @Scheduled(fixedDelayString = "${canopy.events.resubmit-every}", initialDelayString = "${canopy.events.resubmit-every}")
    void resubmit() {
        locks.runAlone(LOCK_KEY, () -> failed.resubmit(options));
    }
}
