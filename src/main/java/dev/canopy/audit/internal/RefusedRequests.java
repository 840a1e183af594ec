package dev.canopy.audit.internal;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.atomic.AtomicLong;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.event.EventListener;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

import dev.canopy.audit.Actor;
import dev.canopy.audit.AuditRecord;
import dev.canopy.platform.db.IndependentTransaction;
import dev.canopy.platform.web.RequestRefused;
import jakarta.annotation.PreDestroy;

/**
 * Audits requests refused before any handler (throttled sign-ins, bodies over the limit, bad bearer tokens) as
 * one {@code request.refused} record per kind, source address and minute, with the count, in the platform's
 * chain: an attack of a million requests adds a record a minute per address, not a million. Counts are kept in
 * memory and appended once their minute is over, so a crash loses at most the last minute's; each instance
 * appends its own. Past {@link #MAX_SOURCES} addresses in a minute the rest share the source {@code *}.
 */
@Component
class RefusedRequests {

    static final String ACTION = "request.refused";
    static final int MAX_SOURCES = 10_000;
    /** The codes and paths a record lists, at most. */
    private static final int MAX_LISTED = 5;

    private static final Logger log = LoggerFactory.getLogger(RefusedRequests.class);

    private record Window(String kind, String source, long minute) {
    }

    private static final class Tally {
        final AtomicLong count = new AtomicLong();
        final int status;
        final Set<String> codes = new ConcurrentSkipListSet<>();
        final Set<String> paths = new ConcurrentSkipListSet<>();

        Tally(int status) {
            this.status = status;
        }

        void add(RequestRefused refused) {
            count.incrementAndGet();
            if (codes.size() < MAX_LISTED) {
                codes.add(refused.code());
            }
            if (paths.size() < MAX_LISTED) {
                paths.add(refused.method() + " " + refused.path());
            }
        }
    }

    private final Map<Window, Tally> tallies = new ConcurrentHashMap<>();
    private final AuditChain chain;
    private final IndependentTransaction independent;

    RefusedRequests(AuditChain chain, IndependentTransaction independent) {
        this.chain = chain;
        this.independent = independent;
    }

    @EventListener
    void count(RequestRefused refused) {
        long minute = refused.at().getEpochSecond() / 60;
        var window = new Window(refused.kind().key(), refused.source(), minute);
        if (!tallies.containsKey(window) && tallies.size() >= MAX_SOURCES) {
            window = new Window(refused.kind().key(), "*", minute);
        }
        tallies.computeIfAbsent(window, w -> new Tally(refused.status())).add(refused);
    }

    @Scheduled(fixedDelayString = "${canopy.audit.refusals-flush-interval:15s}")
    void appendEnded() {
        append(Instant.now().getEpochSecond() / 60);
    }

    @PreDestroy
    void appendOnShutdown() {
        appendAll();
    }

    /** Appends every window, the current minute's too. */
    int appendAll() {
        return append(Long.MAX_VALUE);
    }

    /** Appends the windows of minutes before {@code beforeMinute}; answers how many records were appended. */
    int append(long beforeMinute) {
        List<Window> ended = new ArrayList<>(tallies.keySet().stream().filter(w -> w.minute() < beforeMinute)
                .sorted(java.util.Comparator.comparingLong(Window::minute)).toList());
        int appended = 0;
        for (Window window : ended) {
            Tally tally = tallies.remove(window);
            if (tally == null) {
                continue;
            }
            Instant start = Instant.ofEpochSecond(window.minute() * 60);
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("kind", window.kind());
            details.put("count", tally.count.get());
            details.put("window_start", start.toString());
            details.put("window_end", start.plusSeconds(60).toString());
            details.put("codes", List.copyOf(tally.codes));
            details.put("paths", List.copyOf(tally.paths));
            var record = new AuditRecord(AuditRecord.PLATFORM, Instant.now(), new Actor.Anonymous(), ACTION, null,
                    null, false, tally.status, window.source(), null, null, details);
            try {
                independent.run(() -> chain.append(record));
                appended++;
            }
            catch (RuntimeException e) {
                log.error("The audit record of {} {} refusals from {} could not be written", tally.count.get(),
                        window.kind(), window.source(), e);
            }
        }
        return appended;
    }
}
