package dev.canopy.access.console;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Collectors;

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

import dev.canopy.access.MemberCard;
import dev.canopy.access.Permissions;
import dev.canopy.access.RoleCatalog;
import dev.canopy.access.RoleChoice;
import dev.canopy.access.internal.BusinessUnit;
import dev.canopy.access.internal.BusinessUnitManagement;
import dev.canopy.access.internal.Drafts;
import dev.canopy.access.internal.GroupDraft;
import dev.canopy.access.internal.GroupManagement;
import dev.canopy.access.internal.GroupManagement.GroupDetails;
import dev.canopy.platform.console.ConsoleController;
import dev.canopy.platform.console.DashboardCount;
import dev.canopy.platform.console.FormErrors;
import dev.canopy.platform.console.NavItem;
import dev.canopy.platform.security.CanopyPrincipal;
import dev.canopy.platform.web.ApiException;
import dev.canopy.platform.web.Audited;
import dev.canopy.platform.web.Page;
import dev.canopy.platform.web.PageRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * Groups of the current tenant: a paginated list with a create form, and a page per group with its members and
 * roles (added and removed by holders of {@code groups:manage}, who must hold what the group's roles grant),
 * its name and description, and deletion. The rules are {@link GroupManagement}'s and {@link GroupDraft}'s, as
 * for the API.
 */
@ConsoleController
class GroupsPages {

    static final String LIST = "console/groups";
    static final String DETAIL = "console/group";
    private static final int PAGE_SIZE = 25;
    private static final int UNIT_CHOICES = 200;

    /** A group as the list shows it. */
    record GroupRow(UUID id, String name, String description, @Nullable String unit, int members,
            List<String> roles) {
    }

    private final GroupManagement groups;
    private final BusinessUnitManagement units;
    private final RoleCatalog catalog;
    private final MemberNames names;
    private final Drafts drafts;
    private final TransactionTemplate savepoint;

    GroupsPages(GroupManagement groups, BusinessUnitManagement units, RoleCatalog catalog, MemberNames names,
            Drafts drafts, PlatformTransactionManager transactions) {
        this.groups = groups;
        this.units = units;
        this.catalog = catalog;
        this.names = names;
        this.drafts = drafts;
        this.savepoint = Refusals.savepoint(transactions);
    }

    @Bean
    static NavItem groupsNav() {
        return new NavItem("/groups", "Groups", 32, principal -> principal.can(Permissions.GROUPS_LIST));
    }

    @Bean
    static DashboardCount groupCount(GroupManagement groups) {
        return principal -> principal.can(Permissions.GROUPS_LIST)
                ? Optional.of(new DashboardCount.Tile("Groups", groups.count(principal.tenantId()), "/groups", 25))
                : Optional.empty();
    }

    @GetMapping("/groups")
    String list(@AuthenticationPrincipal CanopyPrincipal principal,
            @RequestParam(required = false) @Nullable String cursor,
            @RequestParam(required = false) @Nullable String deleted, Model model) {
        principal.require(Permissions.GROUPS_LIST);
        model.addAttribute("deleted", deleted != null && deleted.length() <= 100 ? deleted : null);
        return list(principal, cursor, null, null, null, new FormErrors(), model);
    }

    @Audited(action = "group.created", resource = "group")
    @PostMapping("/groups")
    String create(@AuthenticationPrincipal CanopyPrincipal principal,
            @RequestParam(required = false) @Nullable String name,
            @RequestParam(required = false) @Nullable String description,
            @RequestParam(name = "business_unit_id", required = false) @Nullable String businessUnitId, Model model,
            HttpServletResponse response) {
        principal.require(Permissions.GROUPS_CREATE);
        String unit = Refusals.text(businessUnitId);
        try {
            UUID unitId = unit == null ? null : Refusals.id(unit, ApiException.invalidField("business_unit_id",
                    "is not a business unit of this tenant"));
            GroupDraft draft = drafts.check(new GroupDraft(name, description, unitId));
            GroupDetails created = savepoint.execute(status -> groups.create(principal.tenantId(),
                    draft.name().trim(), draft.description() == null ? "" : draft.description().trim(),
                    draft.businessUnitId()));
            return "redirect:/groups/" + created.group().id() + "?saved=created";
        }
        catch (ApiException e) {
            if (e.status() == HttpStatus.NOT_FOUND && "BUSINESS_UNIT_NOT_FOUND".equals(e.code())) {
                // a unit id in a form that names none of this tenant's units is a bad field, not a missing page
                e = ApiException.invalidField("business_unit_id", "is not a business unit of this tenant");
            }
            if (e.status().is5xxServerError() || e.status() == HttpStatus.FORBIDDEN) {
                throw e;
            }
            return list(principal, null, name, description, unit, Refusals.shown(e, response, "name"), model);
        }
    }

    @GetMapping("/groups/{id}")
    String detail(@AuthenticationPrincipal CanopyPrincipal principal, @PathVariable String id,
            @RequestParam(required = false) @Nullable String saved, Model model) {
        principal.require(Permissions.GROUPS_READ);
        GroupDetails group = groups.get(principal.tenantId(), groupId(id));
        return detail(principal, group, notice(saved), new FormErrors(), null, model);
    }

    @Audited(action = "group.updated", resource = "group")
    @PostMapping("/groups/{id}")
    String update(@AuthenticationPrincipal CanopyPrincipal principal, @PathVariable String id,
            @RequestParam(required = false) @Nullable String name,
            @RequestParam(required = false) @Nullable String description,
            @RequestParam(required = false) @Nullable String version, Model model, HttpServletResponse response) {
        principal.require(Permissions.GROUPS_UPDATE);
        GroupDetails group = groups.get(principal.tenantId(), groupId(id));
        long expected = Refusals.version(version);
        try {
            GroupDraft draft = drafts.check(new GroupDraft(name, description, null));
            savepoint.execute(status -> groups.change(principal.tenantId(), group.group().id(), draft.name().trim(),
                    draft.description() == null ? "" : draft.description().trim(), expected));
            return "redirect:/groups/" + group.group().id() + "?saved=updated";
        }
        catch (ApiException e) {
            if (e.status().is5xxServerError() || e.status() == HttpStatus.FORBIDDEN
                    || e.status() == HttpStatus.NOT_FOUND) {
                throw e;
            }
            model.addAttribute("name", name);
            model.addAttribute("description", description);
            return detail(principal, group, null, Refusals.shown(e, response, "name"), null, model);
        }
    }

    @Audited(action = "group.deleted", resource = "group")
    @PostMapping("/groups/{id}/delete")
    String delete(@AuthenticationPrincipal CanopyPrincipal principal, @PathVariable String id) {
        principal.require(Permissions.GROUPS_DELETE);
        GroupDetails group = groups.get(principal.tenantId(), groupId(id));
        groups.delete(principal.tenantId(), group.group().id());
        return "redirect:/groups?deleted=" + java.net.URLEncoder.encode(group.group().name(),
                java.nio.charset.StandardCharsets.UTF_8);
    }

    @Audited(action = "group.member_added", resource = "group")
    @PostMapping("/groups/{id}/members")
    String addMember(@AuthenticationPrincipal CanopyPrincipal principal, @PathVariable String id,
            @RequestParam(required = false) @Nullable String email, Model model, HttpServletResponse response) {
        principal.require(Permissions.GROUPS_MANAGE);
        GroupDetails group = groups.get(principal.tenantId(), groupId(id));
        var errors = new FormErrors().requireText("email", email, 320);
        Optional<MemberCard> member = errors.any() ? Optional.empty()
                : names.byEmail(principal.tenantId(), email.trim());
        if (!errors.any() && member.isEmpty()) {
            errors.field("email", "is not a member of this tenant");
        }
        if (errors.any()) {
            response.setStatus(HttpStatus.UNPROCESSABLE_CONTENT.value());
            return detail(principal, group, null, errors, email, model);
        }
        try {
            groups.addMember(principal, group.group().id(), member.get().userId());
            return "redirect:/groups/" + group.group().id() + "?saved=member_added";
        }
        catch (ApiException e) {
            if (!"PERMISSION_ESCALATION".equals(e.code())) {
                throw e;
            }
            return detail(principal, group, null, Refusals.shown(e, response, "email"), email, model);
        }
    }

    @Audited(action = "group.member_removed", resource = "group")
    @PostMapping("/groups/{id}/members/{userId}/remove")
    String removeMember(@AuthenticationPrincipal CanopyPrincipal principal, @PathVariable String id,
            @PathVariable String userId) {
        principal.require(Permissions.GROUPS_MANAGE);
        UUID group = groupId(id);
        groups.removeMember(principal.tenantId(), group, Refusals.id(userId,
                ApiException.notFound("GROUP_MEMBER_NOT_FOUND", "That user is not a member of this group.")));
        return "redirect:/groups/" + group + "?saved=member_removed";
    }

    @Audited(action = "group.role_added", resource = "group")
    @PostMapping("/groups/{id}/roles")
    String addRole(@AuthenticationPrincipal CanopyPrincipal principal, @PathVariable String id,
            @RequestParam(required = false) @Nullable String role, Model model, HttpServletResponse response) {
        principal.require(Permissions.GROUPS_MANAGE);
        GroupDetails group = groups.get(principal.tenantId(), groupId(id));
        var errors = new FormErrors().requireText("role", role, 64);
        if (!errors.any() && !catalog.assignable(principal.tenantId(), role.trim())) {
            errors.field("role", "is not a role of this tenant");
        }
        if (errors.any()) {
            response.setStatus(HttpStatus.UNPROCESSABLE_CONTENT.value());
            return detail(principal, group, null, errors, null, model);
        }
        try {
            groups.addRole(principal, group.group().id(), role.trim());
            return "redirect:/groups/" + group.group().id() + "?saved=role_added";
        }
        catch (ApiException e) {
            if (!"PERMISSION_ESCALATION".equals(e.code())) {
                throw e;
            }
            return detail(principal, group, null, Refusals.shown(e, response, "role"), null, model);
        }
    }

    @Audited(action = "group.role_removed", resource = "group")
    @PostMapping("/groups/{id}/roles/{roleId}/remove")
    String removeRole(@AuthenticationPrincipal CanopyPrincipal principal, @PathVariable String id,
            @PathVariable String roleId) {
        principal.require(Permissions.GROUPS_MANAGE);
        UUID group = groupId(id);
        if (roleId.length() > 64) {
            throw ApiException.notFound("ROLE_NOT_FOUND", "The group does not have that role.");
        }
        groups.removeRole(principal.tenantId(), group, roleId);
        return "redirect:/groups/" + group + "?saved=role_removed";
    }

    private String list(CanopyPrincipal principal, @Nullable String cursor, @Nullable String name,
            @Nullable String description, @Nullable String businessUnitId, FormErrors errors, Model model) {
        UUID tenantId = principal.tenantId();
        Page<GroupDetails> page = groups.list(tenantId, PageRequest.of(PAGE_SIZE, cursor));
        List<BusinessUnit> unitChoices = units.first(tenantId, UNIT_CHOICES);
        Map<UUID, String> unitNames = unitChoices.stream()
                .collect(Collectors.toMap(BusinessUnit::id, BusinessUnit::name));
        model.addAttribute("groups", page.items().stream().map(d -> new GroupRow(d.group().id(), d.group().name(),
                d.group().description(), d.group().businessUnitId() == null ? null
                        : unitNames.getOrDefault(d.group().businessUnitId(), "another unit"),
                d.members().size(), d.roles().stream().map(r -> r.name()).toList())).toList());
        model.addAttribute("next", page.nextCursor());
        model.addAttribute("first", cursor == null);
        model.addAttribute("units", unitChoices);
        model.addAttribute("name", name);
        model.addAttribute("description", description);
        model.addAttribute("businessUnitId", businessUnitId);
        model.addAttribute("errors", errors);
        return LIST;
    }

    private String detail(CanopyPrincipal principal, GroupDetails group, @Nullable String notice, FormErrors errors,
            @Nullable String email, Model model) {
        UUID tenantId = principal.tenantId();
        List<MemberCard> members = names.describe(tenantId, group.members());
        boolean manage = principal.can(Permissions.GROUPS_MANAGE);
        List<String> held = group.roles().stream().map(r -> r.id()).toList();
        model.addAttribute("group", group.group());
        model.addAttribute("members", members);
        model.addAttribute("roles", group.roles());
        model.addAttribute("unit", group.group().businessUnitId() == null ? null : units.first(tenantId, UNIT_CHOICES)
                .stream().filter(u -> u.id().equals(group.group().businessUnitId())).findFirst()
                .map(BusinessUnit::name).orElse("another unit"));
        model.addAttribute("candidates", manage ? names.suggestions(tenantId, group.members()) : List.of());
        model.addAttribute("roleChoices", manage ? catalog.choices(tenantId).stream()
                .filter(r -> !held.contains(r.key())).toList() : List.<RoleChoice>of());
        model.addAttribute("email", email);
        if (!model.containsAttribute("name")) {
            model.addAttribute("name", group.group().name());
            model.addAttribute("description", group.group().description());
        }
        model.addAttribute("notice", notice);
        model.addAttribute("errors", errors);
        model.addAttribute("canManage", manage);
        model.addAttribute("canUpdate", principal.can(Permissions.GROUPS_UPDATE));
        model.addAttribute("canDelete", principal.can(Permissions.GROUPS_DELETE));
        return DETAIL;
    }

    private static UUID groupId(String id) {
        return Refusals.id(id, ApiException.notFound("GROUP_NOT_FOUND", "No such group in this tenant."));
    }

    private static @Nullable String notice(@Nullable String saved) {
        Map<String, String> notices = Map.of("created", "The group is created.", "updated", "The group is saved.",
                "member_added", "The member is added.", "member_removed", "The member is removed.",
                "role_added", "The role is added.", "role_removed", "The role is removed.");
        return saved == null ? null : notices.get(saved);
    }
}
