package dev.canopy.integration.internal.kafka;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.context.event.EventListener;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.scheduling.annotation.Async;
import org.springframework.transaction.event.TransactionalEventListener;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

import dev.canopy.platform.events.EventEnvelope;
import tools.jackson.databind.json.JsonMapper;

/**
 * Writes every {@link EventEnvelope} to Kafka: topic {@code <prefix><family>}, key the tenant id, value the envelope's
 * JSON, headers {@code event_id} and {@code event_type}. {@link #export} is the outbox's listener: Spring Modulith's
 * registry keeps a publication per envelope and marks it complete when the returned future completes, that is when
 * the broker acknowledged the record (acks=all); a failed or timed-out send leaves it for the resubmission.
 *
 * <p>A tenant's events keep their order: {@link #queueAtCommit} hands each envelope, the moment its transaction
 * commits, to one sender thread, which calls the producer in commit order (the producer, idempotent with at most 5
 * requests in flight, keeps that order within the tenant's partition). The outbox listener itself runs on a thread
 * of its own (as {@code @ApplicationModuleListener}s do), where two events committed a moment apart could reach the
 * producer in either order; it only waits for the send queued at commit, or queues one when it is handed a
 * publication again (resubmission, restart). Neither path makes the committing thread wait for Kafka or the database.
 */
class KafkaEventExport implements DisposableBean {

    static final String EVENT_ID = "event_id";
    static final String EVENT_TYPE = "event_type";

    private final Producer<String, byte[]> producer;
    private final JsonMapper json;
    private final String topicPrefix;
    private final ThreadPoolExecutor sender;
    private final ExecutorService acknowledgements = Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("canopy-kafka-ack-", 0).factory());
    /** Sends queued at commit that the outbox listener has not picked up yet. */
    private final Map<UUID, CompletableFuture<Void>> queuedAtCommit = new ConcurrentHashMap<>();

    KafkaEventExport(Producer<String, byte[]> producer, JsonMapper json, String topicPrefix, int queueCapacity) {
        this.producer = producer;
        this.json = json;
        this.topicPrefix = topicPrefix;
        this.sender = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(queueCapacity),
                Thread.ofPlatform().name("canopy-kafka-send").daemon().factory());
    }

    /** In the publishing transaction: queues the send when it commits, before the outbox listener is started. */
    @EventListener
    @Order(Ordered.HIGHEST_PRECEDENCE)
    public void queueAtCommit(EventEnvelope envelope) {
        if (!TransactionSynchronizationManager.isSynchronizationActive()) {
            return; // the registry drops it too; EnvelopeWrapping never publishes without a transaction
        }
        TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
            @Override
            public void afterCommit() {
                queuedAtCommit.put(envelope.id(), queue(envelope));
            }

            @Override
            public int getOrder() {
                return Ordered.HIGHEST_PRECEDENCE;
            }
        });
    }

    /**
     * The outbox's listener. Completes (with nothing: a result would be published as a new event) once the broker has
     * the record. No transaction: it touches no table and waits for Kafka, which must not hold a connection.
     */
    @Async
    @TransactionalEventListener
    public CompletableFuture<Void> export(EventEnvelope envelope) {
        CompletableFuture<Void> queued = queuedAtCommit.remove(envelope.id());
        return queued != null ? queued : queue(envelope);
    }

    private CompletableFuture<Void> queue(EventEnvelope envelope) {
        CompletableFuture<Void> acknowledged = new CompletableFuture<>();
        try {
            sender.execute(() -> send(envelope, acknowledged));
        }
        catch (RejectedExecutionException e) {
            acknowledged.completeExceptionally(new IllegalStateException(
                    "Kafka export queue full or stopped; event " + envelope.id() + " waits for the resubmission"));
        }
        return acknowledged;
    }

    private void send(EventEnvelope envelope, CompletableFuture<Void> acknowledged) {
        try {
            var headers = new RecordHeaders();
            headers.add(EVENT_ID, envelope.id().toString().getBytes(StandardCharsets.UTF_8));
            headers.add(EVENT_TYPE, envelope.type().getBytes(StandardCharsets.UTF_8));
            var record = new ProducerRecord<>(topic(envelope), null, envelope.tenantId().toString(),
                    json.writeValueAsBytes(envelope), headers);
            // the callback runs on the producer's network thread: the registry's database write must not
            producer.send(record, (metadata, failure) -> acknowledgements.execute(() -> {
                if (failure != null) {
                    acknowledged.completeExceptionally(failure);
                }
                else {
                    acknowledged.complete(null);
                }
            }));
        }
        catch (RuntimeException e) {
            // no metadata or buffer space within max.block.ms, a closed producer, a serialization failure
            acknowledged.completeExceptionally(e);
        }
    }

    String topic(EventEnvelope envelope) {
        return topicPrefix + envelope.family();
    }

    @Override
    public void destroy() throws InterruptedException {
        sender.shutdown();
        sender.awaitTermination(5, TimeUnit.SECONDS);
        // what is not acknowledged by then stays incomplete in the outbox and is republished at the next start
        producer.close(Duration.ofSeconds(5));
        acknowledgements.close();
    }
}
