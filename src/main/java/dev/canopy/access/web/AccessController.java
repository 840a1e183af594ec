package dev.canopy.access.web;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import dev.canopy.access.BuiltInRole;
import dev.canopy.access.Permissions;
import dev.canopy.platform.security.CanopyPrincipal;
import dev.canopy.platform.security.Permission;
import dev.canopy.platform.web.Page;

/** Read-only views of the permission registry and the roles. */
@RestController
@RequestMapping("/api/v1")
class AccessController {

    @GetMapping("/permissions")
    PermissionCatalog permissions(@AuthenticationPrincipal CanopyPrincipal principal) {
        principal.require(Permissions.PERMISSIONS_LIST);
        Map<String, List<PermissionView>> byCategory = new LinkedHashMap<>();
        Permissions.ALL.forEach(p -> byCategory.computeIfAbsent(p.category(), c -> new java.util.ArrayList<>())
                .add(PermissionView.of(p)));
        List<PermissionView> items = Permissions.ALL.stream().map(PermissionView::of).toList();
        return new PermissionCatalog(items, byCategory.entrySet().stream()
                .map(e -> new PermissionCategory(e.getKey(), e.getValue())).toList());
    }

    @GetMapping("/roles")
    Page<RoleView> roles(@AuthenticationPrincipal CanopyPrincipal principal) {
        principal.require(Permissions.ROLES_LIST);
        return new Page<>(Arrays.stream(BuiltInRole.values()).map(RoleView::of).toList(), null);
    }

    record PermissionView(String name, String description, String category, String level) {

        static PermissionView of(Permission p) {
            return new PermissionView(p.name(), p.description(), p.category(), p.level().name().toLowerCase());
        }
    }

    record PermissionCategory(String name, List<PermissionView> permissions) {
    }

    record PermissionCatalog(List<PermissionView> items, List<PermissionCategory> categories) {
    }

    record RoleView(String id, String name, String description, String level, boolean builtIn,
            List<String> permissions) {

        static RoleView of(BuiltInRole role) {
            return new RoleView(role.key(), role.displayName(), role.description(),
                    role.level().name().toLowerCase(), true, role.permissions().stream().map(Permission::name).toList());
        }
    }
}
