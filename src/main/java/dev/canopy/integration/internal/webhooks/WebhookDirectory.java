package dev.canopy.integration.internal.webhooks;

import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.stereotype.Service;

import dev.canopy.audit.AuditTrail;
import dev.canopy.platform.Ids;
import dev.canopy.platform.db.TenantTransactions;
import dev.canopy.platform.events.EventActor;
import dev.canopy.platform.events.EventEnvelope;
import dev.canopy.platform.events.EventSubject;
import dev.canopy.platform.security.CanopyPrincipal;
import dev.canopy.platform.web.ApiException;
import dev.canopy.platform.web.Page;
import dev.canopy.platform.web.PageRequest;
import dev.canopy.secrets.Secrets;
import tools.jackson.databind.json.JsonMapper;

/**
 * The use cases of webhooks: creating (with a generated secret shown once), listing, changing and deleting them,
 * their delivery history, redelivering one, and pinging. Secrets are sealed before they reach the database and
 * never answered or audited after creation.
 */
@Service
class WebhookDirectory {

    /** The type of the event a ping sends: only to the pinged webhook, whatever it subscribes to. */
    static final String PING = "webhook.ping";

    private static final SecureRandom RANDOM = new SecureRandom();

    /** A partial change: null fields stay as they are. */
    record Change(@Nullable String url, @Nullable String description, @Nullable List<String> eventTypes,
            @Nullable String secret, @Nullable Boolean enabled) {

        @Override
        public String toString() {
            return "Change[" + url + "]"; // never the secret
        }
    }

    /** A new webhook and its secret, which is shown this once. */
    record Created(Webhook webhook, String secret) {

        @Override
        public String toString() {
            return "Created[" + webhook + "]";
        }
    }

    private final Webhooks webhooks;
    private final Deliveries deliveries;
    private final DeliveryQueue queue;
    private final DeliveryAttempts attempts;
    private final DeliveryWorker worker;
    private final EventFanOut fanOut;
    private final TenantTransactions scopes;
    private final Secrets secrets;
    private final KnownEventTypes known;
    private final WebhookAddresses addresses;
    private final AuditTrail audit;
    private final JsonMapper json;

    WebhookDirectory(Webhooks webhooks, Deliveries deliveries, DeliveryQueue queue, DeliveryAttempts attempts,
            DeliveryWorker worker, EventFanOut fanOut, TenantTransactions scopes, Secrets secrets,
            KnownEventTypes known, WebhookAddresses addresses, AuditTrail audit, JsonMapper json) {
        this.webhooks = webhooks;
        this.deliveries = deliveries;
        this.queue = queue;
        this.attempts = attempts;
        this.worker = worker;
        this.fanOut = fanOut;
        this.scopes = scopes;
        this.secrets = secrets;
        this.known = known;
        this.addresses = addresses;
        this.audit = audit;
        this.json = json;
    }

    Created create(CanopyPrincipal by, WebhookDraft draft) {
        WebhookDraft.Checked checked = draft.check(known, addresses);
        UUID tenantId = by.tenantId();
        UUID id = Ids.newId();
        String secret = checked.secret() != null ? checked.secret() : generatedSecret();
        Instant now = Instant.now();
        var webhook = new Webhook(tenantId, id, checked.url(), checked.description(), checked.eventTypes(),
                secrets.sealText(DeliveryAttempts.binding(tenantId, id), secret), checked.enabled(), by.userId(), now,
                now, 0);
        scopes.inTenant(tenantId, () -> webhooks.insert(webhook));
        audit.resource("webhook", id.toString());
        audit.detail("url", webhook.url());
        audit.detail("event_types", webhook.eventTypes());
        audit.detail("signing_key", checked.secret() == null ? "generated" : "given");
        return new Created(get(tenantId, id), secret);
    }

    Webhook get(UUID tenantId, UUID id) {
        return scopes.inTenant(tenantId, () -> webhooks.find(tenantId, id)).orElseThrow(() -> notFound(id));
    }

    Page<Webhook> list(UUID tenantId, PageRequest page) {
        return page.page(scopes.inTenant(tenantId, () -> webhooks.list(tenantId, page.after(), page.fetchSize())),
                Webhook::id);
    }

    Webhook update(CanopyPrincipal by, UUID id, Change change, long version) {
        UUID tenantId = by.tenantId();
        Webhook current = get(tenantId, id);
        WebhookDraft.Checked checked = new WebhookDraft(change.url() != null ? change.url() : current.url(),
                change.description() != null ? change.description() : current.description(),
                change.eventTypes() != null ? change.eventTypes() : current.eventTypes(), change.secret(),
                change.enabled() != null ? change.enabled() : current.enabled()).check(known, addresses);
        byte[] sealed = checked.secret() != null
                ? secrets.sealText(DeliveryAttempts.binding(tenantId, id), checked.secret()) : current.sealedSecret();
        var updated = new Webhook(tenantId, id, checked.url(), checked.description(), checked.eventTypes(), sealed,
                checked.enabled(), current.createdBy(), current.createdAt(), Instant.now(), version);
        if (!scopes.inTenant(tenantId, () -> webhooks.update(updated, version))) {
            throw ApiException.conflict("VERSION_CONFLICT", "The webhook was changed by someone else; reload it.");
        }
        attempts.forget(id);
        audit.resource("webhook", id.toString());
        // detail keys must not look secret, or the redactor hides their values
        audit.detail("replaced", checked.secret() != null ? List.of("signing key") : List.of());
        return get(tenantId, id);
    }

