package dev.canopy.identity.sso;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.jspecify.annotations.Nullable;
import org.springframework.context.annotation.Bean;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;

import dev.canopy.access.BuiltInRole;
import dev.canopy.access.Permissions;
import dev.canopy.identity.internal.Issuer;
import dev.canopy.platform.console.ConsoleController;
import dev.canopy.platform.console.FormErrors;
import dev.canopy.platform.console.NavItem;
import dev.canopy.platform.security.CanopyPrincipal;
import dev.canopy.platform.security.Permission;
import dev.canopy.platform.web.ApiException;
import dev.canopy.platform.web.Audited;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.Validator;

/**
 * The current tenant's single sign-on settings in the console: provider preset, issuer, client, auth mode and
 * provisioning rules, checked against the provider on demand. The same use cases and the same checks as
 * {@code /api/v1/tenants/{id}/sso/config} (its request record is validated here too); the client secret is
 * write-only. Only for holders of {@code sso:manage}.
 */
@ConsoleController
class SsoSettingsPage {

    static final String PATH = "/settings/sso";
    static final String VIEW = "console/sso-settings";

    private static final List<SsoSettingsForm.RoleChoice> ROLES = Arrays.stream(BuiltInRole.values())
            .filter(role -> role.level() == Permission.Level.TENANT)
            .map(role -> new SsoSettingsForm.RoleChoice(role.key(), role.displayName())).toList();

    private final SsoConfiguring configuring;
    private final Validator validator;
    private final Issuer issuer;

    SsoSettingsPage(SsoConfiguring configuring, Validator validator, Issuer issuer) {
        this.configuring = configuring;
        this.validator = validator;
        this.issuer = issuer;
    }

    @Bean
    static NavItem ssoSettingsNav() {
        return new NavItem(PATH, "Single sign-on", 75, principal -> principal.can(Permissions.SSO_MANAGE));
    }

    @GetMapping(PATH)
    String show(@AuthenticationPrincipal CanopyPrincipal principal, Model model, HttpServletResponse response) {
        SsoConfiguring.Configured current = current(principal);
        return render(principal, current, current == null ? SsoSettingsForm.empty()
                : SsoSettingsForm.of(current.config()), new FormErrors(), null, model, response);
    }

    @Audited(action = "sso.config_created", resource = "sso_config")
    @PostMapping(PATH + "/create")
    String create(@AuthenticationPrincipal CanopyPrincipal principal, @RequestParam Map<String, String> fields,
            Model model, HttpServletResponse response) {
        principal.require(Permissions.SSO_MANAGE);
        return save(principal, fields, null, model, response);
    }

    @Audited(action = "sso.config_updated", resource = "sso_config")
    @PostMapping(PATH)
    String replace(@AuthenticationPrincipal CanopyPrincipal principal, @RequestParam Map<String, String> fields,
            Model model, HttpServletResponse response) {
        principal.require(Permissions.SSO_MANAGE);
        long version;
        try {
            version = Long.parseLong(fields.getOrDefault("version", "").trim());
        }
        catch (NumberFormatException e) {
            throw ApiException.invalidField("version", "is required");
        }
        return save(principal, fields, version, model, response);
    }

    /** Asks the provider (discovery, keys, PKCE) whether the saved configuration can work, and shows the checks. */
    @PostMapping(PATH + "/validate")
    String validate(@AuthenticationPrincipal CanopyPrincipal principal, Model model, HttpServletResponse response) {
        principal.require(Permissions.SSO_MANAGE);
        SsoConfiguring.Validation validation = configuring.validate(principal, principal.tenantId());
        model.addAttribute("valid", validation.valid());
        model.addAttribute("checks", validation.checks().stream()
                .map(c -> new SsoSettingsForm.CheckView(c.name(), c.ok(), c.detail())).toList());
        SsoConfiguring.Configured current = current(principal);
        return render(principal, current, SsoSettingsForm.of(current.config()), new FormErrors(), null, model,
                response);
    }

