package dev.canopy.access.console;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;
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
import dev.canopy.access.internal.BusinessUnit;
import dev.canopy.access.internal.BusinessUnitDraft;
import dev.canopy.access.internal.BusinessUnitManagement;
import dev.canopy.access.internal.BusinessUnitManagement.UnitDetails;
import dev.canopy.access.internal.Drafts;
import dev.canopy.access.internal.GroupManagement;
import dev.canopy.platform.console.ConsoleController;
import dev.canopy.platform.console.FormErrors;
import dev.canopy.platform.console.NavItem;
import dev.canopy.platform.security.CanopyPrincipal;
import dev.canopy.platform.web.ApiException;
import dev.canopy.platform.web.Audited;
import dev.canopy.platform.web.Page;
import dev.canopy.platform.web.PageRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * Business units of the current tenant: a paginated list with a create form, and a page per unit with its
 * owner, its members and their roles there (managed by the owner or {@code business_units:manage_members}),
 * the groups scoped to it, and deletion. The rules are {@link BusinessUnitManagement}'s, as for the API.
 */
@ConsoleController
class BusinessUnitsPages {

    static final String LIST = "console/business-units";
    static final String DETAIL = "console/business-unit";
    private static final int PAGE_SIZE = 25;

    /** A unit as the list shows it. */
    record UnitRow(UUID id, String code, String name, @Nullable String owner, int members) {
    }

    /** A member of a unit with the name of the role they hold there. */
    record UnitMemberRow(UUID userId, String fullName, String email, String role) {
    }

    private final BusinessUnitManagement units;
    private final GroupManagement groups;
    private final RoleCatalog catalog;
    private final MemberNames names;
    private final Drafts drafts;
    private final TransactionTemplate savepoint;

    BusinessUnitsPages(BusinessUnitManagement units, GroupManagement groups, RoleCatalog catalog, MemberNames names,
            Drafts drafts, PlatformTransactionManager transactions) {
        this.units = units;
        this.groups = groups;
        this.catalog = catalog;
        this.names = names;
        this.drafts = drafts;
        this.savepoint = Refusals.savepoint(transactions);
    }

    @Bean
    static NavItem businessUnitsNav() {
        return new NavItem("/business-units", "Business units", 34,
                principal -> principal.can(Permissions.BUSINESS_UNITS_LIST));
    }

    @GetMapping("/business-units")
    String list(@AuthenticationPrincipal CanopyPrincipal principal,
            @RequestParam(required = false) @Nullable String cursor,
            @RequestParam(required = false) @Nullable String deleted, Model model) {
        principal.require(Permissions.BUSINESS_UNITS_LIST);
        model.addAttribute("deleted", deleted != null && deleted.length() <= 100 ? deleted : null);
        return list(principal, cursor, null, null, null, new FormErrors(), model);
    }

    @Audited(action = "business_unit.created", resource = "business_unit")
    @PostMapping("/business-units")
    String create(@AuthenticationPrincipal CanopyPrincipal principal,
            @RequestParam(required = false) @Nullable String code,
            @RequestParam(required = false) @Nullable String name,
            @RequestParam(name = "owner_email", required = false) @Nullable String ownerEmail, Model model,
            HttpServletResponse response) {
        principal.require(Permissions.BUSINESS_UNITS_CREATE);
        try {
            UUID ownerId = null;
            if (Refusals.text(ownerEmail) != null) {
                if (ownerEmail.length() > 320) {
                    throw ApiException.invalidField("owner_email", "must be at most 320 characters");
                }
                ownerId = names.byEmail(principal.tenantId(), ownerEmail.trim()).map(MemberCard::userId)
                        .orElseThrow(() -> ApiException.invalidField("owner_email", "is not a member of this tenant"));
            }
            BusinessUnitDraft draft = drafts.check(new BusinessUnitDraft(code == null ? null : code.trim(), name,
                    ownerId));
            UnitDetails created = savepoint.execute(status -> units.create(principal.tenantId(), draft.code(),
                    draft.name().trim(), draft.ownerId()));
            return "redirect:/business-units/" + created.unit().id() + "?saved=created";
        }
        catch (ApiException e) {
            if (e.status().is5xxServerError() || e.status() == HttpStatus.FORBIDDEN
                    || e.status() == HttpStatus.NOT_FOUND) {
                throw e;
            }
            return list(principal, null, code, name, ownerEmail, Refusals.shown(e, response, "code"), model);
        }
    }

    @GetMapping("/business-units/{id}")
    String detail(@AuthenticationPrincipal CanopyPrincipal principal, @PathVariable String id,
            @RequestParam(required = false) @Nullable String saved, Model model) {
        UnitDetails unit = units.get(principal, unitId(id));
        return detail(principal, unit, notice(saved), new FormErrors(), null, model);
    }

    @Audited(action = "business_unit.deleted", resource = "business_unit")
    @PostMapping("/business-units/{id}/delete")
    String delete(@AuthenticationPrincipal CanopyPrincipal principal, @PathVariable String id) {
        principal.require(Permissions.BUSINESS_UNITS_DELETE);
        UnitDetails unit = units.get(principal, unitId(id));
        units.delete(principal.tenantId(), unit.unit().id());
        return "redirect:/business-units?deleted=" + java.net.URLEncoder.encode(unit.unit().name(),
                java.nio.charset.StandardCharsets.UTF_8);
    }

