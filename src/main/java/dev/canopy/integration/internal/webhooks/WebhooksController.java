package dev.canopy.integration.internal.webhooks;

import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import dev.canopy.access.Permissions;
import dev.canopy.platform.security.CanopyPrincipal;
import dev.canopy.platform.web.ApiException;
import dev.canopy.platform.web.Audited;
import dev.canopy.platform.web.Page;
import dev.canopy.platform.web.PageRequest;

/** The current tenant's outgoing webhooks and their deliveries. The secret is answered once, at creation. */
@RestController
@RequestMapping("/api/v1/webhooks")
class WebhooksController {

    private final WebhookDirectory directory;

    WebhooksController(WebhookDirectory directory) {
        this.directory = directory;
    }

    record WebhookView(UUID id, String url, String description, List<String> eventTypes, boolean enabled,
            Instant createdAt, Instant updatedAt, long version) {

        static WebhookView of(Webhook w) {
            return new WebhookView(w.id(), w.url(), w.description(), w.eventTypes(), w.enabled(), w.createdAt(),
                    w.updatedAt(), w.version());
        }
    }

    /** The answer of a creation: the webhook and, this once, its signing secret. */
    record CreatedView(UUID id, String url, String description, List<String> eventTypes, boolean enabled,
            String secret, Instant createdAt, Instant updatedAt, long version) {

        @Override
        public String toString() {
            return "CreatedView[" + id + "]";
        }
    }

    record CreateWebhook(@Nullable String url, @Nullable String description, @Nullable List<String> eventTypes,
            @Nullable String secret, @Nullable Boolean enabled) {

        @Override
        public String toString() {
            return "CreateWebhook[" + url + "]";
        }
    }

    record UpdateWebhook(@Nullable String url, @Nullable String description, @Nullable List<String> eventTypes,
            @Nullable String secret, @Nullable Boolean enabled, @Nullable Long version) {

        @Override
        public String toString() {
            return "UpdateWebhook[" + url + "]";
        }
    }

    record DeliveryView(UUID id, UUID webhookId, UUID eventId, String eventType, String status, int attempts,
            @Nullable Integer responseCode, @Nullable Integer durationMs, @Nullable String error,
            @Nullable Instant nextAttemptAt, Instant createdAt, @Nullable Instant lastAttemptAt,
            @Nullable Instant deliveredAt) {

        static DeliveryView of(Delivery d) {
            return new DeliveryView(d.id(), d.webhookId(), d.eventId(), d.eventType(), d.status(), d.attempts(),
                    d.responseCode(), d.durationMs(), d.lastError(), d.nextAttemptAt(), d.createdAt(),
                    d.lastAttemptAt(), d.deliveredAt());
        }
    }

    /** One delivery with what was sent and the start of what came back. */
    record DeliveryDetailView(UUID id, UUID webhookId, UUID eventId, String eventType, String status, int attempts,
            @Nullable Integer responseCode, @Nullable Integer durationMs, @Nullable String error,
            @Nullable Instant nextAttemptAt, Instant createdAt, @Nullable Instant lastAttemptAt,
            @Nullable Instant deliveredAt, String requestBody, @Nullable String responseBody) {

        static DeliveryDetailView of(Delivery d) {
            return new DeliveryDetailView(d.id(), d.webhookId(), d.eventId(), d.eventType(), d.status(),
                    d.attempts(), d.responseCode(), d.durationMs(), d.lastError(), d.nextAttemptAt(), d.createdAt(),
                    d.lastAttemptAt(), d.deliveredAt(), d.payload(), d.responseBody());
        }
    }

    @Audited(action = "webhook.created", resource = "webhook")
    @PostMapping
    ResponseEntity<CreatedView> create(@AuthenticationPrincipal CanopyPrincipal principal,
            @RequestBody CreateWebhook body) {
        principal.require(Permissions.WEBHOOKS_MANAGE);
        WebhookDirectory.Created created = directory.create(principal, new WebhookDraft(body.url(),
                body.description(), body.eventTypes(), body.secret(), body.enabled()));
        Webhook w = created.webhook();
        return ResponseEntity.created(URI.create("/api/v1/webhooks/" + w.id())).body(new CreatedView(w.id(), w.url(),
                w.description(), w.eventTypes(), w.enabled(), created.secret(), w.createdAt(), w.updatedAt(),
                w.version()));
    }

