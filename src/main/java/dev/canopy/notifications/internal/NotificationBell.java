package dev.canopy.notifications.internal;

import org.jspecify.annotations.Nullable;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.bind.annotation.ModelAttribute;

import dev.canopy.platform.console.ConsoleController;
import dev.canopy.platform.security.CanopyPrincipal;

/** The unread count the header's bell starts with on every console page; its stream keeps it current. */
@ControllerAdvice(annotations = ConsoleController.class)
class NotificationBell {

    private final Inbox inbox;

    NotificationBell(Inbox inbox) {
        this.inbox = inbox;
    }

    @ModelAttribute("unreadNotifications")
    @Nullable
    Long unread() {
        Authentication authentication = SecurityContextHolder.getContext().getAuthentication();
        if (authentication == null || !(authentication.getPrincipal() instanceof CanopyPrincipal p)) {
            return null;
        }
        return inbox.unread(p.tenantId(), p.userId());
    }
}
