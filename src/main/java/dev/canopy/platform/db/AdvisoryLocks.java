package dev.canopy.platform.db;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Work that one Canopy instance at a time does (a periodic check, a resubmission round): a transaction-scoped
 * PostgreSQL advisory lock, so an instance that dies mid-way releases it with its connection.
 */
@Component
public class AdvisoryLocks {

    private final JdbcClient jdbc;
    private final TransactionTemplate transaction;

    AdvisoryLocks(JdbcClient jdbc, PlatformTransactionManager transactions) {
        this.jdbc = jdbc;
        this.transaction = new TransactionTemplate(transactions);
    }

    /** Runs the work in a transaction holding lock {@code key}, unless another instance holds it; then skips it. */
    public boolean runAlone(long key, Runnable work) {
        return Boolean.TRUE.equals(transaction.execute(status -> {
            if (!Boolean.TRUE.equals(jdbc.sql("select pg_try_advisory_xact_lock(?)").param(key).query(Boolean.class)
                    .single())) {
                return false;
            }
            work.run();
            return true;
        }));
    }
}
