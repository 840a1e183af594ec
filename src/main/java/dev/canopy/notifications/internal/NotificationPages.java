package dev.canopy.notifications.internal;

import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.http.MediaType;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseBody;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

import dev.canopy.platform.console.ConsoleController;
import dev.canopy.platform.security.CanopyPrincipal;
import dev.canopy.platform.web.PageRequest;

/**
 * Notifications in the console: the page listing them (mark read, mark all read, delete) and the stream behind the
 * header's bell, for the cookie session. The same {@link Inbox} as the API, so a user sees the same rows.
 */
@ConsoleController
class NotificationPages {

    private static final int PAGE_SIZE = 25;

    private final Inbox inbox;
    private final NotificationStreams streams;

    NotificationPages(Inbox inbox, NotificationStreams streams) {
        this.inbox = inbox;
        this.streams = streams;
    }

    @GetMapping("/notifications")
    String list(@AuthenticationPrincipal CanopyPrincipal principal,
            @RequestParam(name = "unread_only", required = false) @Nullable String unreadOnly,
            @RequestParam(required = false) @Nullable String cursor, Model model) {
        var page = inbox.page(principal.tenantId(), principal.userId(), Inbox.flag(unreadOnly),
                PageRequest.of(PAGE_SIZE, cursor));
        model.addAttribute("page", page);
        model.addAttribute("unreadOnly", Inbox.flag(unreadOnly));
        return "console/notifications";
    }

    @PostMapping("/notifications/{id}/read")
    String read(@AuthenticationPrincipal CanopyPrincipal principal, @PathVariable String id) {
        inbox.markRead(principal.tenantId(), principal.userId(), Inbox.id(id));
        return "redirect:/notifications";
    }

    @PostMapping("/notifications/read-all")
    String readAll(@AuthenticationPrincipal CanopyPrincipal principal) {
        inbox.markAllRead(principal.tenantId(), principal.userId());
        return "redirect:/notifications";
    }

    @PostMapping("/notifications/{id}/delete")
    String delete(@AuthenticationPrincipal CanopyPrincipal principal, @PathVariable String id) {
        inbox.delete(principal.tenantId(), principal.userId(), Inbox.id(id));
        return "redirect:/notifications";
    }

    /** The bell's stream (EventSource resumes by Last-Event-ID; one that is not a notification id starts anew). */
    @GetMapping(path = "/notifications/stream", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    @ResponseBody
    SseEmitter stream(@AuthenticationPrincipal CanopyPrincipal principal,
            @RequestHeader(name = "Last-Event-ID", required = false) @Nullable String lastEventId) {
        UUID after = null;
        if (lastEventId != null) {
            try {
                after = UUID.fromString(lastEventId.strip());
            }
            catch (IllegalArgumentException e) {
                // a stale or foreign value: follow from now on
            }
        }
        return streams.open(principal.tenantId(), principal.userId(), after);
    }
}
