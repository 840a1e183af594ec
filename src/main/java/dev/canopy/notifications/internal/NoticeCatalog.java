package dev.canopy.notifications.internal;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;

import dev.canopy.platform.events.EventEnvelope;
import tools.jackson.databind.JsonNode;

/**
 * Who hears of which event, and what they are told. Recipients come from the event's data (docs/events.md), so an
 * event says who it concerns at the moment it happened; the actor is never told of what they did themselves.
 */
@Component
class NoticeCatalog {

    /** The event types that notify someone; preferences may name these or their families. */
    static final Set<String> TYPES = Set.of("run.awaiting_approval", "run.succeeded", "run.failed", "run.rejected",
            "run.canceled", "template.access_requested", "template.access_decided", "deployment.expiring",
            "deployment.drifted");

    static final Set<String> FAMILIES = Set.of("run", "template", "deployment");

    /** Whether events of this type may notify anyone (the outbox keeps no publication of the others for us). */
    // public: SpEL (EventNotices' listener condition) only calls public methods
    public static boolean notifies(String type) {
        return TYPES.contains(type);
    }

    List<Notice> noticesOf(EventEnvelope event) {
        JsonNode data = event.data();
        String subject = name(event);
        return switch (event.type()) {
            case "run.awaiting_approval" -> to(event, ids(data, "approver_ids"), "Approval needed: " + subject,
                    actorName(event) + " asks to " + text(data, "kind", "run") + " " + subject
                            + where(data) + ". It waits for your decision.", "warning", runLink(event));
            case "run.succeeded" -> to(event, ids(data, "requester_id"), "Run succeeded: " + subject,
                    "The " + text(data, "kind", "run") + " of " + subject + " you requested succeeded.", "success",
                    runLink(event));
            case "run.failed" -> to(event, ids(data, "requester_id"), "Run failed: " + subject,
                    "The " + text(data, "kind", "run") + " of " + subject + " you requested failed"
                            + reason(data) + ".", "error", runLink(event));
            case "run.rejected" -> to(event, ids(data, "requester_id"), "Run rejected: " + subject,
                    actorName(event) + " rejected the " + text(data, "kind", "run") + " of " + subject
                            + " you requested" + comment(data) + ".", "warning", runLink(event));
            case "run.canceled" -> to(event, ids(data, "requester_id"), "Run canceled: " + subject,
                    "The " + text(data, "kind", "run") + " of " + subject + " you requested was canceled.", "info",
                    runLink(event));
            case "template.access_requested" -> to(event, ids(data, "approver_ids"),
                    "Access requested: " + subject, actorName(event) + " asks for access to the template " + subject
                            + quoted(data, "reason") + ".", "info", "/access-requests");
            case "template.access_decided" -> to(event, ids(data, "requester_id"),
                    "Access " + (approved(data) ? "granted" : "refused") + ": " + subject,
                    "Your request for access to the template " + subject + " was "
                            + (approved(data) ? "granted" : "refused") + comment(data) + ".",
                    approved(data) ? "success" : "warning", templateLink(event));
            case "deployment.expiring" -> to(event, ids(data, "owner_id"), "Deployment expiring: " + subject,
                    "Your deployment " + subject + " is destroyed when its time to live ends"
                            + at(data, "expires_at") + ". Extend it to keep it.", "warning",
                    deploymentLink(event));
            case "deployment.drifted" -> to(event, ids(data, "owner_id"), "Deployment drifted: " + subject,
                    "A drift check found your deployment " + subject + " changed outside Canopy.", "warning",
                    deploymentLink(event));
            default -> List.of();
        };
    }

    /** One notice per recipient, leaving out whoever caused the event. */
    private static List<Notice> to(EventEnvelope event, Set<UUID> recipients, String title, String message,
            String severity, @Nullable String link) {
        var notices = new ArrayList<Notice>();
        for (UUID recipient : recipients) {
            if (!recipient.equals(event.actor().id())) {
                notices.add(new Notice(recipient, title, message, severity, link));
            }
        }
        return notices;
    }

    /** The user ids in a field holding one id or an array of them; malformed entries are skipped. */
    static Set<UUID> ids(JsonNode data, String field) {
        JsonNode node = data.path(field);
        var ids = new LinkedHashSet<UUID>();
        if (node.isArray()) {
            node.forEach(n -> addId(ids, n));
        }
        else {
            addId(ids, node);
        }
        return ids;
    }

    private static void addId(Set<UUID> ids, JsonNode node) {
        if (node.isString()) {
            try {
                ids.add(UUID.fromString(node.asString()));
            }
            catch (IllegalArgumentException e) {
                // not an id: nobody to tell
            }
        }
    }

    private static String name(EventEnvelope event) {
        String name = event.subject().name();
        if (name == null || name.isBlank()) {
            name = text(event.data(), "deployment_name", text(event.data(), "template_name", ""));
        }
        return name.isBlank() ? event.subject().type() + " " + event.subject().id() : "'" + name + "'";
    }

    private static String actorName(EventEnvelope event) {
        return event.actor().type().equals("system") ? "Canopy" : event.actor().display();
    }

    private static String text(JsonNode data, String field, String fallback) {
        JsonNode node = data.path(field);
        return node.isString() && !node.asString().isBlank() ? node.asString() : fallback;
    }

    private static String where(JsonNode data) {
        String environment = text(data, "environment", text(data, "environment_name", ""));
        return environment.isEmpty() ? "" : " in " + environment;
    }

    private static String reason(JsonNode data) {
        String error = text(data, "error", "");
        return error.isEmpty() ? "" : ": " + error;
    }

    private static String comment(JsonNode data) {
        return quoted(data, "comment");
    }

    private static String quoted(JsonNode data, String field) {
        String text = text(data, field, "");
        return text.isEmpty() ? "" : " (\"" + text + "\")";
    }

    private static String at(JsonNode data, String field) {
        String time = text(data, field, "");
        return time.isEmpty() ? "" : " at " + time;
    }

    private static boolean approved(JsonNode data) {
        JsonNode approved = data.path("approved");
        if (approved.isBoolean()) {
            return approved.asBoolean();
        }
        String decision = text(data, "decision", text(data, "status", ""));
        return decision.equals("approved") || decision.equals("approve") || decision.equals("granted");
    }

    private static String runLink(EventEnvelope event) {
        return "/runs/" + idOf(event, "run_id", "run");
    }

    private static String deploymentLink(EventEnvelope event) {
        return "/deployments/" + idOf(event, "deployment_id", "deployment");
    }

    private static String templateLink(EventEnvelope event) {
        return "/catalog/" + idOf(event, "template_id", "template");
    }

    /** The id in the data's field, else the subject's id when the subject is of that kind. */
    private static String idOf(EventEnvelope event, String field, String subjectType) {
        Set<UUID> ids = ids(event.data(), field);
        if (!ids.isEmpty()) {
            return ids.iterator().next().toString();
        }
        return event.subject().type().equals(subjectType) ? event.subject().id().toString() : "";
    }
}