    @Audited(action = "business_unit.member_set", resource = "business_unit")
    @PostMapping("/business-units/{id}/members")
    String putMember(@AuthenticationPrincipal CanopyPrincipal principal, @PathVariable String id,
            @RequestParam(required = false) @Nullable String email,
            @RequestParam(required = false) @Nullable String role, Model model, HttpServletResponse response) {
        UnitDetails unit = units.get(principal, unitId(id));
        var errors = new FormErrors().requireText("email", email, 320).requireText("role", role, 64);
        Optional<MemberCard> member = errors.has("email") ? Optional.empty()
                : names.byEmail(principal.tenantId(), email.trim());
        if (!errors.has("email") && member.isEmpty()) {
            errors.field("email", "is not a member of this tenant");
        }
        if (!errors.has("role") && !catalog.assignable(principal.tenantId(), role.trim())) {
            errors.field("role", "is not a role of this tenant");
        }
        if (errors.any()) {
            response.setStatus(HttpStatus.UNPROCESSABLE_CONTENT.value());
            return detail(principal, unit, null, errors, email, model);
        }
        try {
            units.putMember(principal, unit.unit().id(), member.get().userId(), role.trim());
            return "redirect:/business-units/" + unit.unit().id() + "?saved=member_set";
        }
        catch (ApiException e) {
            if (!"PERMISSION_ESCALATION".equals(e.code())) {
                throw e;
            }
            return detail(principal, unit, null, Refusals.shown(e, response, "role"), email, model);
        }
    }

    @Audited(action = "business_unit.member_removed", resource = "business_unit")
    @PostMapping("/business-units/{id}/members/{userId}/remove")
    String removeMember(@AuthenticationPrincipal CanopyPrincipal principal, @PathVariable String id,
            @PathVariable String userId) {
        UUID unit = unitId(id);
        units.removeMember(principal, unit, Refusals.id(userId, ApiException.notFound(
                "BUSINESS_UNIT_MEMBER_NOT_FOUND", "That user is not a member of the unit.")));
        return "redirect:/business-units/" + unit + "?saved=member_removed";
    }

    private String list(CanopyPrincipal principal, @Nullable String cursor, @Nullable String code,
            @Nullable String name, @Nullable String ownerEmail, FormErrors errors, Model model) {
        UUID tenantId = principal.tenantId();
        Page<UnitDetails> page = units.list(tenantId, PageRequest.of(PAGE_SIZE, cursor));
        Map<UUID, MemberCard> owners = names.describe(tenantId, page.items().stream().map(d -> d.unit().ownerId())
                .filter(java.util.Objects::nonNull).distinct().toList()).stream()
                .collect(Collectors.toMap(MemberCard::userId, Function.identity()));
        model.addAttribute("units", page.items().stream().map(d -> new UnitRow(d.unit().id(), d.unit().code(),
                d.unit().name(), Optional.ofNullable(d.unit().ownerId()).map(owners::get).map(MemberCard::fullName)
                        .orElse(null), d.members().size())).toList());
        model.addAttribute("next", page.nextCursor());
        model.addAttribute("first", cursor == null);
        model.addAttribute("code", code);
        model.addAttribute("name", name);
        model.addAttribute("ownerEmail", ownerEmail);
        model.addAttribute("candidates", principal.can(Permissions.BUSINESS_UNITS_CREATE)
                ? names.suggestions(tenantId, List.of()) : List.of());
        model.addAttribute("errors", errors);
        return LIST;
    }

    private String detail(CanopyPrincipal principal, UnitDetails details, @Nullable String notice,
            FormErrors errors, @Nullable String email, Model model) {
        UUID tenantId = principal.tenantId();
        BusinessUnit unit = details.unit();
        var ids = new java.util.ArrayList<UUID>(details.members().stream().map(m -> m.userId()).toList());
        if (unit.ownerId() != null) {
            ids.add(unit.ownerId());
        }
        Map<UUID, MemberCard> cards = names.describe(tenantId, ids).stream()
                .collect(Collectors.toMap(MemberCard::userId, Function.identity()));
        Map<String, String> roleNames = catalog.names(tenantId, details.members().stream().map(m -> m.roleKey())
                .distinct().toList());
        boolean manage = principal.userId().equals(unit.ownerId())
                || principal.can(Permissions.BUSINESS_UNITS_MANAGE_MEMBERS);
        model.addAttribute("unit", unit);
        model.addAttribute("owner", unit.ownerId() == null ? null : cards.get(unit.ownerId()));
        model.addAttribute("members", details.members().stream().filter(m -> cards.containsKey(m.userId()))
                .map(m -> new UnitMemberRow(m.userId(), cards.get(m.userId()).fullName(), cards.get(m.userId()).email(),
                        roleNames.getOrDefault(m.roleKey(), m.roleKey())))
                .toList());
        model.addAttribute("groups", groups.ofUnit(tenantId, unit.id()));
        model.addAttribute("candidates", manage ? names.suggestions(tenantId, details.members().stream()
                .map(m -> m.userId()).toList()) : List.of());
        model.addAttribute("roleChoices", manage ? catalog.choices(tenantId) : List.of());
        model.addAttribute("email", email);
        model.addAttribute("notice", notice);
        model.addAttribute("errors", errors);
        model.addAttribute("canManage", manage);
        model.addAttribute("canDelete", principal.can(Permissions.BUSINESS_UNITS_DELETE));
        return DETAIL;
    }

    private static UUID unitId(String id) {
        return Refusals.id(id, BusinessUnitManagement.notFound());
    }

    private static @Nullable String notice(@Nullable String saved) {
        Map<String, String> notices = Map.of("created", "The business unit is created.",
                "member_set", "The member's role in the unit is saved.", "member_removed", "The member is removed.");
        return saved == null ? null : notices.get(saved);
    }
}
