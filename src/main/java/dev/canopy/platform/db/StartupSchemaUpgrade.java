package dev.canopy.platform.db;

import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

import jakarta.annotation.PreDestroy;

/**
 * After an upgrade the platform schema and the pool are migrated by Flyway before the application starts; the tenant
 * schemas are migrated here, in the background once the application is ready, so one slow or broken schema does not
 * hold back start-up or the other tenants. Their tenants are answered 503 with a Retry-After until theirs is done.
 */
@Component
class StartupSchemaUpgrade {

    private static final Logger log = LoggerFactory.getLogger(StartupSchemaUpgrade.class);

    private final TenantSchemaUpgrades upgrades;
    private final int parallelism;
    private final ExecutorService threads = Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("canopy-schema-upgrade-", 0).factory());

    StartupSchemaUpgrade(TenantSchemaUpgrades upgrades,
            @Value("${canopy.database.upgrade-parallelism:2}") int parallelism) {
        this.upgrades = upgrades;
        this.parallelism = Math.max(1, parallelism);
    }

    @EventListener(ApplicationReadyEvent.class)
    void start() {
        threads.submit(() -> {
            try {
                upgradeBehind();
            }
            catch (RuntimeException e) {
                log.warn("Migrating the tenant schemas behind stopped: {}", e.getMessage(), e);
            }
        });
    }

    /** Migrates every schema behind the latest version, {@code parallelism} at a time; failures are recorded. */
    void upgradeBehind() {
        List<TenantSchemaUpgrades.SchemaState> behind = upgrades.behind();
        if (behind.isEmpty()) {
            return;
        }
        log.info("Migrating {} tenant schemas to version {}", behind.size(), upgrades.latestVersion());
        var slots = new Semaphore(parallelism);
        var failed = new AtomicInteger();
        try (ExecutorService each = Executors.newVirtualThreadPerTaskExecutor()) {
            for (TenantSchemaUpgrades.SchemaState schema : behind) {
                slots.acquire();
                each.submit(() -> {
                    try {
                        upgrades.upgrade(schema.tenantId(), schema.schema());
                    }
                    catch (RuntimeException e) {
                        failed.incrementAndGet();
                        log.warn("Migrating tenant schema {} failed: {}", schema.schema(), e.getMessage());
                    }
                    finally {
                        slots.release();
                    }
                });
            }
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        log.info("Tenant schemas migrated: {} of {} ({} failed, recorded on them)", behind.size() - failed.get(),
                behind.size(), failed.get());
    }

    @PreDestroy
    void stop() {
        threads.shutdownNow();
    }
}
