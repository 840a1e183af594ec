package dev.canopy.notifications;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Mail as a side effect of a change: sent only if the caller's transaction commits, and then in the
 * background, so a slow or failing mail server neither holds the transaction open nor changes the
 * answer (which matters where the answer must not reveal whether an address is known). Failures are
 * logged with recipient and subject only.
 */
@Service
public class OutgoingMail implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(OutgoingMail.class);

    private final Mailer mailer;
    private final ExecutorService senders = Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("canopy-mail-", 0).factory());

    OutgoingMail(Mailer mailer) {
        this.mailer = mailer;
    }

    /** Sends the message once the current transaction commits (at once when there is none). */
    public void sendAfterCommit(MailMessage message) {
        if (TransactionSynchronizationManager.isSynchronizationActive()) {
            TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
                @Override
                public void afterCommit() {
                    sendInBackground(message);
                }
            });
        }
        else {
            sendInBackground(message);
        }
    }

    private void sendInBackground(MailMessage message) {
        senders.execute(() -> {
            try {
                mailer.send(message);
            }
            catch (RuntimeException e) {
                log.error("Mail to {} ({}) could not be sent: {}", message.to(), message.subject(), e.getMessage());
            }
        });
    }

    @Override
    public void destroy() {
        senders.close();
    }
}
