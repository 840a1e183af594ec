package dev.canopy.platform.db;

import java.util.function.Supplier;

import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Runs work in a transaction of its own that commits whatever happens to the caller's: for records
 * that must outlive a rolled-back request (a revoked session after token reuse, a failure's audit).
 */
@Component
public class IndependentTransaction {

    private final TransactionTemplate template;

    IndependentTransaction(PlatformTransactionManager transactions) {
        this.template = new TransactionTemplate(transactions);
        this.template.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
    }

    public <T> T run(Supplier<T> work) {
        return template.execute(status -> work.get());
    }

    public void run(Runnable work) {
        template.executeWithoutResult(status -> work.run());
    }
}
