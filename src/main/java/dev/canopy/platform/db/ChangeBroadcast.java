package dev.canopy.platform.db;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import javax.sql.DataSource;

import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Tells every Canopy instance that something changed, through PostgreSQL LISTEN/NOTIFY: a change
 * published inside a transaction is heard by all instances (this one included) when it commits, and
 * never if it rolls back. Instances use it to drop cached state at once.
 */
@Component
public class ChangeBroadcast implements SmartLifecycle {

    static final String CHANNEL = "canopy_changes";

    private static final Logger log = LoggerFactory.getLogger(ChangeBroadcast.class);

    /** Hears changes. {@link #missedChanges()} runs when notifications may have been lost (a reconnect). */
    public interface Listener {

        void changed(String topic, String key);

        void missedChanges();
    }

    private final JdbcClient jdbc;
    private final DataSource dataSource;
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    private volatile boolean running;
    private volatile Thread thread;

    ChangeBroadcast(JdbcClient jdbc, DataSource dataSource) {
        this.jdbc = jdbc;
        this.dataSource = dataSource;
    }

    /**
     * Announces a change of {@code topic} (e.g. {@code session}) for {@code key}, delivered on commit.
     * This instance hears it synchronously at commit, before the request that made it is answered.
     */
    public void publish(String topic, String key) {
        String payload = topic + ":" + key;
        jdbc.sql("select pg_notify(?, ?)").params(CHANNEL, payload).query((rs, n) -> 1).single();
        if (TransactionSynchronizationManager.isSynchronizationActive()) {
            TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
                @Override
                public void afterCommit() {
                    dispatch(payload);
                }
            });
        }
        else {
            dispatch(payload);
        }
    }

    public void subscribe(Listener listener) {
        listeners.add(listener);
    }

    @Override
    public void start() {
        running = true;
        thread = Thread.ofVirtual().name("canopy-change-listener").start(this::listen);
    }

    @Override
    public void stop() {
        running = false;
        Thread listener = thread;
        if (listener != null) {
            try {
                // let it give its connection back before the pool closes
                listener.join(Duration.ofSeconds(2));
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    private void listen() {
        boolean first = true;
        while (running) {
            try (Connection connection = dataSource.getConnection()) {
                connection.setAutoCommit(true);
                try (Statement statement = connection.createStatement()) {
                    statement.execute("listen " + CHANNEL);
                }
                if (!first) {
                    listeners.forEach(Listener::missedChanges);
                }
                first = false;
                PGConnection pg = connection.unwrap(PGConnection.class);
                while (running) {
                    PGNotification[] notifications = pg.getNotifications(500);
                    if (notifications != null) {
                        for (PGNotification notification : notifications) {
                            dispatch(notification.getParameter());
                        }
                    }
                }
            }
            catch (SQLException | RuntimeException e) {
                if (running) {
                    log.warn("Listening for changes failed; retrying in a second: {}", e.getMessage());
                    pause();
                }
            }
        }
    }

    private void dispatch(String payload) {
        int colon = payload.indexOf(':');
        String topic = colon < 0 ? payload : payload.substring(0, colon);
        String key = colon < 0 ? "" : payload.substring(colon + 1);
        for (Listener listener : listeners) {
            try {
                listener.changed(topic, key);
            }
            catch (RuntimeException e) {
                log.error("A change listener failed on {}", payload, e);
            }
        }
    }

    private static void pause() {
        try {
            Thread.sleep(1000);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
