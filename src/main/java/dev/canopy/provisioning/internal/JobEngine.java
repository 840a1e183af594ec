package dev.canopy.provisioning.internal;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

import dev.canopy.platform.db.ChangeBroadcast;
import dev.canopy.platform.db.IndependentTransaction;

/**
 * The worker loop of one instance: claims due jobs (as many as it has free workers), runs them, renews their
 * leases, and retries or finishes them. It sleeps until a job is announced (LISTEN/NOTIFY through
 * {@link ChangeBroadcast}) or the next known due time, never polling in a busy loop.
 */
@Component
class JobEngine implements SmartLifecycle, ChangeBroadcast.Listener {

    private static final Logger log = LoggerFactory.getLogger(JobEngine.class);

    private final JobQueue queue;
    private final IndependentTransaction transactions;
    private final JobSettings settings;
    private final Map<String, JobHandler> handlers;
    private final String owner = ManagementFactory.getRuntimeMXBean().getName() + "/" + UUID.randomUUID();
    private final Semaphore wakeUp = new Semaphore(0);
    private final Map<UUID, JobLease> held = new ConcurrentHashMap<>();
    private volatile boolean running;
    private volatile Instant lastClaim = Instant.now();
    private volatile Instant lastHeartbeat = Instant.now();
    private Thread loop;
    private Thread heartbeats;
    private ExecutorService workers;

    JobEngine(JobQueue queue, IndependentTransaction transactions, JobSettings settings, List<JobHandler> handlers,
            ChangeBroadcast changes) {
        this.queue = queue;
        this.transactions = transactions;
        this.settings = settings;
        this.handlers = handlers.stream().collect(Collectors.toMap(JobHandler::kind, Function.identity()));
        changes.subscribe(this);
    }

    @Override
    public void changed(String topic, String key) {
        if (topic.equals(JobQueue.TOPIC)) {
            wakeUp.release();
        }
    }

    @Override
    public void missedChanges() {
        wakeUp.release();
    }

    /** Whether the loop claimed (or tried to) recently: what the health check reports. */
    boolean claiming() {
        Duration quiet = settings.idleWait().multipliedBy(3).plus(settings.lease());
        return running && loop.isAlive() && lastClaim.isAfter(Instant.now().minus(quiet));
    }

    String owner() {
        return owner;
    }

    int busy() {
        return held.size();
    }

    @Override
    public void start() {
        if (!settings.enabled()) {
            return;
        }
        running = true;
        workers = Executors.newFixedThreadPool(settings.workers(), Thread.ofPlatform().name("canopy-job-", 0)
                .daemon().factory());
        loop = Thread.ofPlatform().name("canopy-job-claims").daemon().start(this::claimLoop);
        heartbeats = Thread.ofPlatform().name("canopy-job-heartbeats").daemon().start(this::heartbeatLoop);
    }

