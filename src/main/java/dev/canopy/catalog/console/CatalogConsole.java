package dev.canopy.catalog.console;

import java.util.Optional;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.canopy.access.Permissions;
import dev.canopy.catalog.internal.TemplateDirectory;
import dev.canopy.platform.console.DashboardCount;
import dev.canopy.platform.console.NavItem;

/** The catalog's part of the console frame: the navigation entry and the dashboard's count of templates. */
@Configuration(proxyBeanMethods = false)
class CatalogConsole {

    @Bean
    NavItem catalogNav() {
        return new NavItem(CatalogPages.BASE, "Catalog", 48, principal -> principal.can(Permissions.TEMPLATES_LIST));
    }

    @Bean
    DashboardCount templateCount(TemplateDirectory directory) {
        return principal -> principal.can(Permissions.TEMPLATES_LIST)
                ? Optional.of(new DashboardCount.Tile("Templates", directory.count(principal.tenantId()),
                        CatalogPages.BASE, 45))
                : Optional.empty();
    }
}
