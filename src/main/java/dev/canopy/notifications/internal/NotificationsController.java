package dev.canopy.notifications.internal;

import java.util.List;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

import dev.canopy.platform.security.CanopyPrincipal;
import dev.canopy.platform.web.ApiException;
import dev.canopy.platform.web.PageRequest;

/**
 * The caller's notifications in their current tenant: list (newest first, with the unread count), mark read, mark
 * all read, delete, and the live stream. Another user's or tenant's notification is not found, never forbidden.
 */
@RestController
class NotificationsController {

    private final Inbox inbox;
    private final NotificationStreams streams;

    NotificationsController(Inbox inbox, NotificationStreams streams) {
        this.inbox = inbox;
        this.streams = streams;
    }

    /** A page of notifications and how many of all the caller's are unread. */
    record NotificationPage(List<Notification> items, @Nullable String nextCursor, long unreadCount) {
    }

    record UnreadCount(long unreadCount) {
    }

    record MarkedRead(int marked, long unreadCount) {
    }

    @GetMapping("/api/v1/notifications")
    NotificationPage list(@AuthenticationPrincipal CanopyPrincipal principal,
            @RequestParam(name = "unread_only", required = false) @Nullable String unreadOnly,
            @RequestParam(required = false) @Nullable Integer limit,
            @RequestParam(required = false) @Nullable String cursor) {
        PageRequest page = PageRequest.of(limit, cursor);
        return inbox.page(principal.tenantId(), principal.userId(), Inbox.flag(unreadOnly), page);
    }

    @GetMapping("/api/v1/notifications/unread-count")
    UnreadCount unread(@AuthenticationPrincipal CanopyPrincipal principal) {
        return new UnreadCount(inbox.unread(principal.tenantId(), principal.userId()));
    }

    @PutMapping("/api/v1/notifications/{id}/read")
    Notification read(@AuthenticationPrincipal CanopyPrincipal principal, @PathVariable String id) {
        return inbox.markRead(principal.tenantId(), principal.userId(), Inbox.id(id));
    }

    @PutMapping("/api/v1/notifications/read-all")
    MarkedRead readAll(@AuthenticationPrincipal CanopyPrincipal principal) {
        int marked = inbox.markAllRead(principal.tenantId(), principal.userId());
        // not simply 0: a notification may have arrived since
        return new MarkedRead(marked, inbox.unread(principal.tenantId(), principal.userId()));
    }

    @DeleteMapping("/api/v1/notifications/{id}")
    ResponseEntity<Void> delete(@AuthenticationPrincipal CanopyPrincipal principal, @PathVariable String id) {
        inbox.delete(principal.tenantId(), principal.userId(), Inbox.id(id));
        return ResponseEntity.noContent().build();
    }

    /** Live: what comes after {@code Last-Event-ID} (a notification id), or from now on without it. */
    @GetMapping(path = "/api/v1/notifications/stream", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    SseEmitter stream(@AuthenticationPrincipal CanopyPrincipal principal,
            @RequestHeader(name = "Last-Event-ID", required = false) @Nullable String lastEventId) {
        UUID after = null;
        if (lastEventId != null) {
            try {
                after = UUID.fromString(lastEventId.strip());
            }
            catch (IllegalArgumentException e) {
                throw ApiException.badRequest("LAST_EVENT_ID_INVALID",
                        "Last-Event-ID must be the id of a notification.");
            }
        }
        return streams.open(principal.tenantId(), principal.userId(), after);
    }
}
