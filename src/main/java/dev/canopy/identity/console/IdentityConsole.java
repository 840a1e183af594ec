package dev.canopy.identity.console;

import java.util.Optional;

import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.context.annotation.Bean;
import org.thymeleaf.spring6.view.ThymeleafViewResolver;
import org.springframework.context.annotation.Configuration;

import dev.canopy.access.Permissions;
import dev.canopy.identity.internal.Memberships;
import dev.canopy.platform.console.DashboardCount;
import dev.canopy.platform.console.NavItem;
import dev.canopy.platform.db.TenantTransactions;

/** Identity's part of the console: navigation entries and the dashboard's count of members. */
@Configuration(proxyBeanMethods = false)
class IdentityConsole {

    /** After a form, redirects are 303 See Other: the browser follows with a GET, never re-posting the form. */
    @Bean
    static BeanPostProcessor redirectsSeeOther() {
        return new BeanPostProcessor() {
            @Override
            public Object postProcessAfterInitialization(Object bean, String name) {
                if (bean instanceof ThymeleafViewResolver resolver) {
                    resolver.setRedirectHttp10Compatible(false);
                }
                return bean;
            }
        };
    }

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
