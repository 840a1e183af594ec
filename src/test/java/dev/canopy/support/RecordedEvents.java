package dev.canopy.support;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.modulith.events.ApplicationModuleListener;
import org.springframework.stereotype.Component;

import dev.canopy.platform.events.EventEnvelope;

/**
 * Hears every domain event's envelope as a module would (through the event publication registry), so tests can see
 * what was published, and make deliveries of one event fail to see them handed over again. Scanned into the one
 * shared test context.
 */
@Component
// benchmarks turn it off: a listener of every event costs the outbox as much as a real one
@ConditionalOnProperty(name = "canopy.test.recorded-events", havingValue = "true", matchIfMissing = true)
public class RecordedEvents {

    private final List<EventEnvelope> heard = new CopyOnWriteArrayList<>();
    private final Map<UUID, AtomicInteger> deliveries = new ConcurrentHashMap<>();
    private final Map<UUID, AtomicInteger> failuresFor = new ConcurrentHashMap<>();

    @ApplicationModuleListener
    void on(EventEnvelope envelope) {
        deliveries.computeIfAbsent(envelope.id(), id -> new AtomicInteger()).incrementAndGet();
        AtomicInteger left = failuresFor.get(envelope.subject().id());
        if (left != null && left.getAndDecrement() > 0) {
            throw new IllegalStateException("RecordedEvents fails this delivery on purpose");
        }
        heard.add(envelope);
    }

    /** The next {@code times} deliveries of events about this subject throw. */
    public void failFor(UUID subjectId, int times) {
        failuresFor.put(subjectId, new AtomicInteger(times));
    }

    /** How often the event was handed to this listener (failed deliveries included). */
    public int deliveries(UUID eventId) {
        AtomicInteger n = deliveries.get(eventId);
        return n == null ? 0 : n.get();
    }

    /** The first envelope heard that matches, waiting up to {@code wait} for it. */
    public Optional<EventEnvelope> await(Predicate<EventEnvelope> match, Duration wait) {
        Instant until = Instant.now().plus(wait);
        do {
            Optional<EventEnvelope> found = heard.stream().filter(match).findFirst();
            if (found.isPresent()) {
                return found;
            }
            try {
                Thread.sleep(20);
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Optional.empty();
            }
        } while (Instant.now().isBefore(until));
        return Optional.empty();
    }

    public List<EventEnvelope> about(UUID subjectId) {
        return heard.stream().filter(e -> e.subject().id().equals(subjectId)).toList();
    }
}
