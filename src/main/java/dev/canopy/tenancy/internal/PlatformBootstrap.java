package dev.canopy.tenancy.internal;

import java.security.SecureRandom;
import java.util.UUID;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

import dev.canopy.audit.AuditTrail;
import dev.canopy.identity.Accounts;
import dev.canopy.identity.Members;
import dev.canopy.access.AccessSetup;
import dev.canopy.catalog.CatalogSetup;
import dev.canopy.platform.Ids;

/**
 * First start on an empty database: creates the operator's own tenant and the platform administrator,
 * from {@code CANOPY_BOOTSTRAP_ADMIN_EMAIL}/{@code _PASSWORD} or with a generated password printed once.
 */
@Component
class PlatformBootstrap implements ApplicationRunner {

    private static final Logger log = LoggerFactory.getLogger(PlatformBootstrap.class);
    private static final String ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";

    private final Accounts accounts;
    private final Members members;
    private final TenantRecords tenants;
    private final TransactionTemplate transactions;
    private final JdbcClient jdbc;
    private final String email;
    private final String password;
    private final AuditTrail audit;
    private final boolean demoData;
    private final AccessSetup access;
    private final CatalogSetup catalog;

    PlatformBootstrap(Accounts accounts, Members members, TenantRecords tenants, TransactionTemplate transactions,
            JdbcClient jdbc, AuditTrail audit, AccessSetup access, CatalogSetup catalog, @Value("${canopy.bootstrap.admin-email}") String email,
            @Value("${canopy.bootstrap.admin-password}") String password,
            @Value("${canopy.demo-data:false}") boolean demoData) {
        this.audit = audit;
        this.access = access;
        this.catalog = catalog;
        this.demoData = demoData;
        this.accounts = accounts;
        this.members = members;
        this.tenants = tenants;
        this.transactions = transactions;
        this.jdbc = jdbc;
        this.email = email;
        this.password = password;
    }

    @Override
    public void run(ApplicationArguments args) {
        transactions.executeWithoutResult(status -> {
            // two instances starting on one empty database must not both bootstrap it
            jdbc.sql("select pg_advisory_xact_lock(hashtext('canopy.bootstrap'))").query((rs, n) -> 1).single();
            if (!accounts.anyUser()) {
                bootstrap();
            }
        });
    }

    private void bootstrap() {
        boolean generated = password.isBlank();
        String adminPassword = generated ? generatePassword() : password;
        UUID tenantId = Ids.newId();
        tenants.insert(tenantId, "Canopy", "canopy", null, null);
        UUID adminId = accounts.createPlatformAdmin(email, "Platform administrator", adminPassword);
        members.addAdministrator(tenantId, adminId);
        if (demoData) {
            // only here: on a database that had no user at all, never on one in use
            new DemoData(accounts, members, tenants, audit, access, catalog, "").seed(adminId, email);
        }
        if (generated) {
            log.warn("Created the platform administrator {} with the generated password {} - it is shown only "
                    + "this once; sign in and change it, or set CANOPY_BOOTSTRAP_ADMIN_PASSWORD before first start.",
                    email, adminPassword);
        }
        else {
            log.info("Created the platform administrator {} with the password from CANOPY_BOOTSTRAP_ADMIN_PASSWORD",
                    email);
        }
    }

    private static String generatePassword() {
        var random = new SecureRandom();
        var password = new StringBuilder();
        for (int i = 0; i < 24; i++) {
            password.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
        }
        return password.toString();
    }
}
