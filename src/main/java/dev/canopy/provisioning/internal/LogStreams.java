package dev.canopy.provisioning.internal;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import org.springframework.stereotype.Component;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

import dev.canopy.platform.db.ChangeBroadcast;
import dev.canopy.platform.db.TenantTransactions;

/**
 * Live run logs over server-sent events: each event is a stored line with {@code id: <seq>}, so a reader that
 * reconnects with {@code Last-Event-ID} resumes after the last line it got. A stream sleeps until a batch of its
 * run is announced (on whichever instance wrote it) and ends with an {@code end} event once the run has finished
 * and every line is sent.
 */
@Component
class LogStreams implements ChangeBroadcast.Listener {

    private static final Duration LONGEST = Duration.ofHours(1);
    private static final int PAGE = 1000;

    private final RunLogs logs;
    private final Runs runs;
    private final TenantTransactions scopes;
    private final Map<UUID, List<Semaphore>> waiting = new ConcurrentHashMap<>();

    LogStreams(RunLogs logs, Runs runs, TenantTransactions scopes, ChangeBroadcast changes) {
        this.logs = logs;
        this.runs = runs;
        this.scopes = scopes;
        changes.subscribe(this);
    }

    @Override
    public void changed(String topic, String key) {
        if (topic.equals(RunLogWriter.TOPIC)) {
            wake(UUID.fromString(key));
        }
    }

    @Override
    public void missedChanges() {
        waiting.values().forEach(list -> list.forEach(Semaphore::release));
    }

    private void wake(UUID runId) {
        List<Semaphore> list = waiting.get(runId);
        if (list != null) {
            list.forEach(Semaphore::release);
        }
    }

    SseEmitter stream(UUID tenantId, UUID runId, long after) {
        var emitter = new SseEmitter(LONGEST.toMillis());
        var signal = new Semaphore(0);
        waiting.computeIfAbsent(runId, id -> new CopyOnWriteArrayList<>()).add(signal);
        Thread.ofVirtual().name("run-log-stream-" + runId).start(() -> {
            try {
                send(emitter, tenantId, runId, after, signal);
                emitter.complete();
            }
            catch (IOException | IllegalStateException e) {
                emitter.completeWithError(e); // the reader went away
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                emitter.complete();
            }
            finally {
                waiting.computeIfPresent(runId, (id, list) -> {
                    list.remove(signal);
                    return list.isEmpty() ? null : list;
                });
            }
        });
        return emitter;
    }

    private void send(SseEmitter emitter, UUID tenantId, UUID runId, long after, Semaphore signal)
            throws IOException, InterruptedException {
        long last = after;
        long deadline = System.nanoTime() + LONGEST.toNanos();
        while (System.nanoTime() < deadline) {
            // the run's state is read before its lines, so lines stored before it finished are all sent
            boolean finished = scopes.inTenant(tenantId, () -> runs.find(tenantId, runId)).map(r -> r.state()
                    .terminal()).orElse(true);
            long from = last;
            List<LogLine> lines = scopes.inTenant(tenantId, () -> logs.after(tenantId, runId, from, PAGE));
            for (LogLine line : lines) {
                emitter.send(SseEmitter.event().id(Long.toString(line.seq())).name("line").data(line));
                last = line.seq();
            }
            if (lines.size() == PAGE) {
                continue;
            }
            if (finished) {
                emitter.send(SseEmitter.event().name("end").data(Map.of("last_seq", last)));
                return;
            }
            signal.drainPermits();
            signal.tryAcquire(1, TimeUnit.SECONDS);
        }
    }
}
