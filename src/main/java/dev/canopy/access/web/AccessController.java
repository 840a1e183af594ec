package dev.canopy.access.web;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import dev.canopy.access.Permissions;
import dev.canopy.platform.security.CanopyPrincipal;
import dev.canopy.platform.security.Permission;

/** The permission registry, read-only, grouped by category. */
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

    record PermissionView(String name, String description, String category, String level, List<String> qualifiers) {

        static PermissionView of(Permission p) {
            return new PermissionView(p.name(), p.description(), p.category(), p.level().name().toLowerCase(),
                    p.qualifiers());
        }
    }

    record PermissionCategory(String name, List<PermissionView> permissions) {
    }

    record PermissionCatalog(List<PermissionView> items, List<PermissionCategory> categories) {
    }

}
