package dev.canopy.integration.internal.webhooks;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

import dev.canopy.integration.internal.webhooks.DeliveryQueue.Claim;
import dev.canopy.platform.db.ChangeBroadcast;

/**
 * Sends due deliveries of every tenant: one dispatcher claims as many as it has free workers (at most
 * {@code canopy.webhooks.workers} attempts at once) and hands each tenant's share to one batch (read together, sent
 * in parallel, recorded together). It is woken at once when any instance enqueues
 * a delivery (the {@link #TOPIC} change, LISTEN/NOTIFY) and otherwise polls every
 * {@code canopy.webhooks.poll-interval} for retries that came due and leases that ran out.
 */
@Component
class DeliveryWorker implements SmartLifecycle, ChangeBroadcast.Listener {

    /** The change announced when deliveries are enqueued. */
    static final String TOPIC = "webhook_deliveries";

    /** Up to this many free workers are waited for, at most {@link #BATCH_WAIT}, before a claim. */
    private static final int BATCH = 16;
    private static final Duration BATCH_WAIT = Duration.ofMillis(5);

    private static final Logger log = LoggerFactory.getLogger(DeliveryWorker.class);

    private final DeliveryQueue queue;
    private final DeliveryAttempts attempts;
    private final boolean enabled;
    private final int workers;
    private final Duration pollInterval;
    private final Duration lease;
    private final Semaphore free;
    private final Semaphore wake = new Semaphore(0);
    private volatile boolean running;
    private volatile Thread dispatcher;
    private ExecutorService executor;

    DeliveryWorker(DeliveryQueue queue, DeliveryAttempts attempts, ChangeBroadcast changes,
            @Value("${canopy.webhooks.worker-enabled}") boolean enabled,
            @Value("${canopy.webhooks.workers}") int workers,
            @Value("${canopy.webhooks.poll-interval}") Duration pollInterval,
            @Value("${canopy.webhooks.request-timeout}") Duration requestTimeout) {
        this.queue = queue;
        this.attempts = attempts;
        this.enabled = enabled;
        this.workers = Math.max(1, workers);
        this.pollInterval = pollInterval;
        // long enough for the attempt and its recording; a worker that dies is replaced after this
        this.lease = requestTimeout.multipliedBy(3);
        this.free = new Semaphore(this.workers);
        changes.subscribe(this);
    }

    Duration lease() {
        return lease;
    }

    @Override
    public void changed(String topic, String key) {
        if (TOPIC.equals(topic)) {
            wake.release();
        }
    }

    @Override
    public void missedChanges() {
        wake.release();
    }

    @Override
    public void start() {
        running = true;
        if (!enabled) {
            return;
        }
        executor = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("canopy-webhook-", 0).factory());
        dispatcher = Thread.ofVirtual().name("canopy-webhook-dispatcher").start(this::dispatch);
    }

    @Override
    public void stop() {
        running = false;
        wake.release();
        Thread thread = dispatcher;
        if (thread != null) {
            try {
                thread.join(Duration.ofSeconds(2));
                executor.shutdown();
                // attempts under way finish (each is bounded by the request timeout) or are claimed again later
                executor.awaitTermination(5, TimeUnit.SECONDS);
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        // stops before the change listener and the connection pool it needs
        return SmartLifecycle.DEFAULT_PHASE - 10;
    }

    /** Attempts a tenant's claimed deliveries; each frees its worker when its attempt is over. */
    private void attemptAll(UUID tenantId, List<UUID> deliveryIds) {
        AtomicInteger held = new AtomicInteger(deliveryIds.size());
        Runnable sent = () -> {
            if (held.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                free.release();
            }
        };
        try {
            attempts.attemptAll(tenantId, deliveryIds, sent);
        }
        catch (RuntimeException e) {
            // the leases run out and the deliveries are claimed again
            log.warn("Webhook delivery attempts failed ({}); they are retried when their leases end", e.toString());
        }
        finally {
            free.release(held.getAndSet(0));
        }
    }

    private void dispatch() {
        while (running) {
            try {
                free.acquire();
                // while attempts are under way, wait a moment for more to end: a claim, read and record per batch
                // rather than per delivery
                int more = Math.min(BATCH, workers) - 1;
                int slots = 1 + (free.tryAcquire(more, BATCH_WAIT.toMillis(), TimeUnit.MILLISECONDS) ? more : 0)
                        + free.drainPermits();
                // announcements from here on wake the sleep below; older ones are answered by this claim
                wake.drainPermits();
                List<Claim> claimed;
                try {
                    claimed = queue.claim(slots, lease);
                }
                catch (RuntimeException e) {
                    free.release(slots);
                    throw e;
                }
                free.release(slots - claimed.size());
                claimed.stream().collect(Collectors.groupingBy(Claim::tenantId, LinkedHashMap::new,
                        Collectors.mapping(Claim::deliveryId, Collectors.toList())))
                        .forEach((tenantId, ids) -> executor.execute(() -> attemptAll(tenantId, ids)));
                if (claimed.size() < slots) {
                    wake.tryAcquire(pollInterval.toMillis(), TimeUnit.MILLISECONDS);
                }
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            catch (RuntimeException e) {
                if (running) {
                    log.warn("Claiming webhook deliveries failed; retrying: {}", e.getMessage());
                    try {
                        Thread.sleep(pollInterval.toMillis());
                    }
                    catch (InterruptedException interrupted) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
            }
        }
    }
}