    @Override
    public void stop() {
        running = false;
        if (loop == null) {
            return;
        }
        wakeUp.release();
        loop.interrupt();
        heartbeats.interrupt();
        workers.shutdownNow();
        try {
            workers.awaitTermination(5, TimeUnit.SECONDS);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        // stops before the change listener and the data source it needs
        return SmartLifecycle.DEFAULT_PHASE - 100;
    }

    private void claimLoop() {
        while (running) {
            try {
                int free = settings.workers() - held.size();
                List<Job> claimed = free > 0 ? transactions.run(() -> queue.claim(owner, free, settings.lease()))
                        : List.of();
                lastClaim = Instant.now();
                claimed.forEach(this::dispatch);
                if (free > 0 && claimed.size() == free) {
                    continue; // more may be due right now
                }
                wakeUp.drainPermits();
                wakeUp.tryAcquire(untilNextDue(free).toMillis(), TimeUnit.MILLISECONDS);
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            catch (RuntimeException e) {
                if (running) {
                    log.warn("Claiming jobs failed; trying again shortly: {}", e.getMessage());
                    sleep(Duration.ofSeconds(1));
                }
            }
        }
    }

    private Duration untilNextDue(int free) {
        Duration idle = settings.idleWait();
        if (free <= 0) {
            return idle; // a finishing worker wakes the loop
        }
        return transactions.run(queue::nextDue)
                .map(at -> Duration.between(Instant.now(), at).plusMillis(5))
                .filter(wait -> wait.compareTo(idle) < 0)
                .map(wait -> wait.isNegative() ? Duration.ZERO : wait)
                .orElse(idle);
    }

    /**
     * Runs the job on a worker, which then goes on with the next due job it claims in the transaction that finishes
     * this one: a busy queue costs one transaction per job, and no job waits on a worker that has not started it.
     */
    private void dispatch(Job first) {
        held.put(first.id(), new JobLease(owner));
        workers.execute(() -> {
            Job job = first;
            while (job != null) {
                JobLease lease = held.get(job.id());
                Job next = null;
                try {
                    next = execute(job, lease);
                    if (next != null) {
                        held.put(next.id(), new JobLease(owner)); // before the current one goes: never over capacity
                    }
                }
                finally {
                    held.remove(job.id());
                }
                job = next;
            }
            wakeUp.release();
        });
    }

    /** One attempt of the job; answers the next job claimed when this one was let go, if any. */
    private @Nullable Job execute(Job job, JobLease lease) {
        JobHandler handler = handlers.get(job.kind());
        if (job.attempts() > job.maxAttempts()) {
            // its workers died (or lost it) on every attempt it had
            handler.exhausted(job, "the job's worker stopped during each of its " + job.maxAttempts() + " attempts");
            return letGo(() -> queue.complete(job.id(), owner));
        }
        JobHandler.Outcome outcome;
        try {
            outcome = handler.attempt(job, lease);
        }
        catch (RuntimeException e) {
            log.warn("Job {} ({} {}) failed: {}", job.id(), job.kind(), job.subjectId(), e.toString());
            outcome = new JobHandler.Outcome.Retry(e.getMessage() == null ? e.toString() : e.getMessage());
        }
        if (lease.lost()) {
            return null; // another worker holds it now; what this one did is fenced off by the lease checks
        }
        return finish(job, handler, outcome);
    }

    private @Nullable Job finish(Job job, JobHandler handler, JobHandler.Outcome outcome) {
        return switch (outcome) {
            case JobHandler.Outcome.Done done -> letGo(() -> queue.complete(job.id(), owner));
            case JobHandler.Outcome.WaitUntil wait ->
                letGo(() -> queue.release(job.id(), owner, wait.at(), false, null));
            case JobHandler.Outcome.Retry retry -> {
                if (job.lastAttempt()) {
                    handler.exhausted(job, retry.error());
                    yield letGo(() -> queue.complete(job.id(), owner));
                }
                Instant at = Instant.now().plus(Backoff.after(job.attempts(), settings.backoffBase(),
                        settings.backoffMax()));
                yield letGo(() -> queue.release(job.id(), owner, at, true, retry.error()));
            }
        };
    }

    /** Lets the job go and, in the same transaction, claims the next due one while the engine runs. */
    private @Nullable Job letGo(Runnable release) {
        return transactions.run(() -> {
            release.run();
            if (!running) {
                return null;
            }
            List<Job> next = queue.claim(owner, 1, settings.lease());
            return next.isEmpty() ? null : next.getFirst();
        });
    }

    private void heartbeatLoop() {
        while (running) {
            sleep(settings.heartbeat());
            try {
                List<UUID> ids = List.copyOf(held.keySet());
                List<UUID> lost = transactions.run(() -> queue.heartbeat(owner, ids, settings.lease()));
                lastHeartbeat = Instant.now();
                for (UUID id : lost) {
                    JobLease lease = held.get(id);
                    if (lease != null) {
                        log.warn("Lost the lease of job {}: another worker took it over; stopping it here", id);
                        lease.markLost();
                    }
                }
            }
            catch (RuntimeException e) {
                if (running) {
                    log.warn("Renewing job leases failed: {}", e.getMessage());
                }
            }
        }
    }

    Instant lastHeartbeat() {
        return lastHeartbeat;
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
