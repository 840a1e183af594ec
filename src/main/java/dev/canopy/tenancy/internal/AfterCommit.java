package dev.canopy.tenancy.internal;

import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/** Background work started by a request once its transaction has committed what the work reads and updates. */
final class AfterCommit {

    private AfterCommit() {
    }

    /** Runs the work after the current transaction commits (never, if it rolls back), or now outside one. */
    static void run(Runnable work) {
        if (!TransactionSynchronizationManager.isSynchronizationActive()) {
            work.run();
            return;
        }
        TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
            @Override
            public void afterCommit() {
                work.run();
            }
        });
    }
}