    void delete(UUID tenantId, UUID id) {
        if (!scopes.inTenant(tenantId, () -> webhooks.delete(tenantId, id))) {
            throw notFound(id);
        }
        attempts.forget(id);
        audit.resource("webhook", id.toString());
    }

    Page<Delivery> deliveries(UUID tenantId, UUID webhookId, @Nullable String status, PageRequest page) {
        if (status != null && !List.of(Delivery.PENDING, Delivery.DELIVERED, Delivery.FAILED).contains(status)) {
            throw ApiException.invalidField("status", "must be one of pending, delivered, failed");
        }
        return scopes.inTenant(tenantId, () -> {
            webhooks.find(tenantId, webhookId).orElseThrow(() -> notFound(webhookId));
            return page.page(deliveries.list(tenantId, webhookId, status, page.after(), page.fetchSize()),
                    Delivery::id);
        });
    }

    Delivery delivery(UUID tenantId, UUID webhookId, UUID deliveryId) {
        return scopes.inTenant(tenantId, () -> deliveries.find(tenantId, deliveryId))
                .filter(d -> d.webhookId().equals(webhookId))
                .orElseThrow(() -> deliveryNotFound(deliveryId));
    }

    /**
     * Attempts the delivery again now, in this request, and answers it as that attempt left it. A failed attempt is
     * not retried: the caller sees its outcome and decides.
     */
    Delivery redeliver(UUID tenantId, UUID webhookId, UUID deliveryId) {
        scopes.inTenant(tenantId, () -> {
            Delivery delivery = deliveries.find(tenantId, deliveryId).filter(d -> d.webhookId().equals(webhookId))
                    .orElseThrow(() -> deliveryNotFound(deliveryId));
            if (!queue.take(deliveryId, tenantId, worker.lease())) {
                throw ApiException.conflict("DELIVERY_IN_PROGRESS",
                        "The delivery is being attempted right now; see its outcome in a moment.");
            }
            deliveries.reopen(tenantId, delivery.id());
        });
        audit.resource("webhook", webhookId.toString());
        audit.detail("delivery_id", deliveryId.toString());
        Delivery attempted = attempts.attempt(tenantId, deliveryId).orElseThrow(() -> deliveryNotFound(deliveryId));
        audit.detail("status", attempted.status());
        return attempted;
    }

    /** Sends a {@code webhook.ping} event to this webhook only, now, and answers the delivery. */
    Delivery ping(CanopyPrincipal by, UUID webhookId) {
        UUID tenantId = by.tenantId();
        UUID deliveryId = scopes.inTenant(tenantId, () -> {
            Webhook webhook = webhooks.find(tenantId, webhookId).orElseThrow(() -> notFound(webhookId));
            var event = new EventEnvelope(Ids.newId(), PING, 1, Instant.now(), tenantId, actor(),
                    new EventSubject("webhook", webhookId, webhook.description().isBlank() ? null
                            : webhook.description()),
                    json.valueToTree(Map.of("webhook_id", webhookId.toString(), "url", webhook.url())));
            UUID id = fanOut.enqueue(event, webhookId);
            queue.take(id, tenantId, worker.lease());
            deliveries.reopen(tenantId, id); // one attempt: a ping answers whether the receiver is there now
            return id;
        });
        audit.resource("webhook", webhookId.toString());
        audit.detail("delivery_id", deliveryId.toString());
        Delivery attempted = attempts.attempt(tenantId, deliveryId).orElseThrow(() -> deliveryNotFound(deliveryId));
        audit.detail("status", attempted.status());
        return attempted;
    }

    /** whsec_ and 32 random bytes, base64url: 49 characters. */
    static String generatedSecret() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return "whsec_" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static EventActor actor() {
        Authentication authentication = SecurityContextHolder.getContext().getAuthentication();
        if (authentication == null || !(authentication.getPrincipal() instanceof CanopyPrincipal p)) {
            return EventActor.system("webhooks");
        }
        return new EventActor(p.kind() == CanopyPrincipal.Kind.API_KEY ? "api_key" : "user", p.userId(), p.email());
    }

    private static ApiException notFound(UUID id) {
        return ApiException.notFound("WEBHOOK_NOT_FOUND", "No webhook " + id + " in this tenant.");
    }

    private static ApiException deliveryNotFound(UUID id) {
        return ApiException.notFound("WEBHOOK_DELIVERY_NOT_FOUND", "No delivery " + id + " of this webhook.");
    }
}
