package dev.canopy.access.internal;

import java.util.List;

import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

import dev.canopy.access.Permissions;
import dev.canopy.platform.security.Permission;

/**
 * The code's permission registry as this instance sees it: the slot index every compiled policy uses,
 * and its copy in {@code platform.permissions}, rewritten at start-up (several instances starting at once
 * write the same rows; permissions no longer declared are removed).
 */
@Component
public class PermissionRegistry implements SmartInitializingSingleton {

    private final PermissionIndex index = new PermissionIndex(Permissions.ALL);
    private final JdbcClient jdbc;
    private final TransactionTemplate transactions;

    PermissionRegistry(JdbcClient jdbc, TransactionTemplate transactions) {
        this.jdbc = jdbc;
        this.transactions = transactions;
    }

    public PermissionIndex index() {
        return index;
    }

    public List<Permission> all() {
        return Permissions.ALL;
    }

    @Override
    public void afterSingletonsInstantiated() {
        transactions.executeWithoutResult(status -> {
            for (Permission p : Permissions.ALL) {
                jdbc.sql("""
                        insert into platform.permissions (name, description, category, level, qualifiers)
                        values (:name, :description, :category, :level, :qualifiers)
                        on conflict (name) do update
                           set description = excluded.description, category = excluded.category,
                               level = excluded.level, qualifiers = excluded.qualifiers, synced_at = now()
                         where (platform.permissions.description, platform.permissions.category,
                                platform.permissions.level, platform.permissions.qualifiers)
                               is distinct from (excluded.description, excluded.category, excluded.level,
                                                 excluded.qualifiers)
                        """)
                        .param("name", p.name()).param("description", p.description())
                        .param("category", p.category()).param("level", p.level().name().toLowerCase())
                        .param("qualifiers", p.qualifiers().toArray(String[]::new))
                        .update();
            }
            jdbc.sql("delete from platform.permissions where name <> all (?)")
                    .param(Permissions.ALL.stream().map(Permission::name).toArray(String[]::new))
                    .update();
        });
    }
}
