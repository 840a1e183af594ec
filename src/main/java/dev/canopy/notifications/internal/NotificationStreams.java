package dev.canopy.notifications.internal;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

import dev.canopy.platform.db.ChangeBroadcast;
import dev.canopy.platform.db.TenantTransactions;
import tools.jackson.databind.json.JsonMapper;

/**
 * Live notifications over server-sent events. Streams are grouped by user and tenant; when a user's notifications
 * change (announced through {@link ChangeBroadcast}, on whichever instance they were written) the group reads what
 * is new once and sends it to each of its streams: {@code notification} events whose {@code id:} is the
 * notification's id (UUIDv7, so a reconnect with {@code Last-Event-ID} resumes after it), then an {@code unread}
 * event with the count. Heartbeat comments keep proxies from closing idle streams and find readers that left.
 */
@Component
class NotificationStreams implements ChangeBroadcast.Listener, DisposableBean {

    private static final Duration LONGEST = Duration.ofHours(1);
    private static final int PAGE = 200;
    private static final UUID NONE = new UUID(0, 0);

    private static final Logger log = LoggerFactory.getLogger(NotificationStreams.class);

    private final NotificationStore store;
    private final TenantTransactions scopes;
    private final JsonMapper json;
    private final Map<Key, Group> groups = new ConcurrentHashMap<>();
    private final ScheduledExecutorService heartbeats = Executors.newSingleThreadScheduledExecutor(
            Thread.ofVirtual().name("notification-heartbeat").factory());

    NotificationStreams(NotificationStore store, TenantTransactions scopes, ChangeBroadcast changes, JsonMapper json,
            @Value("${canopy.notifications.heartbeat}") Duration heartbeat) {
        this.store = store;
        this.scopes = scopes;
        this.json = json;
        changes.subscribe(this);
        heartbeats.scheduleWithFixedDelay(this::beat, heartbeat.toMillis(), heartbeat.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    private record Key(UUID tenantId, UUID userId) {
    }

    /** One reader's connection and the last notification it was sent. */
    private static final class Stream {

        final SseEmitter emitter = new SseEmitter(LONGEST.toMillis());
        UUID last;
        /** The count this reader was last sent; -1 before the first. */
        long unread = -1;

        Stream(UUID last) {
            this.last = last;
        }
    }

    /** The streams of one user in one tenant; one thread at a time reads for them and sends. */
    private final class Group {

        final Key key;
        final Set<Stream> streams = ConcurrentHashMap.newKeySet();

        Group(Key key) {
            this.key = key;
        }

        /**
         * Reads what is new once (serialized once), then sends each stream its part; the streams of a group are
         * written in parallel (each by one thread, in order), so one slow reader does not hold up the others much.
         */
        synchronized void pump() {
            try {
                if (streams.isEmpty()) {
                    return;
                }
                UUID from = streams.stream().map(s -> s.last).min(NotificationStreams::compare).orElse(NONE);
                var fresh = new ArrayList<Notification>();
                List<Notification> page;
                do {
                    UUID after = from;
                    page = scopes.inTenant(key.tenantId(), () -> store.after(key.tenantId(), key.userId(), after,
                            PAGE));
                    fresh.addAll(page);
                    from = page.isEmpty() ? from : page.getLast().id();
                } while (page.size() == PAGE);
                long unread = scopes.inTenant(key.tenantId(), () -> store.unread(key.tenantId(), key.userId()));
                List<String> bodies = fresh.stream().map(json::writeValueAsString).toList();
                String count = "{\"unread\":" + unread + "}";
                List<Stream> all = List.copyOf(streams);
                if (all.size() == 1) {
                    sendTo(all.getFirst(), fresh, bodies, unread, count);
                    return;
                }
                try (var writers = Executors.newVirtualThreadPerTaskExecutor()) {
                    for (Stream stream : all) {
                        writers.execute(() -> sendTo(stream, fresh, bodies, unread, count));
                    }
                }
            }
            catch (RuntimeException e) {
                // the database is away (a restart, shutting down): the next change or missedChanges() tries again
                log.warn("Notification streams of a user could not be updated: {}", e.getMessage());
            }
        }

        private void sendTo(Stream s, List<Notification> fresh, List<String> bodies, long unread, String count) {
            for (int i = 0; i < fresh.size(); i++) {
                Notification n = fresh.get(i);
                if (compare(n.id(), s.last) > 0) {
                    if (!send(s, SseEmitter.event().id(n.id().toString()).name("notification").data(bodies.get(i)))) {
                        return;
                    }
                    s.last = n.id();
                }
            }
            // a change is announced twice on the instance that made it (at commit and by NOTIFY): the count is sent
            // when it differs
            if (s.unread != unread && send(s, SseEmitter.event().name("unread").data(count))) {
                s.unread = unread;
            }
        }

        /** Sends, or drops the stream when its reader has gone. */
        boolean send(Stream stream, SseEmitter.SseEventBuilder event) {
            try {
                stream.emitter.send(event);
                return true;
            }
            catch (IOException | IllegalStateException e) {
                remove(this, stream);
                stream.emitter.completeWithError(e);
                return false;
            }
        }
    }

    /**
     * Opens a stream of the user's notifications in the tenant after {@code after} (Last-Event-ID), or, without
     * it, of those yet to come. It starts with the unread count.
     */
    SseEmitter open(UUID tenantId, UUID userId, @Nullable UUID after) {
        Key key = new Key(tenantId, userId);
        UUID start = after != null ? after
                : Objects.requireNonNullElse(scopes.inTenant(tenantId, () -> store.newest(tenantId, userId)), NONE);
        var stream = new Stream(start);
        Group group = groups.compute(key, (k, g) -> {
            Group found = g != null ? g : new Group(k);
            found.streams.add(stream);
            return found;
        });
        stream.emitter.onCompletion(() -> remove(group, stream));
        stream.emitter.onTimeout(() -> remove(group, stream));
        stream.emitter.onError(e -> remove(group, stream));
        // registered before the first read: whatever commits from now on wakes this group
        Thread.ofVirtual().name("notification-stream-open").start(group::pump);
        return stream.emitter;
    }

    @Override
    public void changed(String topic, String key) {
        if (!topic.equals(EventNotices.TOPIC)) {
            return;
        }
        UUID userId;
        try {
            userId = UUID.fromString(key);
        }
        catch (IllegalArgumentException e) {
            return;
        }
        groups.values().stream().filter(g -> g.key.userId().equals(userId))
                .forEach(g -> Thread.ofVirtual().name("notification-stream").start(g::pump));
    }

    @Override
    public void missedChanges() {
        groups.values().forEach(g -> Thread.ofVirtual().name("notification-stream").start(g::pump));
    }

    private void remove(Group group, Stream stream) {
        group.streams.remove(stream);
        groups.computeIfPresent(group.key, (k, g) -> g.streams.isEmpty() ? null : g);
    }

    private void beat() {
        for (Group group : groups.values()) {
            for (Stream stream : group.streams) {
                group.send(stream, SseEmitter.event().comment("heartbeat"));
            }
        }
    }

    /** UUIDv7 order, which is unsigned byte order (as PostgreSQL compares them), not {@link UUID#compareTo}'s. */
    static int compare(UUID a, UUID b) {
        int high = Long.compareUnsigned(a.getMostSignificantBits(), b.getMostSignificantBits());
        return high != 0 ? high : Long.compareUnsigned(a.getLeastSignificantBits(), b.getLeastSignificantBits());
    }

    @Override
    public void destroy() {
        heartbeats.shutdownNow();
        groups.values().forEach(g -> g.streams.forEach(s -> s.emitter.complete()));
    }
}
