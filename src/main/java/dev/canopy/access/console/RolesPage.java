package dev.canopy.access.console;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import org.jspecify.annotations.Nullable;
import org.springframework.context.annotation.Bean;
import org.springframework.http.HttpStatus;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;

import dev.canopy.access.BuiltInRole;
import dev.canopy.access.Permissions;
import dev.canopy.access.internal.Drafts;
import dev.canopy.access.internal.RoleDraft;
import dev.canopy.access.internal.RoleManagement;
import dev.canopy.access.internal.RoleManagement.RoleEntry;
import dev.canopy.platform.console.ConsoleController;
import dev.canopy.platform.console.DashboardCount;
import dev.canopy.platform.console.FormErrors;
import dev.canopy.platform.console.NavItem;
import dev.canopy.platform.security.CanopyPrincipal;
import dev.canopy.platform.security.Permission;
import dev.canopy.platform.web.ApiException;
import dev.canopy.platform.web.Audited;
import dev.canopy.platform.web.Page;
import dev.canopy.platform.web.PageRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * The roles a tenant can give: the built-in ones and its custom roles, each with its permissions grouped by
 * category and described, and a filter box over them. Holders of {@code roles:create} create custom roles,
 * choosing permissions as checkboxes; {@code roles:update} and {@code roles:delete} change and delete them. The
 * rules (fields, registered permissions, no escalation, optimistic concurrency) are {@link RoleManagement}'s and
 * {@link RoleDraft}'s, the same as the API's.
 */
@ConsoleController
class RolesPage {

    static final String VIEW = "console/roles";
    static final String FORM = "console/role-form";
    private static final int PAGE_SIZE = 25;

    /** A role as the list shows it: its permissions by category, only those the filter keeps. */
    record RoleView(String id, String name, String description, boolean builtIn,
            Map<String, List<PermissionCatalog.Line>> categories, int total) {
    }

    private final RoleManagement roles;
    private final Drafts drafts;
    private final PermissionCatalog catalog;
    private final TransactionTemplate savepoint;

    RolesPage(RoleManagement roles, Drafts drafts, PermissionCatalog catalog, PlatformTransactionManager transactions) {
        this.roles = roles;
        this.drafts = drafts;
        this.catalog = catalog;
        this.savepoint = Refusals.savepoint(transactions);
    }

    @Bean
    static NavItem rolesNav() {
        return new NavItem("/roles", "Roles", 30, principal -> principal.can(Permissions.ROLES_LIST));
    }

    @Bean
    static DashboardCount roleCount(RoleManagement roles) {
        long builtIn = Arrays.stream(BuiltInRole.values()).filter(r -> r.level() == Permission.Level.TENANT).count();
        return principal -> principal.can(Permissions.ROLES_LIST)
                ? Optional.of(new DashboardCount.Tile("Roles", builtIn + roles.customCount(principal.tenantId()),
                        "/roles", 30))
                : Optional.empty();
    }

    @GetMapping("/roles")
    String roles(@AuthenticationPrincipal CanopyPrincipal principal,
            @RequestParam(required = false) @Nullable String filter,
            @RequestParam(required = false) @Nullable String cursor,
            @RequestParam(required = false) @Nullable String deleted, Model model) {
        principal.require(Permissions.ROLES_LIST);
        if (filter != null && filter.length() > 100) {
            throw ApiException.invalidField("filter", "must be at most 100 characters");
        }
        String needle = filter == null ? "" : filter.trim().toLowerCase(Locale.ROOT);
        Page<RoleEntry> page = roles.list(principal.tenantId(), PageRequest.of(PAGE_SIZE, cursor));
        List<RoleView> views = page.items().stream().filter(role -> !"platform".equals(role.level()))
                .map(role -> new RoleView(role.id(), role.name(), role.description(), role.builtIn(),
                        catalog.describe(role.permissions(), needle), role.permissions().size()))
                .toList();
        model.addAttribute("roles", views);
        model.addAttribute("hasCustom", views.stream().anyMatch(r -> !r.builtIn()) || cursor != null);
        model.addAttribute("next", page.nextCursor());
        model.addAttribute("filter", filter);
        model.addAttribute("deleted", deleted != null && deleted.length() <= 100 ? deleted : null);
        model.addAttribute("matches", views.stream().mapToInt(r -> r.categories().values().stream()
                .mapToInt(List::size).sum()).sum());
        return VIEW;
    }

    @GetMapping("/roles/new")
    String newRole(@AuthenticationPrincipal CanopyPrincipal principal, Model model) {
        principal.require(Permissions.ROLES_CREATE);
        return form(principal, null, "", "", List.of(), null, new FormErrors(), model);
    }

