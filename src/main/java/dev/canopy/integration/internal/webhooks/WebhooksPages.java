package dev.canopy.integration.internal.webhooks;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpStatus;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;

import dev.canopy.access.Permissions;
import dev.canopy.platform.console.ConsoleController;
import dev.canopy.platform.console.FormErrors;
import dev.canopy.platform.console.NavItem;
import dev.canopy.platform.security.CanopyPrincipal;
import dev.canopy.platform.web.ApiException;
import dev.canopy.platform.web.Audited;
import dev.canopy.platform.web.PageRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * The console's webhook settings: the list, a form to add one (its secret shown once, on the page that answers
 * the creation), a page per webhook to change, ping or delete it, with its delivery history and a redeliver button
 * (htmx swaps the page's main part). Everything goes through {@link WebhookDirectory}, so the rules are the API's.
 */
@ConsoleController
class WebhooksPages {

    static final String BASE = "/settings/webhooks";
    private static final int PAGE_SIZE = 25;

    /** What a form holds, to show it again; never a secret. */
    record WebhookForm(String url, String description, String eventTypes, boolean enabled) {

        static WebhookForm empty() {
            return new WebhookForm("", "", "*", true);
        }

        static WebhookForm of(Webhook w) {
            return new WebhookForm(w.url(), w.description(), String.join(", ", w.eventTypes()), w.enabled());
        }

        static WebhookForm read(Map<String, String> fields) {
            return new WebhookForm(fields.getOrDefault("url", "").strip(),
                    fields.getOrDefault("description", "").strip(), fields.getOrDefault("event_types", "").strip(),
                    fields.containsKey("enabled"));
        }

        List<String> eventTypeList() {
            return Arrays.stream(eventTypes.split("[,\\s]+")).filter(t -> !t.isBlank()).toList();
        }
    }

    /** The console's navigation entry. */
    @Configuration(proxyBeanMethods = false)
    static class Navigation {

        @Bean
        NavItem webhooksNav() {
            return new NavItem(BASE, "Webhooks", 70, principal -> principal.can(Permissions.WEBHOOKS_LIST));
        }
    }

    private final WebhookDirectory directory;
    private final KnownEventTypes known;

    WebhooksPages(WebhookDirectory directory, KnownEventTypes known) {
        this.directory = directory;
        this.known = known;
    }

    @GetMapping(BASE)
    String list(@AuthenticationPrincipal CanopyPrincipal principal,
            @RequestParam(required = false) @Nullable String cursor,
            @RequestParam(required = false) @Nullable String deleted, Model model) {
        principal.require(Permissions.WEBHOOKS_LIST);
        var page = directory.list(principal.tenantId(), PageRequest.of(PAGE_SIZE, cursor));
        model.addAttribute("webhooks", page.items());
        model.addAttribute("next", page.nextCursor());
        model.addAttribute("deleted", deleted != null);
        model.addAttribute("canManage", principal.can(Permissions.WEBHOOKS_MANAGE));
        return "console/webhooks";
    }

    @GetMapping(BASE + "/new")
    String newForm(@AuthenticationPrincipal CanopyPrincipal principal, Model model) {
        principal.require(Permissions.WEBHOOKS_MANAGE);
        return newForm(model, WebhookForm.empty(), new FormErrors());
    }

    @Audited(action = "webhook.created", resource = "webhook")
    @PostMapping(BASE)
    String create(@AuthenticationPrincipal CanopyPrincipal principal, @RequestParam Map<String, String> fields,
            Model model, HttpServletResponse response) {
        principal.require(Permissions.WEBHOOKS_MANAGE);
        WebhookForm form = WebhookForm.read(fields);
        String secret = fields.getOrDefault("secret", "");
        try {
            WebhookDirectory.Created created = directory.create(principal, new WebhookDraft(form.url(),
                    form.description(), form.eventTypeList(), secret.isBlank() ? null : secret, form.enabled()));
            // shown on this answer only: it is not stored readable, and a redirect would have to carry it
            model.addAttribute("secret", created.secret());
            return detail(principal, created.webhook(), WebhookForm.of(created.webhook()), new FormErrors(),
                    "The webhook is added. Copy its signing secret now: it is not shown again.", null, model);
        }
        catch (ApiException e) {
            return newForm(model, form, refusal(e, response));
        }
    }

    @GetMapping(BASE + "/{id}")
    String detail(@AuthenticationPrincipal CanopyPrincipal principal, @PathVariable String id,
            @RequestParam(required = false) @Nullable String cursor, Model model) {
        principal.require(Permissions.WEBHOOKS_LIST);
        Webhook webhook = directory.get(principal.tenantId(), webhookId(id));
        return detail(principal, webhook, WebhookForm.of(webhook), new FormErrors(), null, cursor, model);
    }

    @Audited(action = "webhook.updated", resource = "webhook")
    @PostMapping(BASE + "/{id}")
    String update(@AuthenticationPrincipal CanopyPrincipal principal, @PathVariable String id,
            @RequestParam Map<String, String> fields, Model model, HttpServletResponse response) {
        principal.require(Permissions.WEBHOOKS_MANAGE);
        Webhook webhook = directory.get(principal.tenantId(), webhookId(id));
        WebhookForm form = WebhookForm.read(fields);
        String secret = fields.getOrDefault("secret", "");
        try {
            Webhook changed = directory.update(principal, webhook.id(), new WebhookDirectory.Change(form.url(),
                    form.description(), form.eventTypeList(), secret.isBlank() ? null : secret, form.enabled()),
                    version(fields.get("version")));
            return detail(principal, changed, WebhookForm.of(changed), new FormErrors(), "The changes are saved.",
                    null, model);
        }
        catch (ApiException e) {
            return detail(principal, webhook, form, refusal(e, response), null, null, model);
        }
    }

    @Audited(action = "webhook.deleted", resource = "webhook")
    @PostMapping(BASE + "/{id}/delete")
    String delete(@AuthenticationPrincipal CanopyPrincipal principal, @PathVariable String id) {
        principal.require(Permissions.WEBHOOKS_MANAGE);
        directory.delete(principal.tenantId(), webhookId(id));
        return "redirect:" + BASE + "?deleted";
    }

    @Audited(action = "webhook.pinged", resource = "webhook", requestTransaction = false)
    @PostMapping(BASE + "/{id}/ping")
    String ping(@AuthenticationPrincipal CanopyPrincipal principal, @PathVariable String id, Model model) {
        principal.require(Permissions.WEBHOOKS_MANAGE);
        UUID webhookId = webhookId(id);
        Delivery ping = directory.ping(principal, webhookId);
        Webhook webhook = directory.get(principal.tenantId(), webhookId);
        return detail(principal, webhook, WebhookForm.of(webhook), new FormErrors(), Delivery.DELIVERED.equals(
                ping.status()) ? "The receiver answered the ping with " + ping.responseCode() + "."
                        : "The ping was not delivered: " + outcome(ping), null, model);
    }

    /**
     * A new attempt now, answered with the whole page: htmx swaps its {@code main} in place, so every form on it
     * gets the CSRF token this answer carries.
     */
    @Audited(action = "webhook.redelivered", resource = "webhook", requestTransaction = false)
    @PostMapping(BASE + "/{id}/deliveries/{deliveryId}/redeliver")
    String redeliver(@AuthenticationPrincipal CanopyPrincipal principal, @PathVariable String id,
            @PathVariable String deliveryId, Model model) {
        principal.require(Permissions.WEBHOOKS_MANAGE);
        UUID webhookId = webhookId(id);
        Delivery delivery = directory.redeliver(principal.tenantId(), webhookId, deliveryId(deliveryId));
        Webhook webhook = directory.get(principal.tenantId(), webhookId);
        return detail(principal, webhook, WebhookForm.of(webhook), new FormErrors(), "Redelivered: "
                + outcome(delivery), null, model);
    }

    private String newForm(Model model, WebhookForm form, FormErrors errors) {
        model.addAttribute("form", form);
        model.addAttribute("errors", errors);
        model.addAttribute("eventTypes", known.names());
        return "console/webhook-new";
    }

    private String detail(CanopyPrincipal principal, Webhook webhook, WebhookForm form, FormErrors errors,
            @Nullable String notice, @Nullable String cursor, Model model) {
        var deliveries = directory.deliveries(principal.tenantId(), webhook.id(), null,
                PageRequest.of(PAGE_SIZE, cursor));
        model.addAttribute("webhook", webhook);
        model.addAttribute("webhookId", webhook.id());
        model.addAttribute("form", form);
        model.addAttribute("errors", errors);
        model.addAttribute("notice", notice);
        model.addAttribute("deliveries", deliveries.items());
        model.addAttribute("next", deliveries.nextCursor());
        model.addAttribute("eventTypes", known.names());
        model.addAttribute("canManage", principal.can(Permissions.WEBHOOKS_MANAGE));
        return "console/webhook";
    }

    private static String outcome(Delivery d) {
        return d.responseCode() != null ? "the receiver answered " + d.responseCode() + "."
                : d.lastError() != null ? d.lastError() : d.status() + ".";
    }

    /** A refusal as the form shows it; refusals that are not about the form become error pages. */
    private static FormErrors refusal(ApiException e, HttpServletResponse response) {
        if (e.status() == HttpStatus.FORBIDDEN || e.status() == HttpStatus.NOT_FOUND) {
            throw e;
        }
        FormErrors errors = new FormErrors();
        if ("WEBHOOK_ADDRESS_NOT_ALLOWED".equals(e.code())) {
            errors.field("url", e.getMessage()); // the whole reason, not only its kind
        }
        else if (e.errors().isEmpty()) {
            errors.global(e.getMessage());
        }
        e.errors().forEach(error -> errors.field(error.field(), error.message()));
        response.setStatus(e.status() == HttpStatus.BAD_REQUEST ? HttpStatus.UNPROCESSABLE_CONTENT.value()
                : e.status().value());
        return errors;
    }

    private static UUID webhookId(String id) {
        try {
            return UUID.fromString(id);
        }
        catch (IllegalArgumentException e) {
            // a malformed id names nothing, like an unknown one
            throw ApiException.notFound("WEBHOOK_NOT_FOUND", "No such webhook.");
        }
    }

    private static UUID deliveryId(String id) {
        try {
            return UUID.fromString(id);
        }
        catch (IllegalArgumentException e) {
            throw ApiException.notFound("WEBHOOK_DELIVERY_NOT_FOUND", "No such delivery.");
        }
    }

    private static long version(@Nullable String value) {
        try {
            return Long.parseLong(value == null ? "" : value.strip());
        }
        catch (NumberFormatException e) {
            throw ApiException.invalidField("version", "is required");
        }
    }
}
