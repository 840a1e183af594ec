package dev.canopy.access.console;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import org.jspecify.annotations.Nullable;
import org.springframework.context.annotation.Bean;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;

import dev.canopy.access.BuiltInRole;
import dev.canopy.access.Permissions;
import dev.canopy.platform.console.ConsoleController;
import dev.canopy.platform.console.DashboardCount;
import dev.canopy.platform.console.NavItem;
import dev.canopy.platform.security.CanopyPrincipal;
import dev.canopy.platform.security.Permission;
import dev.canopy.platform.web.ApiException;

/**
 * The roles a tenant can give, each with its permissions grouped by category and described, and a filter
 * box over permission names and descriptions. Custom roles join this page with the access-control engine.
 */
@ConsoleController
class RolesPage {

    static final String VIEW = "console/roles";

    /** A role as the page shows it: its permissions by category, only those the filter keeps. */
    record RoleView(String key, String name, String description, Map<String, List<Permission>> categories,
            int total) {
    }

    @Bean
    static NavItem rolesNav() {
        return new NavItem("/roles", "Roles", 30, principal -> principal.can(Permissions.ROLES_LIST));
    }

    @Bean
    static DashboardCount roleCount() {
        return principal -> principal.can(Permissions.ROLES_LIST)
                ? Optional.of(new DashboardCount.Tile("Roles", tenantRoles().size(), "/roles", 30))
                : Optional.empty();
    }

    @GetMapping("/roles")
    String roles(@AuthenticationPrincipal CanopyPrincipal principal,
            @RequestParam(required = false) @Nullable String filter, Model model) {
        principal.require(Permissions.ROLES_LIST);
        if (filter != null && filter.length() > 100) {
            throw ApiException.invalidField("filter", "must be at most 100 characters");
        }
        String needle = filter == null ? "" : filter.trim().toLowerCase(Locale.ROOT);
        List<RoleView> roles = tenantRoles().stream().map(role -> view(role, needle)).toList();
        model.addAttribute("roles", roles);
        model.addAttribute("filter", filter);
        model.addAttribute("matches", roles.stream().mapToInt(r -> r.categories().values().stream()
                .mapToInt(List::size).sum()).sum());
        return VIEW;
    }

    private static RoleView view(BuiltInRole role, String needle) {
        var categories = new LinkedHashMap<String, List<Permission>>();
        role.permissions().stream()
                .filter(p -> needle.isEmpty() || p.name().contains(needle)
                        || p.description().toLowerCase(Locale.ROOT).contains(needle)
                        || p.category().toLowerCase(Locale.ROOT).contains(needle))
                .forEach(p -> categories.computeIfAbsent(p.category(), c -> new java.util.ArrayList<>()).add(p));
        return new RoleView(role.key(), role.displayName(), role.description(), categories,
                role.permissions().size());
    }

    private static List<BuiltInRole> tenantRoles() {
        return Arrays.stream(BuiltInRole.values()).filter(r -> r.level() == Permission.Level.TENANT).toList();
    }
}
