package dev.canopy.provisioning.internal;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Collectors;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.canopy.access.Permissions;
import dev.canopy.platform.console.DashboardCount;
import dev.canopy.platform.console.NavItem;
import dev.canopy.platform.security.CanopyPrincipal;

/** Provisioning's part of the console frame: navigation entries and a dashboard tile per environment. */
@Configuration(proxyBeanMethods = false)
class ProvisioningConsole {

    @Bean
    NavItem deploymentsNav() {
        return new NavItem(ProvisioningPages.DEPLOYMENTS, "Deployments", 50,
                principal -> principal.can(Permissions.DEPLOYMENTS_LIST));
    }

    @Bean
    NavItem approvalsNav() {
        return new NavItem("/approvals", "Approvals", 52, principal -> principal.can(Permissions.DEPLOYMENTS_READ));
    }

    /** Live (not destroyed) deployments in each environment. */
    @Bean
    DashboardCount deploymentsPerEnvironment(DeploymentDirectory deployments, EnvironmentDirectory environments) {
        return new DashboardCount() {

            @Override
            public Optional<Tile> count(CanopyPrincipal principal) {
                return Optional.empty();
            }

            @Override
            public List<Tile> counts(CanopyPrincipal principal) {
                if (!principal.can(Permissions.DEPLOYMENTS_LIST) || !principal.can(Permissions.ENVIRONMENTS_LIST)) {
                    return List.of();
                }
                Map<UUID, Long> live = deployments.statsByEnvironment(principal).stream()
                        .filter(c -> !c.status().equals(Deployment.DESTROYED))
                        .collect(Collectors.groupingBy(Deployments.EnvironmentCount::environmentId,
                                Collectors.summingLong(Deployments.EnvironmentCount::count)));
                int order = 60;
                var tiles = new java.util.ArrayList<Tile>();
                for (Environment e : environments.list(principal)) {
                    tiles.add(new Tile("Deployments · " + e.name(), live.getOrDefault(e.id(), 0L),
                            ProvisioningPages.DEPLOYMENTS + "?environment=" + e.name(), order++));
                }
                return tiles;
            }
        };
    }
}
