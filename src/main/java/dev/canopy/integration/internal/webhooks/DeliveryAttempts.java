package dev.canopy.integration.internal.webhooks;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import dev.canopy.integration.internal.webhooks.Deliveries.Attempt;
import dev.canopy.integration.internal.webhooks.Deliveries.Outcome;
import dev.canopy.platform.db.TenantTransactions;
import dev.canopy.secrets.SecretBinding;
import dev.canopy.secrets.Secrets;

/**
 * One attempt at one delivery, outside any transaction while it waits on the network: the delivery and its webhook
 * are read in one tenant transaction, the URL resolved and checked again (the address may have changed since it
 * was saved), the body signed and posted, and the outcome recorded with the queue's next step in another. A 2xx
 * answer delivers it; anything else (another status, a timeout, a refused address) schedules a retry with
 * exponential backoff and jitter while the delivery's retry window lasts, and fails it after.
 */
@Component
class DeliveryAttempts {

    static final String USER_AGENT = "Canopy-Webhooks/1";

    private static final Logger log = LoggerFactory.getLogger(DeliveryAttempts.class);

    /** A webhook's opened secret, valid for the version it was opened at. */
    private record OpenedSecret(long version, String secret) {

        @Override
        public String toString() {
            return "OpenedSecret[" + version + "]";
        }
    }

    private record Loaded(Delivery delivery, Webhook webhook) {
    }

    private final TenantTransactions scopes;
    private final Deliveries deliveries;
    private final Webhooks webhooks;
    private final DeliveryQueue queue;
    private final WebhookAddresses addresses;
    private final WebhookClient client;
    private final Secrets secrets;
    private final Duration backoffBase;
    private final Duration backoffMax;
    private final Clock clock = Clock.systemUTC();
    // opening costs a key look-up and an AES-GCM decryption per attempt otherwise; a change bumps the version
    private final Cache<UUID, OpenedSecret> opened = Caffeine.newBuilder().maximumSize(10_000)
            .expireAfterWrite(Duration.ofMinutes(5)).build();

    DeliveryAttempts(TenantTransactions scopes, Deliveries deliveries, Webhooks webhooks, DeliveryQueue queue,
            WebhookAddresses addresses, WebhookClient client, Secrets secrets,
            @Value("${canopy.webhooks.backoff-base}") Duration backoffBase,
            @Value("${canopy.webhooks.backoff-max}") Duration backoffMax) {
        this.scopes = scopes;
        this.deliveries = deliveries;
        this.webhooks = webhooks;
        this.queue = queue;
        this.addresses = addresses;
        this.client = client;
        this.secrets = secrets;
        this.backoffBase = backoffBase;
        this.backoffMax = backoffMax;
    }

    static SecretBinding binding(UUID tenantId, UUID webhookId) {
        return SecretBinding.tenant(tenantId, Webhooks.TABLE, webhookId.toString());
    }

    /** Attempts a delivery the caller holds in the queue; answers it as recorded, empty when it is gone. */
    Optional<Delivery> attempt(UUID tenantId, UUID deliveryId) {
        List<Loaded> loaded = scopes.inTenant(tenantId, () -> load(tenantId, List.of(deliveryId)));
        if (loaded.isEmpty()) {
            return Optional.empty();
        }
        Outcome outcome = outcome(loaded.getFirst());
        return scopes.inTenant(tenantId, () -> {
            record(tenantId, List.of(outcome));
            return deliveries.find(tenantId, deliveryId);
        });
    }

    /**
     * Attempts deliveries of one tenant that the caller holds in the queue: read in one transaction, sent in
     * parallel, recorded in another (a few statements for the whole batch), so that a batch costs two commits rather
     * than two per delivery.
     * {@code onEachSent} runs once per delivery as soon as its attempt is over (or it turned out gone), before the
     * recording: a slow receiver delays its batch's record, never the other attempts.
     */
    void attemptAll(UUID tenantId, List<UUID> deliveryIds, Runnable onEachSent) {
        List<Loaded> loaded = scopes.inTenant(tenantId, () -> load(tenantId, deliveryIds));
        for (int gone = deliveryIds.size() - loaded.size(); gone > 0; gone--) {
            onEachSent.run();
        }
        List<Outcome> outcomes = new ArrayList<>();
        try (ExecutorService senders = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Outcome>> sent = loaded.stream().map(each -> senders.submit(() -> {
                try {
                    return outcome(each);
                }
                finally {
                    onEachSent.run();
                }
            })).toList();
            for (Future<Outcome> each : sent) {
                try {
                    outcomes.add(each.get());
                }
                catch (ExecutionException e) {
                    // only this one goes unrecorded: its lease runs out and it is claimed again
                    log.warn("A webhook delivery attempt failed ({}); it is retried when its lease ends",
                            e.getCause().toString());
                }
            }
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return; // the leases run out and the deliveries are claimed again
        }
        if (!outcomes.isEmpty()) {
            scopes.inTenant(tenantId, () -> record(tenantId, outcomes));
        }
    }

