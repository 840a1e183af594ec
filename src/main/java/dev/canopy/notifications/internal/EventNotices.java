package dev.canopy.notifications.internal;

import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.modulith.events.ApplicationModuleListener;
import org.springframework.stereotype.Component;

import dev.canopy.access.MemberCard;
import dev.canopy.access.MembershipFacts;
import dev.canopy.platform.Ids;
import dev.canopy.platform.db.ChangeBroadcast;
import dev.canopy.platform.db.TenantTransactions;
import dev.canopy.platform.events.EventEnvelope;

/**
 * Turns domain events into notifications: one per recipient the {@link NoticeCatalog} names who is still a member of
 * the event's tenant, in one tenant transaction with the envelope's id (a repeated delivery adds nothing), the
 * recipient's digest if they want mail of the type, and the announcement every instance's streams hear on commit.
 */
@Component
class EventNotices {

    static final String TOPIC = "notification";

    private final NoticeCatalog catalog;
    private final NotificationStore store;
    private final MailPreferences preferences;
    private final DigestQueue digests;
    private final MembershipFacts members;
    private final TenantTransactions scopes;
    private final ChangeBroadcast changes;
    private final Duration digestInterval;

    EventNotices(NoticeCatalog catalog, NotificationStore store, MailPreferences preferences, DigestQueue digests,
            MembershipFacts members, TenantTransactions scopes, ChangeBroadcast changes,
            @Value("${canopy.notifications.mail-digest-interval}") Duration digestInterval) {
        this.catalog = catalog;
        this.store = store;
        this.preferences = preferences;
        this.digests = digests;
        this.members = members;
        this.scopes = scopes;
        this.changes = changes;
        this.digestInterval = digestInterval;
    }

    // without the condition every event cost a stored publication, a transaction and its completion, for nothing
    @ApplicationModuleListener(condition = "T(dev.canopy.notifications.internal.NoticeCatalog).notifies(#event.type())")
    void on(EventEnvelope event) {
        List<Notice> notices = catalog.noticesOf(event);
        if (notices.isEmpty()) {
            return;
        }
        UUID tenantId = event.tenantId();
        scopes.inTenant(tenantId, () -> {
            if (!store.firstDelivery(tenantId, event.id())) {
                return;
            }
            Set<UUID> current = members.describe(tenantId, notices.stream().map(Notice::recipient).toList())
                    .stream().map(MemberCard::userId).collect(Collectors.toSet());
            // locked in one order (by user id), so two events for the same users cannot wait for each other
            for (Notice notice : notices.stream().sorted(Comparator.comparing(Notice::recipient)).toList()) {
                if (!current.contains(notice.recipient())) {
                    continue; // left the tenant since: nothing of it is theirs to see any more
                }
                store.lockUser(tenantId, notice.recipient());
                UUID id = later(Ids.newId(), store.newest(tenantId, notice.recipient()));
                Map<String, Boolean> choices = preferences.of(notice.recipient());
                boolean mail = MailPreferences.mails(choices, event.type());
                store.insert(tenantId, id, event.id(), event.type(), notice, mail);
                if (mail) {
                    digests.schedule(notice.recipient(), tenantId, digestInterval);
                }
                changes.publish(TOPIC, notice.recipient().toString());
            }
        });
    }

    /** A fresh id above the user's newest: UUIDv7s of one millisecond are not ordered among themselves. */
    static UUID later(UUID fresh, @Nullable UUID newest) {
        if (newest == null || NotificationStreams.compare(fresh, newest) > 0) {
            return fresh;
        }
        // the next value of the random part (62 bits: running out of them is not a concern)
        return new UUID(newest.getMostSignificantBits(), newest.getLeastSignificantBits() + 1);
    }
}
