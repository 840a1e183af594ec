package dev.canopy.cloud.console;

import java.util.Optional;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.canopy.access.Permissions;
import dev.canopy.cloud.internal.CloudAccountDirectory;
import dev.canopy.platform.console.DashboardCount;
import dev.canopy.platform.console.NavItem;

/** Cloud's part of the console frame: the navigation entry and the dashboard's count of accounts. */
@Configuration(proxyBeanMethods = false)
class CloudConsole {

    @Bean
    NavItem cloudAccountsNav() {
        return new NavItem(CloudAccountsPages.BASE, "Cloud accounts", 45,
                principal -> principal.can(Permissions.CLOUD_ACCOUNTS_LIST));
    }

    @Bean
    DashboardCount cloudAccountCount(CloudAccountDirectory directory) {
        return principal -> principal.can(Permissions.CLOUD_ACCOUNTS_LIST)
                ? Optional.of(new DashboardCount.Tile("Cloud accounts", directory.count(principal.tenantId()),
                        CloudAccountsPages.BASE, 40))
                : Optional.empty();
    }
}
