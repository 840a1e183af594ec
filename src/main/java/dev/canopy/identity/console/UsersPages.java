package dev.canopy.identity.console;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;

import dev.canopy.access.Permissions;
import dev.canopy.access.RoleCatalog;
import dev.canopy.platform.web.Audited;
import dev.canopy.identity.internal.Inviting;
import dev.canopy.identity.internal.Member;
import dev.canopy.identity.internal.MemberDirectory;
import dev.canopy.platform.console.ConsoleController;
import dev.canopy.platform.console.FormErrors;
import dev.canopy.platform.security.CanopyPrincipal;
import dev.canopy.platform.web.ApiException;
import dev.canopy.platform.web.PageRequest;
import jakarta.servlet.http.HttpServletResponse;

/** The current tenant's members: search, filter by role, invite, change roles, remove; pending invitations. */
@ConsoleController
class UsersPages {

    static final String LIST = "console/users";
    static final String INVITE = "console/user-invite";
    static final String DETAIL = "console/user";
    private static final int PAGE_SIZE = 25;

    private final MemberDirectory directory;
    private final Inviting inviting;
    private final RoleCatalog catalog;

    UsersPages(MemberDirectory directory, Inviting inviting, RoleCatalog catalog) {
        this.directory = directory;
        this.inviting = inviting;
        this.catalog = catalog;
    }

    @GetMapping("/users")
    String list(@AuthenticationPrincipal CanopyPrincipal principal,
            @RequestParam(required = false) @Nullable String search,
            @RequestParam(required = false) @Nullable String role,
            @RequestParam(required = false) @Nullable String cursor,
            @RequestParam(required = false) @Nullable String invited,
            @RequestParam(name = "invitations_cursor", required = false) @Nullable String invitationsCursor,
            Model model) {
        principal.require(Permissions.USERS_LIST);
        String query = trimmed(search, 200);
        String roleKey = trimmed(role, 64);
        var page = directory.list(principal.tenantId(), query, roleKey, PageRequest.of(PAGE_SIZE, cursor));
        model.addAttribute("users", page.items());
        model.addAttribute("next", page.nextCursor());
        model.addAttribute("search", query);
        model.addAttribute("role", roleKey);
        model.addAttribute("roles", RoleChoices.forMembers(catalog, principal.tenantId()));
        model.addAttribute("roleNames", roleNames(principal.tenantId(), page.items().stream()
                .flatMap(m -> m.roles().stream()).toList()));
        model.addAttribute("invited", invited);
        model.addAttribute("filterQuery", "/users?search=" + encode(query) + "&role=" + encode(roleKey));
        var invitations = inviting.pending(principal.tenantId(), PageRequest.of(PAGE_SIZE, invitationsCursor));
        model.addAttribute("invitations", invitations.items());
        model.addAttribute("invitationsNext", invitations.nextCursor());
        return LIST;
    }

    @GetMapping("/users/invite")
    String inviteForm(@AuthenticationPrincipal CanopyPrincipal principal, Model model) {
        principal.require(Permissions.USERS_CREATE);
        model.addAttribute("roles", RoleChoices.assignable());
        model.addAttribute("chosen", List.of("member"));
        model.addAttribute("errors", new FormErrors());
        return INVITE;
    }

    @Audited(action = "invitation.created", resource = "invitation")
    @PostMapping("/users/invite")
    String invite(@AuthenticationPrincipal CanopyPrincipal principal,
            @RequestParam(required = false) @Nullable String email,
            @RequestParam(required = false) @Nullable List<String> roles, Model model, HttpServletResponse response) {
        principal.require(Permissions.USERS_CREATE);
        List<String> chosen = Forms.values(roles);
        var errors = new FormErrors().requireText("email", email, 320);
        if (!errors.has("email") && !email.trim().matches("[^\\s@]+@[^\\s@]+\\.[^\\s@]+")) {
            errors.field("email", "must be an email address");
        }
        if (chosen.isEmpty()) {
            errors.field("roles", "choose at least one role");
        }
        if (!errors.any()) {
            try {
                inviting.invite(principal, email.trim(), chosen);
                return "redirect:/users?invited=" + encode(email.trim());
            }
            catch (ApiException e) {
                if (e.status().is5xxServerError() || e.status() == HttpStatus.FORBIDDEN) {
                    throw e;
                }
                errors = e.errors().isEmpty() ? new FormErrors().field("email", e.getMessage()) : FormErrors.of(e);
                response.setStatus(e.status().value());
            }
        }
        else {
            response.setStatus(HttpStatus.UNPROCESSABLE_CONTENT.value());
        }
        model.addAttribute("email", email);
        model.addAttribute("roles", RoleChoices.assignable());
        model.addAttribute("chosen", chosen);
        model.addAttribute("errors", errors);
        return INVITE;
    }