    @GetMapping
    Page<WebhookView> list(@AuthenticationPrincipal CanopyPrincipal principal,
            @RequestParam(required = false) @Nullable Integer limit,
            @RequestParam(required = false) @Nullable String cursor) {
        principal.require(Permissions.WEBHOOKS_LIST);
        Page<Webhook> page = directory.list(principal.tenantId(), PageRequest.of(limit, cursor));
        return new Page<>(page.items().stream().map(WebhookView::of).toList(), page.nextCursor());
    }

    @GetMapping("/{id}")
    WebhookView get(@AuthenticationPrincipal CanopyPrincipal principal, @PathVariable UUID id) {
        principal.require(Permissions.WEBHOOKS_LIST);
        return WebhookView.of(directory.get(principal.tenantId(), id));
    }

    @Audited(action = "webhook.updated", resource = "webhook")
    @PatchMapping("/{id}")
    WebhookView update(@AuthenticationPrincipal CanopyPrincipal principal, @PathVariable UUID id,
            @RequestBody UpdateWebhook body) {
        principal.require(Permissions.WEBHOOKS_MANAGE);
        if (body.version() == null) {
            throw ApiException.invalidField("version", "is required (the version you read)");
        }
        return WebhookView.of(directory.update(principal, id, new WebhookDirectory.Change(body.url(),
                body.description(), body.eventTypes(), body.secret(), body.enabled()), body.version()));
    }

    @Audited(action = "webhook.deleted", resource = "webhook")
    @DeleteMapping("/{id}")
    ResponseEntity<Void> delete(@AuthenticationPrincipal CanopyPrincipal principal, @PathVariable UUID id) {
        principal.require(Permissions.WEBHOOKS_MANAGE);
        directory.delete(principal.tenantId(), id);
        return ResponseEntity.noContent().build();
    }

    @GetMapping("/{id}/deliveries")
    Page<DeliveryView> deliveries(@AuthenticationPrincipal CanopyPrincipal principal, @PathVariable UUID id,
            @RequestParam(required = false) @Nullable String status,
            @RequestParam(required = false) @Nullable Integer limit,
            @RequestParam(required = false) @Nullable String cursor) {
        principal.require(Permissions.WEBHOOKS_LIST);
        Page<Delivery> page = directory.deliveries(principal.tenantId(), id, status, PageRequest.of(limit, cursor));
        return new Page<>(page.items().stream().map(DeliveryView::of).toList(), page.nextCursor());
    }

    @GetMapping("/{id}/deliveries/{deliveryId}")
    DeliveryDetailView delivery(@AuthenticationPrincipal CanopyPrincipal principal, @PathVariable UUID id,
            @PathVariable UUID deliveryId) {
        principal.require(Permissions.WEBHOOKS_LIST);
        return DeliveryDetailView.of(directory.delivery(principal.tenantId(), id, deliveryId));
    }

    @Audited(action = "webhook.redelivered", resource = "webhook", requestTransaction = false)
    @PostMapping("/{id}/deliveries/{deliveryId}/redeliver")
    DeliveryView redeliver(@AuthenticationPrincipal CanopyPrincipal principal, @PathVariable UUID id,
            @PathVariable UUID deliveryId) {
        principal.require(Permissions.WEBHOOKS_MANAGE);
        return DeliveryView.of(directory.redeliver(principal.tenantId(), id, deliveryId));
    }

    @Audited(action = "webhook.pinged", resource = "webhook", requestTransaction = false)
    @PostMapping("/{id}/ping")
    DeliveryView ping(@AuthenticationPrincipal CanopyPrincipal principal, @PathVariable UUID id) {
        principal.require(Permissions.WEBHOOKS_MANAGE);
        return DeliveryView.of(directory.ping(principal, id));
    }
}
