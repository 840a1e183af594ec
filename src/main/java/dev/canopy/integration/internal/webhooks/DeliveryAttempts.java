package dev.canopy.integration.internal.webhooks;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import dev.canopy.integration.internal.webhooks.Deliveries.Attempt;
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
        Loaded loaded = scopes.inTenant(tenantId, () -> {
            Optional<Delivery> delivery = deliveries.find(tenantId, deliveryId)
                    .filter(d -> Delivery.PENDING.equals(d.status()));
            Optional<Webhook> webhook = delivery.flatMap(d -> webhooks.find(tenantId, d.webhookId()));
            if (delivery.isEmpty() || webhook.isEmpty()) {
                queue.remove(deliveryId); // its webhook was deleted, or another attempt finished it
                return null;
            }
            return new Loaded(delivery.get(), webhook.get());
        });
        if (loaded == null) {
            return Optional.empty();
        }
        Delivery delivery = loaded.delivery();
        Webhook webhook = loaded.webhook();
        Attempt attempt;
        boolean retry = true;
        if (!webhook.enabled()) {
            attempt = new Attempt(null, null, 0, "The webhook is disabled.");
            retry = false;
        }
        else {
            attempt = send(webhook, delivery);
        }
        String status;
        Instant next = null;
        if (attempt.responseCode() != null && attempt.responseCode() / 100 == 2) {
            status = Delivery.DELIVERED;
        }
        else {
            Instant candidate = clock.instant().plus(backoff(delivery.attempts() + 1));
            if (retry && !candidate.isAfter(delivery.retryUntil())) {
                status = Delivery.PENDING;
                next = candidate;
            }
            else {
                status = Delivery.FAILED;
            }
        }
        String finalStatus = status;
        Instant finalNext = next;
        return scopes.inTenant(tenantId, () -> {
            deliveries.record(tenantId, deliveryId, attempt, finalStatus, finalNext);
            if (finalNext != null) {
                queue.retryAt(deliveryId, finalNext);
            }
            else {
                queue.remove(deliveryId);
            }
            return deliveries.find(tenantId, deliveryId);
        });
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
