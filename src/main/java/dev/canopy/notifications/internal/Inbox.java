package dev.canopy.notifications.internal;

import java.util.List;
import java.util.UUID;

import org.springframework.stereotype.Service;

import dev.canopy.platform.db.ChangeBroadcast;
import dev.canopy.platform.db.TenantTransactions;
import dev.canopy.platform.web.ApiException;
import dev.canopy.platform.web.Page;
import dev.canopy.platform.web.PageRequest;

/**
 * A user's notifications in one tenant, for the API and the console alike. Every change is announced, so the user's
 * streams on every instance send the new unread count.
 */
@Service
class Inbox {

    private final NotificationStore store;
    private final TenantTransactions scopes;
    private final ChangeBroadcast changes;

    Inbox(NotificationStore store, TenantTransactions scopes, ChangeBroadcast changes) {
        this.store = store;
        this.scopes = scopes;
        this.changes = changes;
    }

    /** A notification id from a path; anything else names no notification. */
    static UUID id(String text) {
        try {
            return UUID.fromString(text);
        }
        catch (IllegalArgumentException e) {
            throw notFound();
        }
    }

    /** {@code unread_only}: true or false, not Spring's yes/on/1 too, so a typo is an error rather than a guess. */
    static boolean flag(@org.jspecify.annotations.Nullable String value) {
        if (value == null || value.equals("false")) {
            return false;
        }
        if (value.equals("true")) {
            return true;
        }
        throw ApiException.invalidField("unread_only", "must be true or false");
    }

    NotificationsController.NotificationPage page(UUID tenantId, UUID userId, boolean unreadOnly, PageRequest page) {
        return scopes.inTenant(tenantId, () -> {
            List<Notification> rows = store.page(tenantId, userId, unreadOnly, page.after(), page.fetchSize());
            Page<Notification> found = page.page(rows, Notification::id);
            return new NotificationsController.NotificationPage(found.items(), found.nextCursor(),
                    store.unread(tenantId, userId));
        });
    }

    long unread(UUID tenantId, UUID userId) {
        return scopes.inTenant(tenantId, () -> store.unread(tenantId, userId));
    }

    Notification markRead(UUID tenantId, UUID userId, UUID id) {
        return scopes.inTenant(tenantId, () -> {
            if (!store.markRead(tenantId, userId, id)) {
                throw notFound();
            }
            changes.publish(EventNotices.TOPIC, userId.toString());
            return store.find(tenantId, userId, id).orElseThrow();
        });
    }

    int markAllRead(UUID tenantId, UUID userId) {
        return scopes.inTenant(tenantId, () -> {
            int marked = store.markAllRead(tenantId, userId);
            changes.publish(EventNotices.TOPIC, userId.toString());
            return marked;
        });
    }

    void delete(UUID tenantId, UUID userId, UUID id) {
        scopes.inTenant(tenantId, () -> {
            if (!store.delete(tenantId, userId, id)) {
                throw notFound();
            }
            changes.publish(EventNotices.TOPIC, userId.toString());
        });
    }

    private static ApiException notFound() {
        return ApiException.notFound("NOTIFICATION_NOT_FOUND", "There is no such notification.");
    }
}
