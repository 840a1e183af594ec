package dev.canopy.provisioning.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import dev.canopy.platform.db.ChangeBroadcast;
import dev.canopy.platform.db.TenantTransactions;

/**
 * A run's log while it executes: each line is redacted and numbered at once, then stored in batches (every
 * {@link #FLUSH_EVERY} or {@link #BATCH} lines, whichever comes first), and every stored batch is announced so live
 * readers fetch it without polling. Closing stores what is left.
 */
final class RunLogWriter implements LineSink, AutoCloseable {

    static final String TOPIC = "run_log";
    static final Duration FLUSH_EVERY = Duration.ofMillis(50);
    private static final int BATCH = 2000;
    private static final int MAX_LINE = 8192;

    private final UUID tenantId;
    private final UUID runId;
    private final Redactor redactor;
    private final RunLogs logs;
    private final TenantTransactions scopes;
    private final ChangeBroadcast changes;
    private final Thread flusher;
    private final Object storing = new Object();
    private List<LogLine> pending = new ArrayList<>();
    private long seq;
    private volatile boolean open = true;

    RunLogWriter(UUID tenantId, UUID runId, Redactor redactor, RunLogs logs, TenantTransactions scopes,
            ChangeBroadcast changes) {
        this.tenantId = tenantId;
        this.runId = runId;
        this.redactor = redactor;
        this.logs = logs;
        this.scopes = scopes;
        this.changes = changes;
        this.seq = scopes.inTenant(tenantId, () -> logs.lastSeq(tenantId, runId));
        this.flusher = Thread.ofVirtual().name("run-log-" + runId).start(this::flushPeriodically);
    }

    @Override
    public void line(String stream, String level, String text) {
        String clean = redactor.redact(text.length() > MAX_LINE ? text.substring(0, MAX_LINE) + " [truncated]" : text);
        boolean full;
        synchronized (this) {
            pending.add(new LogLine(++seq, Instant.now(), stream, level, clean));
            full = pending.size() >= BATCH;
        }
        if (full) {
            flush();
        }
    }

    /** Stores the lines written so far. */
    void flush() {
        List<LogLine> batch;
        synchronized (this) {
            if (pending.isEmpty()) {
                return;
            }
            batch = pending;
            pending = new ArrayList<>();
        }
        synchronized (storing) {
            // batches of one run go in order, so a reader paging by sequence never skips a late batch
            try {
                scopes.inTenant(tenantId, () -> {
                    logs.append(tenantId, runId, batch);
                    changes.publish(TOPIC, runId.toString());
                });
            }
            catch (RuntimeException e) {
                synchronized (this) {
                    batch.addAll(pending);
                    pending = batch; // kept for the next flush
                }
                throw e;
            }
        }
    }

    private void flushPeriodically() {
        while (open) {
            try {
                Thread.sleep(FLUSH_EVERY);
                flush();
            }
            catch (InterruptedException e) {
                return;
            }
            catch (RuntimeException e) {
                // the lines stay pending; the next flush (or close) stores them
            }
        }
    }

    @Override
    public void close() {
        open = false;
        flusher.interrupt();
        flush();
    }
}
