package dev.canopy.support;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;

import org.jspecify.annotations.Nullable;

/**
 * A server-sent events reader over real HTTP, as a browser's EventSource reads: it parses {@code id:},
 * {@code event:} and {@code data:} lines into events and queues them (comments, such as heartbeats, are counted).
 */
public final class EventStream implements AutoCloseable {

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();

    /** One event; {@code received} is {@link System#nanoTime()} when its blank line was read. */
    public record Event(@Nullable String id, String name, String data, long received) {
    }

    private final HttpResponse<Stream<String>> response;
    private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    private volatile int comments;
    private final Thread reader;

    private EventStream(HttpResponse<Stream<String>> response) {
        this.response = response;
        this.reader = Thread.ofVirtual().name("sse-reader").start(this::read);
    }

    /** Opens the stream; answers the response when it is not an event stream (an error). */
    public static EventStream open(String url, @Nullable String token, Map<String, String> headers) {
        var request = HttpRequest.newBuilder(URI.create(url)).header("Accept", "text/event-stream").GET();
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        headers.forEach(request::header);
        try {
            return new EventStream(HTTP.send(request.build(), HttpResponse.BodyHandlers.ofLines()));
        }
        catch (IOException e) {
            throw new IllegalStateException(e);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public int status() {
        return response.statusCode();
    }

    public String contentType() {
        return response.headers().firstValue("Content-Type").orElse("");
    }

    /** The body of a response that is not a stream (a problem), read to its end. */
    public String text() {
        try {
            reader.join(5000);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return String.join("\n", lines);
    }

    private final List<String> lines = java.util.Collections.synchronizedList(new ArrayList<>());

    private void read() {
        String id = null;
        String name = "message";
        var data = new StringBuilder();
        try (Stream<String> body = response.body()) {
            var it = body.iterator();
            while (it.hasNext()) {
                String line = it.next();
                lines.add(line);
                if (line.isEmpty()) {
                    if (!data.isEmpty()) {
                        events.add(new Event(id, name, data.toString(), System.nanoTime()));
                    }
                    id = null;
                    name = "message";
                    data.setLength(0);
                }
                else if (line.startsWith(":")) {
                    comments++;
                }
                else if (line.startsWith("id:")) {
                    id = line.substring(3).strip();
                }
                else if (line.startsWith("event:")) {
                    name = line.substring(6).strip();
                }
                else if (line.startsWith("data:")) {
                    data.append(data.isEmpty() ? "" : "\n").append(line.substring(5).strip());
                }
            }
        }
        catch (RuntimeException e) {
            // closed
        }
    }

    /** The next event with the name, skipping others; fails after the timeout. */
    public Event next(String name, Duration timeout) {
        return next(e -> e.name().equals(name), timeout, "an event '" + name + "'");
    }

    public Event next(Predicate<Event> matching, Duration timeout, String what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            while (true) {
                long left = deadline - System.nanoTime();
                Event event = left > 0 ? events.poll(left, TimeUnit.NANOSECONDS) : null;
                if (event == null) {
                    throw new AssertionError("No " + what + " within " + timeout + "; read so far: " + lines);
                }
                if (matching.test(event)) {
                    return event;
                }
            }
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Events already queued or arriving within the wait, with the name. */
    public List<Event> drain(String name, Duration wait) {
        sleep(wait);
        var all = new ArrayList<Event>();
        events.drainTo(all);
        return all.stream().filter(e -> e.name().equals(name)).toList();
    }

    public int comments() {
        return comments;
    }

    private static void sleep(Duration wait) {
        try {
            Thread.sleep(wait);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        reader.interrupt();
        try {
            response.body().close();
        }
        catch (RuntimeException e) {
            // already closed
        }
    }
}