    @Audited(action = "invitation.revoked", resource = "invitation")
    @PostMapping("/users/invitations/{id}/revoke")
    String revokeInvitation(@AuthenticationPrincipal CanopyPrincipal principal, @PathVariable String id) {
        principal.require(Permissions.USERS_DELETE);
        inviting.revoke(principal.tenantId(), Forms.uuid("id", id));
        return "redirect:/users";
    }

    @GetMapping("/users/{id}")
    String detail(@AuthenticationPrincipal CanopyPrincipal principal, @PathVariable String id, Model model) {
        principal.require(Permissions.USERS_READ);
        return detail(principal, directory.get(principal.tenantId(), Forms.uuid("id", id)), null, new FormErrors(),
                model);
    }

    @Audited(action = "user.updated", resource = "user")
    @PostMapping("/users/{id}/roles")
    String changeRoles(@AuthenticationPrincipal CanopyPrincipal principal, @PathVariable String id,
            @RequestParam(required = false) @Nullable List<String> roles,
            @RequestParam(required = false) @Nullable String version, Model model, HttpServletResponse response) {
        principal.require(Permissions.USERS_UPDATE);
        UUID userId = Forms.uuid("id", id);
        Member member = directory.get(principal.tenantId(), userId);
        List<String> chosen = Forms.values(roles);
        FormErrors errors = new FormErrors();
        if (chosen.isEmpty()) {
            errors.field("roles", "choose at least one role");
        }
        else {
            try {
                Member changed = directory.change(principal, userId,
                        new MemberDirectory.MemberChanges(null, null, chosen, Forms.version(version)));
                return detail(principal, changed, "The roles are saved.", new FormErrors(), model);
            }
            catch (ApiException e) {
                if (e.status() == HttpStatus.FORBIDDEN || e.status() == HttpStatus.NOT_FOUND) {
                    throw e;
                }
                errors = e.errors().isEmpty() ? new FormErrors().field("roles", e.getMessage()) : rolesField(e);
                response.setStatus(e.status().value());
            }
        }
        if (response.getStatus() < 400) {
            response.setStatus(HttpStatus.UNPROCESSABLE_CONTENT.value());
        }
        model.addAttribute("chosen", chosen);
        return detail(principal, member, null, errors, model);
    }

    @Audited(action = "user.removed", resource = "user")
    @PostMapping("/users/{id}/remove")
    String remove(@AuthenticationPrincipal CanopyPrincipal principal, @PathVariable String id, Model model,
            HttpServletResponse response) {
        principal.require(Permissions.USERS_DELETE);
        UUID userId = Forms.uuid("id", id);
        Member member = directory.get(principal.tenantId(), userId);
        try {
            directory.remove(principal.tenantId(), userId);
        }
        catch (ApiException e) {
            if (e.status() != HttpStatus.CONFLICT) {
                throw e;
            }
            response.setStatus(e.status().value());
            return detail(principal, member, null, new FormErrors().global(e.getMessage()), model);
        }
        return "redirect:/users";
    }

    private String detail(CanopyPrincipal principal, Member member, @Nullable String saved, FormErrors errors,
            Model model) {
        model.addAttribute("member", member);
        model.addAttribute("roles", RoleChoices.forMembers(catalog, principal.tenantId()));
        model.addAttribute("roleNames", roleNames(principal.tenantId(), member.roles()));
        if (!model.containsAttribute("chosen")) {
            model.addAttribute("chosen", member.roles());
        }
        model.addAttribute("saved", saved);
        model.addAttribute("errors", errors);
        model.addAttribute("canEdit", principal.can(Permissions.USERS_UPDATE));
        model.addAttribute("canRemove", principal.can(Permissions.USERS_DELETE));
        return DETAIL;
    }

    /** The API names a bad role {@code roles[i]}; the form shows it next to its one group of checkboxes. */
    private static FormErrors rolesField(ApiException e) {
        var errors = new FormErrors();
        e.errors().forEach(error -> errors.field(error.field().startsWith("roles[") ? "roles" : error.field(),
                error.message()));
        return errors;
    }

    /** Custom roles are held by id; people read their names. */
    private Map<String, String> roleNames(UUID tenantId, List<String> keys) {
        return catalog.names(tenantId, keys.stream().distinct().toList());
    }

    private static @Nullable String trimmed(@Nullable String value, int max) {
        if (value == null || value.isBlank()) {
            return null;
        }
        if (value.length() > max) {
            throw ApiException.invalidField("search", "must be at most " + max + " characters");
        }
        return value.trim();
    }

    private static String encode(@Nullable String value) {
        return value == null ? "" : URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