    @Audited(action = "sso.config_deleted", resource = "sso_config")
    @PostMapping(PATH + "/delete")
    String delete(@AuthenticationPrincipal CanopyPrincipal principal, Model model, HttpServletResponse response) {
        principal.require(Permissions.SSO_MANAGE);
        configuring.delete(principal, principal.tenantId());
        return render(principal, null, SsoSettingsForm.empty(), new FormErrors(),
                "Single sign-on is removed; members sign in with their passwords.", model, response);
    }

    private String save(CanopyPrincipal principal, Map<String, String> fields, @Nullable Long version, Model model,
            HttpServletResponse response) {
        SsoSettingsForm form = SsoSettingsForm.read(fields);
        FormErrors errors = form.problems();
        SsoConfigController.SsoConfigRequest request = errors.any() ? null : form.request(version);
        if (request != null) {
            for (ConstraintViolation<SsoConfigController.SsoConfigRequest> violation : validator.validate(request)) {
                errors.field(field(violation.getPropertyPath().toString()), violation.getMessage());
            }
        }
        if (request != null && !errors.any()) {
            try {
                SsoConfiguring.Configured saved = version == null
                        ? configuring.create(principal, principal.tenantId(), request.draft())
                        : configuring.replace(principal, principal.tenantId(), request.draft(), version);
                return render(principal, saved, SsoSettingsForm.of(saved.config()), new FormErrors(),
                        "The single sign-on settings are saved.", model, response);
            }
            catch (ApiException e) {
                if (e.status() == HttpStatus.FORBIDDEN || e.status() == HttpStatus.NOT_FOUND
                        || e.status().is5xxServerError()) {
                    throw e;
                }
                errors = FormErrors.of(e);
                response.setStatus("VALIDATION_FAILED".equals(e.code()) ? HttpStatus.UNPROCESSABLE_CONTENT.value()
                        : e.status().value());
            }
        }
        else {
            response.setStatus(HttpStatus.UNPROCESSABLE_CONTENT.value());
        }
        int status = response.getStatus();
        String view = render(principal, current(principal), form, errors, null, model, response);
        response.setStatus(status);
        return view;
    }

    private String render(CanopyPrincipal principal, SsoConfiguring.@Nullable Configured current,
            SsoSettingsForm form, FormErrors errors, @Nullable String notice, Model model,
            HttpServletResponse response) {
        principal.require(Permissions.SSO_MANAGE);
        String base = issuer.current();
        model.addAttribute("configured", current != null);
        model.addAttribute("version", current == null ? null : current.config().version());
        model.addAttribute("form", form);
        model.addAttribute("errors", errors);
        model.addAttribute("notice", notice);
        model.addAttribute("roles", ROLES);
        model.addAttribute("redirectUri", base + SsoLoginController.CALLBACK);
        model.addAttribute("signInUrl", current == null ? null
                : base + "/sign-in?tenant=" + current.tenant().slug());
        response.setHeader(HttpHeaders.CACHE_CONTROL, "no-store");
        return VIEW;
    }

    private SsoConfiguring.@Nullable Configured current(CanopyPrincipal principal) {
        try {
            return configuring.get(principal, principal.tenantId());
        }
        catch (ApiException e) {
            if ("SSO_NOT_CONFIGURED".equals(e.code())) {
                return null;
            }
            throw e;
        }
    }

    /** A bean validation path as the API names the field: {@code autoProvisioning.allowedEmailDomains[0]} → snake. */
    private static String field(String path) {
        StringBuilder out = new StringBuilder();
        for (String segment : path.split("\\.")) {
            int cut = segment.indexOf('[');
            String name = (cut >= 0 ? segment.substring(0, cut) : segment);
            if (name.startsWith("<")) {
                break;
            }
            if (!out.isEmpty()) {
                out.append('.');
            }
            out.append(name.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase(Locale.ROOT));
            if (cut >= 0) {
                break;
            }
        }
        return out.toString();
    }
}