    /** The pending deliveries among these with their webhooks; the others leave the queue. */
    private List<Loaded> load(UUID tenantId, List<UUID> deliveryIds) {
        Map<UUID, Optional<Webhook>> hooks = new HashMap<>();
        List<Loaded> loaded = new ArrayList<>();
        Set<UUID> found = new HashSet<>();
        for (Delivery delivery : deliveries.findAll(tenantId, deliveryIds)) {
            if (!Delivery.PENDING.equals(delivery.status())) {
                continue;
            }
            Optional<Webhook> webhook = hooks.computeIfAbsent(delivery.webhookId(),
                    id -> webhooks.find(tenantId, id));
            if (webhook.isPresent()) {
                loaded.add(new Loaded(delivery, webhook.get()));
                found.add(delivery.id());
            }
        }
        UUID[] gone = deliveryIds.stream().filter(id -> !found.contains(id)).toArray(UUID[]::new);
        if (gone.length > 0) {
            queue.remove(gone); // their webhook was deleted, or another attempt finished them
        }
        return loaded;
    }

    /** Sends the delivery (unless its webhook is disabled) and decides what it is now. */
    private Outcome outcome(Loaded loaded) {
        Delivery delivery = loaded.delivery();
        Webhook webhook = loaded.webhook();
        if (!webhook.enabled()) {
            return new Outcome(delivery.id(), new Attempt(null, null, 0, "The webhook is disabled."),
                    Delivery.FAILED, null);
        }
        Attempt attempt = send(webhook, delivery);
        if (attempt.responseCode() != null && attempt.responseCode() / 100 == 2) {
            return new Outcome(delivery.id(), attempt, Delivery.DELIVERED, null);
        }
        Instant next = clock.instant().plus(backoff(delivery.attempts() + 1));
        return next.isAfter(delivery.retryUntil())
                ? new Outcome(delivery.id(), attempt, Delivery.FAILED, null)
                : new Outcome(delivery.id(), attempt, Delivery.PENDING, next);
    }

    /** Records the attempts and the queue's next step for each, in the caller's tenant transaction. */
    private void record(UUID tenantId, List<Outcome> outcomes) {
        deliveries.recordAll(tenantId, outcomes);
        Map<UUID, @Nullable Instant> next = new HashMap<>();
        outcomes.forEach(outcome -> next.put(outcome.deliveryId(), outcome.next()));
        queue.settle(next);
    }

    private Attempt send(Webhook webhook, Delivery delivery) {
        WebhookAddresses.Destination destination;
        try {
            destination = addresses.resolve(URI.create(webhook.url()));
        }
        catch (WebhookAddresses.Refused e) {
            return new Attempt(null, null, 0, e.getMessage());
        }
        String secret = secret(webhook);
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", "application/json");
        headers.put("User-Agent", USER_AGENT);
        headers.put("Canopy-Event-Id", delivery.eventId().toString());
        headers.put("Canopy-Event-Type", delivery.eventType());
        headers.put("Canopy-Delivery-Id", delivery.id().toString());
        headers.put("Canopy-Signature", Signatures.header(secret, clock.instant().getEpochSecond(),
                delivery.payload()));
        Attempt attempt = client.post(destination, delivery.payload(), headers);
        if (attempt.error() != null) {
            log.debug("Webhook delivery {} to {} failed: {}", delivery.id(), webhook.id(), attempt.error());
        }
        return attempt;
    }

    private String secret(Webhook webhook) {
        OpenedSecret cached = opened.getIfPresent(webhook.id());
        if (cached != null && cached.version() == webhook.version()) {
            return cached.secret();
        }
        String secret = secrets.openText(binding(webhook.tenantId(), webhook.id()), webhook.sealedSecret());
        opened.put(webhook.id(), new OpenedSecret(webhook.version(), secret));
        return secret;
    }

    /** Attempt n waits about base x 2^(n-1), at most the maximum, jittered by up to a quarter either way. */
    Duration backoff(int attempts) {
        double exact = backoffBase.toMillis() * Math.pow(2, Math.min(30, Math.max(0, attempts - 1)));
        double capped = Math.min(exact, backoffMax.toMillis());
        double jitter = 0.75 + ThreadLocalRandom.current().nextDouble() * 0.5;
        return Duration.ofMillis((long) (capped * jitter));
    }

    /** Forgets an opened secret at once (the webhook was changed or deleted on this instance). */
    void forget(@Nullable UUID webhookId) {
        if (webhookId != null) {
            opened.invalidate(webhookId);
        }
    }
}
