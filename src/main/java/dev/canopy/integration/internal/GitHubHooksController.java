package dev.canopy.integration.internal;

import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.HttpStatus;
import org.springframework.http.InvalidMediaTypeException;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.http.server.ServletServerHttpRequest;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

import dev.canopy.audit.Actor;
import dev.canopy.audit.AuditTrail;
import dev.canopy.identity.TenantDirectory;
import dev.canopy.identity.TenantInfo;
import dev.canopy.platform.db.TenantTransactions;
import dev.canopy.platform.web.ApiException;
import dev.canopy.platform.web.Audited;
import dev.canopy.provisioning.DeploymentCiStatus;
import dev.canopy.secrets.Secrets;
import jakarta.servlet.http.HttpServletRequest;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code POST /api/v1/hooks/github/{tenant_slug}}: GitHub's webhook deliveries for a tenant, without a session or
 * token. A delivery is believed when its {@code X-Hub-Signature-256} is the HMAC of its raw body under the tenant's
 * secret; it is applied once per {@code X-GitHub-Delivery}. {@code workflow_run} and {@code check_suite} set the CI
 * status of the deployments built from the repository and branch they name, {@code ping} answers, anything else is
 * accepted and ignored (202). Every delivery is audited, refused ones too, never with the secret or the payload.
 */
@RestController
class GitHubHooksController {