    @Audited(action = "role.created", resource = "role")
    @PostMapping("/roles")
    String create(@AuthenticationPrincipal CanopyPrincipal principal,
            @RequestParam(required = false) @Nullable String name,
            @RequestParam(required = false) @Nullable String description,
            @RequestParam(required = false) @Nullable List<String> permissions, Model model,
            HttpServletResponse response) {
        principal.require(Permissions.ROLES_CREATE);
        List<String> chosen = checked(permissions);
        try {
            RoleDraft draft = drafts.check(new RoleDraft(name, description, chosen));
            RoleEntry created = savepoint.execute(status -> roles.create(principal, draft.name().trim(),
                    draft.description() == null ? "" : draft.description().trim(), draft.permissions()));
            return "redirect:/roles/" + created.id() + "?saved=created";
        }
        catch (ApiException e) {
            rethrowUnlessFormProblem(e);
            return form(principal, null, name, description, chosen, null, Refusals.shown(e, response, "name"), model);
        }
    }

    @GetMapping("/roles/{id}")
    String role(@AuthenticationPrincipal CanopyPrincipal principal, @PathVariable String id,
            @RequestParam(required = false) @Nullable String saved, Model model) {
        if (!principal.can(Permissions.ROLES_READ)) {
            principal.require(Permissions.ROLES_LIST);
        }
        RoleEntry role = roles.get(principal.tenantId(), id);
        if ("platform".equals(role.level())) {
            throw RoleManagement.notFound();
        }
        String notice = "created".equals(saved) ? "The role is created." : "updated".equals(saved)
                ? "The role is saved." : null;
        return form(principal, role, role.name(), role.description(), role.permissions(), notice, new FormErrors(),
                model);
    }

    @Audited(action = "role.updated", resource = "role")
    @PostMapping("/roles/{id}")
    String update(@AuthenticationPrincipal CanopyPrincipal principal, @PathVariable String id,
            @RequestParam(required = false) @Nullable String name,
            @RequestParam(required = false) @Nullable String description,
            @RequestParam(required = false) @Nullable List<String> permissions,
            @RequestParam(required = false) @Nullable String version, Model model, HttpServletResponse response) {
        principal.require(Permissions.ROLES_UPDATE);
        RoleEntry role = roles.get(principal.tenantId(), id);
        List<String> chosen = checked(permissions);
        long expected = Refusals.version(version);
        try {
            // the form sends the whole role, so it is checked as a whole role is when created
            RoleDraft draft = drafts.check(new RoleDraft(name, description, chosen));
            RoleEntry changed = savepoint.execute(status -> roles.change(principal, id, draft.name().trim(),
                    draft.description() == null ? "" : draft.description().trim(), draft.permissions(), expected));
            return "redirect:/roles/" + changed.id() + "?saved=updated";
        }
        catch (ApiException e) {
            rethrowUnlessFormProblem(e);
            return form(principal, role, name, description, chosen, null, Refusals.shown(e, response, "name"), model);
        }
    }

    @Audited(action = "role.deleted", resource = "role")
    @PostMapping("/roles/{id}/delete")
    String delete(@AuthenticationPrincipal CanopyPrincipal principal, @PathVariable String id, Model model,
            HttpServletResponse response) {
        principal.require(Permissions.ROLES_DELETE);
        RoleEntry role = roles.get(principal.tenantId(), id);
        try {
            roles.delete(principal, id);
            return "redirect:/roles?deleted=" + java.net.URLEncoder.encode(role.name(),
                    java.nio.charset.StandardCharsets.UTF_8);
        }
        catch (ApiException e) {
            if (e.status() != HttpStatus.CONFLICT) {
                throw e;
            }
            response.setStatus(e.status().value());
            return form(principal, role, role.name(), role.description(), role.permissions(), null,
                    new FormErrors().global(e.getMessage()), model);
        }
    }

    private String form(CanopyPrincipal principal, @Nullable RoleEntry role, @Nullable String name,
            @Nullable String description, List<String> chosen, @Nullable String notice, FormErrors errors,
            Model model) {
        boolean editable = role == null ? principal.can(Permissions.ROLES_CREATE)
                : !role.builtIn() && principal.can(Permissions.ROLES_UPDATE);
        model.addAttribute("role", role);
        model.addAttribute("name", name);
        model.addAttribute("description", description);
        model.addAttribute("chosen", chosen);
        model.addAttribute("options", catalog.options());
        // patterns a role holds that no checkbox offers (wildcards): kept, shown and removable
        model.addAttribute("extra", chosen.stream().filter(p -> !catalog.offered(p)).toList());
        model.addAttribute("lines", catalog.describe(chosen, ""));
        model.addAttribute("editable", editable);
        model.addAttribute("canDelete", role != null && !role.builtIn() && principal.can(Permissions.ROLES_DELETE));
        model.addAttribute("notice", notice);
        model.addAttribute("errors", errors);
        return FORM;
    }

    /** Refusals that are about the form go next to its fields; 404 and the like are pages of their own. */
    private static void rethrowUnlessFormProblem(ApiException e) {
        if (e.status().is5xxServerError() || e.status() == HttpStatus.NOT_FOUND
                || (e.status() == HttpStatus.FORBIDDEN && !"PERMISSION_ESCALATION".equals(e.code()))) {
            throw e;
        }
    }

    private static List<String> checked(@Nullable List<String> values) {
        return values == null ? List.of() : values.stream().filter(v -> !v.isBlank()).distinct().toList();
    }
}
