package dev.canopy.audit.internal;

import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicInteger;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Component;

import dev.canopy.audit.AuditChainBroken;
import dev.canopy.platform.db.TenantTransactions;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Verifies a chain from its anchor to its head: every event's hash is recomputed from its content and
 * its predecessor's hash, positions are contiguous, the first kept event links to the last archived
 * one (or to 32 zero bytes), and the last event is the head Canopy recorded. A break is a security
 * event: logged as an error, published as {@link AuditChainBroken}, and shown by the gauge
 * {@code canopy_audit_chain_valid{tenant}}.
 */
@Component
class ChainVerifier {

    private static final Logger log = LoggerFactory.getLogger(ChainVerifier.class);
    static final String GAUGE = "canopy.audit.chain.valid";

    private final AuditEvents events;
    private final TenantTransactions scopes;
    private final ApplicationEventPublisher publisher;
    private final MeterRegistry meters;
    private final ConcurrentMap<UUID, AtomicInteger> gauges = new ConcurrentHashMap<>();

    ChainVerifier(AuditEvents events, TenantTransactions scopes, ApplicationEventPublisher publisher,
            MeterRegistry meters) {
        this.events = events;
        this.scopes = scopes;
        this.publisher = publisher;
        this.meters = meters;
    }

    /** The outcome: whether the chain is intact, how many events were checked, and the first bad one. */
    record Verification(boolean valid, long checked, @Nullable UUID firstBrokenId) {
    }

    /** Verifies the tenant's chain in its scope (joining the caller's transaction if there is one) and reports. */
    Verification verify(UUID tenantId) {
        Verification result = scopes.inTenant(tenantId, () -> check(tenantId));
        report(tenantId, result);
        return result;
    }

    private Verification check(UUID tenantId) {
        // the head first: events up to it are committed; later appends are not this verification's business
        AuditEvents.Head head = events.head(tenantId);
        AuditEvents.Anchor anchor = events.anchor(tenantId);
        var walk = new ChainWalk(anchor);
        events.streamRange(tenantId, anchor.seq() + 1, head.seq(), event -> {
            if (walk.checked() == 0 && event.seq() != walk.expectedSeq()) {
                // pruned meanwhile? the newest archive then tells where the kept chain starts
                walk.restartFrom(events.anchor(tenantId));
            }
            return walk.accept(event);
        });
        if (walk.broken() == null && !walk.endsAt(head.seq(), head.hash())) {
            // the chain ends short of the head Canopy recorded: its last events went missing
            return new Verification(false, walk.checked(), walk.lastId());
        }
        return new Verification(walk.broken() == null, walk.checked(), walk.broken());
    }

    /** Records the outcome: the gauge, and for a break an error log and {@link AuditChainBroken}. */
    void report(UUID tenantId, Verification result) {
        gauges.computeIfAbsent(tenantId, id -> {
            var value = new AtomicInteger(1);
            Gauge.builder(GAUGE, value, AtomicInteger::get)
                    .description("1 when the tenant's audit chain verified at its last check, 0 when it was broken")
                    .tag("tenant", id.toString())
                    .register(meters);
            return value;
        }).set(result.valid() ? 1 : 0);
        if (!result.valid()) {
            log.error("SECURITY: the audit chain of tenant {} is broken at event {} ({} events checked); "
                    + "audit rows were changed, removed or inserted outside Canopy", tenantId, result.firstBrokenId(),
                    result.checked());
            publisher.publishEvent(new AuditChainBroken(tenantId, result.firstBrokenId()));
        }
    }
}