    private static final Pattern DELIVERY_ID = Pattern.compile("[A-Za-z0-9-]{1,100}");
    private static final Pattern EVENT = Pattern.compile("[a-z_]{1,64}");
    private static final Pattern SLUG = Pattern.compile("[a-z0-9][a-z0-9-]{1,62}");
    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** What GitHub is told (it shows it in the delivery's details). */
    record Answer(String status, @Nullable String event, @Nullable Integer deploymentsUpdated,
            @Nullable String reason) {
    }

    private final TenantDirectory tenants;
    private final GitHubHookSecrets secrets;
    private final GitHubDeliveries deliveries;
    private final DeploymentCiStatus ciStatus;
    private final Secrets sealing;
    private final TenantTransactions scopes;
    private final AuditTrail audit;
    private final Duration retention;

    GitHubHooksController(TenantDirectory tenants, GitHubHookSecrets secrets, GitHubDeliveries deliveries,
            DeploymentCiStatus ciStatus, Secrets sealing, TenantTransactions scopes, AuditTrail audit,
            @Value("${canopy.integration.github.delivery-retention}") Duration retention) {
        this.tenants = tenants;
        this.secrets = secrets;
        this.deliveries = deliveries;
        this.ciStatus = ciStatus;
        this.sealing = sealing;
        this.scopes = scopes;
        this.audit = audit;
        this.retention = retention;
    }

    @Audited(action = "github.delivery_accepted", failure = "github.delivery_refused", resource = "github_delivery",
            recordRequest = false)
    @PostMapping("/api/v1/hooks/github/{tenantSlug}")
    ResponseEntity<Answer> receive(@PathVariable String tenantSlug, HttpServletRequest request) {
        String event = request.getHeader("X-GitHub-Event");
        String deliveryId = request.getHeader("X-GitHub-Delivery");
        boolean eventValid = event != null && EVENT.matcher(event).matches();
        boolean deliveryValid = deliveryId != null && DELIVERY_ID.matcher(deliveryId).matches();
        if (eventValid) {
            audit.detail("event", event);
        }
        if (deliveryValid) {
            audit.resource("github_delivery", deliveryId);
        }
        byte[] body = body(request);

        // unknown tenant, no secret, wrong signature: one answer, after the same work, so none can be told apart
        Optional<TenantInfo> tenant = SLUG.matcher(tenantSlug).matches()
                ? tenants.findBySlug(tenantSlug).filter(TenantInfo::usable) : Optional.empty();
        tenant.ifPresent(t -> audit.actor(t.id(), new Actor.SystemActor("github")));
        Optional<String> secret = tenant.flatMap(t -> scopes.inTenant(t.id(), () -> secrets.find(t.id()))
                .map(s -> sealing.openText(GitHubHookSecrets.binding(t.id()), s.ciphertext())));
        String signature = request.getHeader(GitHubSignature.HEADER);
        if (secret.isEmpty()) {
            GitHubSignature.spendEqualTime(body);
            audit.detail("reason", tenant.isEmpty() ? "unknown tenant" : "no secret set");
            throw signatureInvalid();
        }
        if (!GitHubSignature.matches(signature, body, secret.get())) {
            audit.detail("reason", signature == null ? "signature missing" : "signature mismatch");
            throw signatureInvalid();
        }
        UUID tenantId = tenant.get().id();

        if (!isJson(request.getContentType())) {
            throw new ApiException(HttpStatus.UNSUPPORTED_MEDIA_TYPE, "UNSUPPORTED_MEDIA_TYPE", "Deliveries must be "
                    + "application/json: choose that content type in the webhook's settings on GitHub.");
        }
        if (!eventValid) {
            throw ApiException.badRequest("EVENT_MISSING", "The X-GitHub-Event header is missing or malformed.");
        }
        if (!deliveryValid) {
            throw ApiException.badRequest("DELIVERY_ID_MISSING", "The X-GitHub-Delivery header is missing or "
                    + "malformed.");
        }
        JsonNode payload = payload(body);

        GitHubCiReport.Result read = event.equals(GitHubCiReport.WORKFLOW_RUN)
                || event.equals(GitHubCiReport.CHECK_SUITE) ? GitHubCiReport.read(event, payload) : null;
        GitHubCiReport report = read == null ? null : read.report();
        boolean ping = event.equals("ping");
        String outcome = report != null || ping ? "accepted" : "ignored";
        return scopes.inTenant(tenantId, () -> {
            if (!deliveries.claim(tenantId, deliveryId, event, outcome)) {
                audit.action("github.delivery_replayed");
                return ResponseEntity.ok(new Answer("duplicate", event, null, "this delivery was processed before"));
            }
            deliveries.prune(tenantId, retention);
            if (ping) {
                return ResponseEntity.ok(new Answer("pong", event, null, null));
            }
            if (report == null) {
                String reason = read != null ? read.ignored().reason() : "event not handled";
                audit.action("github.delivery_ignored");
                audit.detail("reason", reason);
                return ResponseEntity.status(HttpStatus.ACCEPTED).body(new Answer("ignored", event, null, reason));
            }
            int updated = ciStatus.record(tenantId, report.repository(), report.branch(), report.status());
            audit.detail("repository", report.repository());
            audit.detail("branch", report.branch());
            audit.detail("state", report.status().state());
            audit.detail("deployments_updated", updated);
            return ResponseEntity.ok(new Answer("accepted", event, updated, null));
        });
    }

    /** The raw body as it was signed (read from the stream: a form's parameters must not be parsed first). */
    private static byte[] body(HttpServletRequest request) {
        try {
            return request.getInputStream().readAllBytes();
        }
        catch (IOException e) {
            // the body limit's refusal among them: answered 413 by the problem handler
            throw new HttpMessageNotReadableException("The request body could not be read", e,
                    new ServletServerHttpRequest(request));
        }
    }

    private static boolean isJson(@Nullable String contentType) {
        try {
            return contentType != null && MediaType.APPLICATION_JSON.equalsTypeAndSubtype(
                    MediaType.parseMediaType(contentType));
        }
        catch (InvalidMediaTypeException e) {
            return false;
        }
    }

    private static JsonNode payload(byte[] body) {
        try {
            JsonNode payload = JSON.readTree(body);
            if (payload != null && payload.isObject()) {
                return payload;
            }
        }
        catch (JacksonException e) {
            // answered below
        }
        throw ApiException.badRequest("MALFORMED_JSON", "The payload is not a JSON object.");
    }

    private static ApiException signatureInvalid() {
        return ApiException.unauthorized("SIGNATURE_INVALID", "The X-Hub-Signature-256 header is missing or is not "
                + "the signature of this payload under the tenant's webhook secret.");
    }
}
