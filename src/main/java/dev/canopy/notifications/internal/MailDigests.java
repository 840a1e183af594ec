package dev.canopy.notifications.internal;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import dev.canopy.access.MemberCard;
import dev.canopy.access.MembershipFacts;
import dev.canopy.notifications.MailMessage;
import dev.canopy.notifications.OutgoingMail;
import dev.canopy.platform.db.TenantTransactions;

/**
 * Sends the mail digests that are due: one mail per user with every notification that waited for it, in all the
 * tenants it collected (where the user is still a member). Taking a digest off the queue, marking its notifications
 * mailed and handing the mail over happen in one transaction, and the mail leaves only if it commits, so a digest is
 * sent once even with several instances polling.
 */
@Component
class MailDigests implements SmartLifecycle, DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(MailDigests.class);
    private static final int BATCH = 100;
    /** A digest lists at most this many notifications; the rest are counted. */
    private static final int SHOWN = 50;

    private final DigestQueue queue;
    private final NotificationStore store;
    private final MembershipFacts members;
    private final TenantTransactions scopes;
    private final OutgoingMail mail;
    private final TransactionTemplate transaction;
    private final String baseUrl;
    private final Duration poll;
    private final Clock clock = Clock.systemUTC();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
            Thread.ofVirtual().name("notification-digests").factory());
    private volatile boolean running;
    private volatile java.util.concurrent.@org.jspecify.annotations.Nullable ScheduledFuture<?> polling;

    MailDigests(DigestQueue queue, NotificationStore store, MembershipFacts members, TenantTransactions scopes,
            OutgoingMail mail, PlatformTransactionManager transactions,
            @Value("${canopy.notifications.mail-digest-interval}") Duration interval,
            @Value("${canopy.issuer:}") String issuer) {
        this.queue = queue;
        this.store = store;
        this.members = members;
        this.scopes = scopes;
        this.mail = mail;
        this.transaction = new TransactionTemplate(transactions);
        this.baseUrl = issuer.endsWith("/") ? issuer.substring(0, issuer.length() - 1) : issuer;
        // a digest leaves at most a tenth of its interval late (between 100 ms and 30 s)
        long tenth = Math.clamp(interval.toMillis() / 10, 100, 30_000);
        this.poll = Duration.ofMillis(tenth);
    }

    @Override
    public void start() {
        running = true;
        // the timer outlives stop(): a cached test context, or a restarted one, is started again
        polling = timer.scheduleWithFixedDelay(this::sendDue, poll.toMillis(), poll.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    @Override
    public void stop() {
        running = false;
        var current = polling;
        if (current != null) {
            current.cancel(false);
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    void sendDue() {
        try {
            int sent;
            do {
                sent = transaction.execute(status -> {
                    List<DigestQueue.Due> due = queue.takeDue(clock.instant(), BATCH);
                    due.forEach(this::send);
                    return due.size();
                });
            } while (sent == BATCH && running);
        }
        catch (RuntimeException e) {
            log.warn("Sending notification digests failed; trying again shortly: {}", e.getMessage());
        }
    }

    private void send(DigestQueue.Due due) {
        String address = null;
        var lines = new ArrayList<String>();
        int count = 0;
        for (UUID tenantId : due.tenantIds()) {
            List<MemberCard> member = scopes.inTenant(tenantId, () -> members.describe(tenantId,
                    List.of(due.userId())));
            List<Notification> pending = scopes.inTenant(tenantId, () -> store.takeMailPending(tenantId,
                    due.userId()));
            if (member.isEmpty() || pending.isEmpty()) {
                continue;
            }
            address = member.getFirst().email();
            for (Notification n : pending) {
                count++;
                if (count <= SHOWN) {
                    lines.add("- " + n.title() + "\n  " + n.message() + (n.link() == null ? "" : "\n  " + link(n)));
                }
            }
        }
        if (address == null || count == 0) {
            return;
        }
        if (count > SHOWN) {
            lines.add("… and " + (count - SHOWN) + " more in the console.");
        }
        String subject = count == 1 ? "Canopy: 1 new notification" : "Canopy: " + count + " new notifications";
        mail.sendAfterCommit(new MailMessage(address, subject, "You have " + count + " new notification"
                + (count == 1 ? "" : "s") + " in Canopy:\n\n" + String.join("\n\n", lines)
                + "\n\nChoose which notifications are mailed under /api/v1/users/me/notification-preferences.\n"));
    }

    private String link(Notification n) {
        return baseUrl.isEmpty() ? "(console: " + n.link() + ")" : baseUrl + n.link();
    }

    @Override
    public void destroy() {
        timer.shutdownNow();
    }
}
