package dev.canopy.tenancy.console;

import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.context.annotation.Bean;
import org.springframework.http.HttpStatus;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;

import dev.canopy.access.Permissions;
import dev.canopy.platform.web.Audited;
import dev.canopy.platform.console.ConsoleController;
import dev.canopy.platform.console.FormErrors;
import dev.canopy.platform.console.NavItem;
import dev.canopy.platform.security.CanopyPrincipal;
import dev.canopy.platform.web.ApiException;
import dev.canopy.platform.web.PageRequest;
import dev.canopy.tenancy.Tenant;
import dev.canopy.tenancy.Tenants;
import jakarta.servlet.http.HttpServletResponse;

/**
 * Tenants for platform administrators (all of them) and MSP administrators (their client tenants): create
 * client tenants, suspend and reactivate them. The rules are those of {@link Tenants}.
 */
@ConsoleController
class TenantsPage {

    static final String VIEW = "console/tenants";
    static final String SLUG = "[a-z0-9][a-z0-9-]{1,62}";
    private static final int PAGE_SIZE = 25;

    private final Tenants tenants;
    private final TransactionTemplate savepoint;

    TenantsPage(Tenants tenants, PlatformTransactionManager transactions) {
        this.tenants = tenants;
        // a refused insert (a taken slug) aborts the request's transaction; a savepoint keeps it usable for the
        // page that shows the error
        this.savepoint = new TransactionTemplate(transactions);
        this.savepoint.setPropagationBehavior(TransactionDefinition.PROPAGATION_NESTED);
    }

    @Bean
    static NavItem tenantsNav() {
        return new NavItem("/tenants", "Tenants", 50, TenantsPage::mayManage);
    }

    static boolean mayManage(CanopyPrincipal principal) {
        return principal.can(Permissions.PLATFORM_TENANTS_MANAGE) || principal.can(Permissions.TENANTS_CREATE);
    }

    @GetMapping("/tenants")
    String list(@AuthenticationPrincipal CanopyPrincipal principal,
            @RequestParam(required = false) @Nullable String search,
            @RequestParam(required = false) @Nullable String cursor, Model model) {
        return render(principal, search, cursor, new FormErrors(), null, null, null, model);
    }

    @Audited(action = "tenant.created", resource = "tenant")
    @PostMapping("/tenants")
    String create(@AuthenticationPrincipal CanopyPrincipal principal,
            @RequestParam(required = false) @Nullable String name,
            @RequestParam(required = false) @Nullable String slug,
            @RequestParam(name = "top_level", required = false) @Nullable String topLevel, Model model,
            HttpServletResponse response) {
        requireManager(principal);
        var errors = new FormErrors().requireText("name", name, 200).requireText("slug", slug, 63);
        if (!errors.has("slug") && !slug.trim().matches(SLUG)) {
            errors.field("slug", "must be 2-63 lower-case letters, digits or dashes, starting with a letter or digit");
        }
        if (!errors.any()) {
            boolean top = topLevel != null && principal.can(Permissions.PLATFORM_TENANTS_MANAGE);
            try {
                Tenant created = savepoint.execute(status -> tenants.create(principal,
                        new Tenants.NewTenant(name.trim(), slug.trim(), top ? null : principal.tenantId(), null)));
                return render(principal, null, null, new FormErrors(), "The tenant '" + created.name() + "' is created.",
                        null, null, model);
            }
            catch (ApiException e) {
                if (e.status() == HttpStatus.FORBIDDEN) {
                    throw e;
                }
                errors = "SLUG_TAKEN".equals(e.code()) ? new FormErrors().field("slug", e.getMessage())
                        : FormErrors.of(e);
                response.setStatus(e.status().value());
            }
        }
        else {
            response.setStatus(HttpStatus.UNPROCESSABLE_CONTENT.value());
        }
        return render(principal, null, null, errors, null, name, slug, model);
    }

    @Audited(action = "tenant.updated", resource = "tenant")
    @PostMapping("/tenants/{id}/status")
    String changeStatus(@AuthenticationPrincipal CanopyPrincipal principal, @PathVariable String id,
            @RequestParam(required = false) @Nullable String status,
            @RequestParam(required = false) @Nullable String version, Model model, HttpServletResponse response) {
        requireManager(principal);
        UUID tenantId;
        try {
            tenantId = UUID.fromString(id);
        }
        catch (IllegalArgumentException e) {
            throw ApiException.notFound("TENANT_NOT_FOUND", "No such tenant.");
        }
        if (!Tenant.ACTIVE.equals(status) && !Tenant.SUSPENDED.equals(status)) {
            throw ApiException.invalidField("status", "must be active or suspended");
        }
        long expected;
        try {
            expected = Long.parseLong(version == null ? "" : version);
        }
        catch (NumberFormatException e) {
            throw ApiException.invalidField("version", "is required");
        }
        if (tenantId.equals(principal.tenantId())) {
            throw ApiException.conflict("OWN_TENANT", "Switch to another tenant before suspending this one.");
        }
        try {
            Tenant changed = tenants.update(principal, tenantId,
                    new Tenants.TenantChanges(null, null, status, null, null, expected));
            return render(principal, null, null, new FormErrors(), "The tenant '" + changed.name() + "' is now "
                    + changed.status() + ".", null, null, model);
        }
        catch (ApiException e) {
            if (e.status() != HttpStatus.CONFLICT) {
                throw e;
            }
            response.setStatus(e.status().value());
            return render(principal, null, null, new FormErrors().global(e.getMessage()), null, null, null, model);
        }
    }

    private String render(CanopyPrincipal principal, @Nullable String search, @Nullable String cursor,
            FormErrors errors, @Nullable String notice, @Nullable String name, @Nullable String slug, Model model) {
        requireManager(principal);
        if (search != null && search.length() > 200) {
            throw ApiException.invalidField("search", "must be at most 200 characters");
        }
        String query = search == null || search.isBlank() ? null : search.trim();
        var page = tenants.list(principal, new Tenants.TenantFilter(null, null, query),
                PageRequest.of(PAGE_SIZE, cursor));
        model.addAttribute("tenants", page.items());
        model.addAttribute("next", page.nextCursor());
        model.addAttribute("search", query);
        model.addAttribute("errors", errors);
        model.addAttribute("notice", notice);
        model.addAttribute("name", name);
        model.addAttribute("slug", slug);
        model.addAttribute("platformAdmin", principal.can(Permissions.PLATFORM_TENANTS_MANAGE));
        model.addAttribute("currentTenant", principal.tenantId());
        return VIEW;
    }

    private static void requireManager(CanopyPrincipal principal) {
        if (!mayManage(principal)) {
            throw ApiException.forbidden("Managing tenants needs the permission 'tenants:create' or "
                    + "'platform:tenants_manage'.");
        }
    }
}
