package dev.canopy.identity.console;

import java.util.Optional;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.canopy.access.Permissions;
import dev.canopy.identity.internal.Memberships;
import dev.canopy.platform.console.DashboardCount;
import dev.canopy.platform.console.NavItem;
import dev.canopy.platform.db.TenantTransactions;

/** Identity's part of the console: navigation entries and the dashboard's count of members. */
@Configuration(proxyBeanMethods = false)
class IdentityConsole {

    @Bean
    NavItem dashboardNav() {
        return new NavItem("/", "Dashboard", 0, principal -> true);
    }

    @Bean
    NavItem usersNav() {
        return new NavItem("/users", "Users", 20, principal -> principal.can(Permissions.USERS_LIST));
    }

    @Bean
    NavItem profileNav() {
        return new NavItem("/profile", "Profile", 90, principal -> true);
    }

    @Bean
    DashboardCount memberCount(Memberships memberships, TenantTransactions scopes) {
        return principal -> principal.can(Permissions.USERS_LIST)
                ? Optional.of(new DashboardCount.Tile("Users", scopes.inTenant(principal.tenantId(),
                        () -> memberships.count(principal.tenantId())), "/users", 10))
                : Optional.empty();
    }
}
