package dev.canopy.cloud.console;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
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
import dev.canopy.cloud.internal.AccountDraft;
import dev.canopy.cloud.internal.CloudAccount;
import dev.canopy.cloud.internal.CloudAccountDirectory;
import dev.canopy.cloud.internal.ProviderForms;
import dev.canopy.cloud.internal.ProviderForms.ProviderForm;
import dev.canopy.platform.console.ConsoleController;
import dev.canopy.platform.console.FormErrors;
import dev.canopy.platform.security.CanopyPrincipal;
import dev.canopy.platform.web.ApiException;
import dev.canopy.platform.web.Audited;
import dev.canopy.platform.web.PageRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * The current tenant's cloud accounts: list, connect (provider, its settings and credentials), change, test the
 * connection, remove. Everything goes through {@link CloudAccountDirectory}, so the rules and field checks are
 * the API's; credentials typed into a form are never sent back, not even when the form has errors.
 */
@ConsoleController
class CloudAccountsPages {

    static final String BASE = "/cloud-accounts";
    static final String LIST = "console/cloud-accounts";
    static final String NEW = "console/cloud-account-new";
    static final String DETAIL = "console/cloud-account";
    private static final int PAGE_SIZE = 25;

    private final CloudAccountDirectory directory;

    CloudAccountsPages(CloudAccountDirectory directory) {
        this.directory = directory;
    }

    @GetMapping(BASE)
    String list(@AuthenticationPrincipal CanopyPrincipal principal,
            @RequestParam(required = false) @Nullable String provider,
            @RequestParam(required = false) @Nullable String cursor,
            @RequestParam(required = false) @Nullable String deleted, Model model) {
        principal.require(Permissions.CLOUD_ACCOUNTS_LIST);
        String filter = provider == null || provider.isBlank() ? null : provider.trim();
        if (filter != null && ProviderForms.of(filter).isEmpty()) {
            throw ApiException.invalidField("provider", "is not a provider");
        }
        var page = directory.list(principal.tenantId(), filter, PageRequest.of(PAGE_SIZE, cursor));
        model.addAttribute("accounts", page.items().stream().map(AccountSummary::of).toList());
        model.addAttribute("next", page.nextCursor());
        model.addAttribute("provider", filter);
        model.addAttribute("providers", ProviderForms.all());
        // a flag, not the name: a link must not make the page say whatever it carries
        model.addAttribute("deleted", deleted != null);
        model.addAttribute("canCreate", principal.can(Permissions.CLOUD_ACCOUNTS_CREATE));
        model.addAttribute("filterQuery", BASE + "?provider=" + (filter == null ? "" : encode(filter)));
        return LIST;
    }

    @GetMapping(BASE + "/new")
    String newForm(@AuthenticationPrincipal CanopyPrincipal principal,
            @RequestParam(required = false) @Nullable String provider, Model model) {
        principal.require(Permissions.CLOUD_ACCOUNTS_CREATE);
        ProviderForm chosen = provider == null || provider.isBlank() ? null : providerForm(provider);
        return newForm(model, chosen, AccountForm.empty(chosen), new FormErrors());
    }

    @Audited(action = "cloud_account.created", resource = "cloud_account")
    @PostMapping(BASE)
    String create(@AuthenticationPrincipal CanopyPrincipal principal,
            @RequestParam java.util.Map<String, String> fields, Model model, HttpServletResponse response) {
        principal.require(Permissions.CLOUD_ACCOUNTS_CREATE);
        ProviderForm provider = providerForm(fields.get("provider"));
        AccountForm form = AccountForm.read(provider, fields);
        FormErrors errors = form.problems();
        if (!errors.any()) {
            try {
                CloudAccount created = directory.create(principal, new AccountDraft(form.name(), provider.key(),
                        form.settingsMap(), form.authType(), form.credentialsOrNull(), form.environmentList(),
                        form.tagMap()));
                return "redirect:" + BASE + "/" + created.id() + "?created";
            }
            catch (ApiException e) {
                errors = refusal(e, response);
            }
        }
        else {
            response.setStatus(HttpStatus.UNPROCESSABLE_CONTENT.value());
        }
        return newForm(model, provider, form, errors);
    }

    @GetMapping(BASE + "/{id}")
    String detail(@AuthenticationPrincipal CanopyPrincipal principal, @PathVariable String id,
            @RequestParam(required = false) @Nullable String created, Model model) {
        principal.require(Permissions.CLOUD_ACCOUNTS_READ);
        CloudAccount account = directory.get(principal.tenantId(), accountId(id));
        return detail(principal, account, AccountForm.of(account), new FormErrors(),
                created != null ? "The cloud account is connected. Test the connection to check its credentials."
                        : null, model);
    }

    @Audited(action = "cloud_account.updated", resource = "cloud_account")
    @PostMapping(BASE + "/{id}")
    String update(@AuthenticationPrincipal CanopyPrincipal principal, @PathVariable String id,
            @RequestParam java.util.Map<String, String> fields, Model model, HttpServletResponse response) {
        principal.require(Permissions.CLOUD_ACCOUNTS_UPDATE);
        CloudAccount account = directory.get(principal.tenantId(), accountId(id));
        ProviderForm provider = providerForm(account.provider());
        AccountForm form = AccountForm.read(provider, fields);
        FormErrors errors = form.problems();
        long version = version(fields.get("version"));
        if (!errors.any()) {
            try {
                CloudAccount changed = directory.update(principal, account.id(), new CloudAccountDirectory.Change(
                        form.name(), form.settingsMap(), form.authType(), form.credentialsOrNull(),
                        form.environmentList(), form.tagMap()), version);
                return detail(principal, changed, AccountForm.of(changed), new FormErrors(), "The changes are saved.",
                        model);
            }
            catch (ApiException e) {
                errors = refusal(e, response);
            }
        }
        else {
            response.setStatus(HttpStatus.UNPROCESSABLE_CONTENT.value());
        }
        return detail(principal, account, form, errors, null, model);
    }

    /** Checks the credentials against the provider for real and shows what it answered. */
    @Audited(action = "cloud_account.tested", resource = "cloud_account", requestTransaction = false)
    @PostMapping(BASE + "/{id}/test")
    String test(@AuthenticationPrincipal CanopyPrincipal principal, @PathVariable String id, Model model) {
        principal.require(Permissions.CLOUD_ACCOUNTS_TEST);
        UUID accountId = accountId(id);
        CloudAccountDirectory.Tested tested = directory.test(principal.tenantId(), accountId);
        CloudAccount account = directory.get(principal.tenantId(), accountId);
        model.addAttribute("tested", tested);
        return detail(principal, account, AccountForm.of(account), new FormErrors(), null, model);
    }

    @Audited(action = "cloud_account.deleted", resource = "cloud_account")
    @PostMapping(BASE + "/{id}/delete")
    String delete(@AuthenticationPrincipal CanopyPrincipal principal, @PathVariable String id) {
        principal.require(Permissions.CLOUD_ACCOUNTS_DELETE);
        UUID accountId = accountId(id);
        directory.delete(principal.tenantId(), accountId);
        return "redirect:" + BASE + "?deleted";
    }

    private String newForm(Model model, @Nullable ProviderForm provider, AccountForm form, FormErrors errors) {
        model.addAttribute("providers", ProviderForms.all());
        model.addAttribute("chosen", provider);
        model.addAttribute("form", form);
        model.addAttribute("errors", errors);
        return NEW;
    }

    private String detail(CanopyPrincipal principal, CloudAccount account, AccountForm form, FormErrors errors,
            @Nullable String notice, Model model) {
        ProviderForm provider = providerForm(account.provider());
        model.addAttribute("account", AccountSummary.of(account));
        model.addAttribute("provider", provider);
        model.addAttribute("form", form);
        model.addAttribute("errors", errors);
        model.addAttribute("notice", notice);
        model.addAttribute("canEdit", principal.can(Permissions.CLOUD_ACCOUNTS_UPDATE));
        model.addAttribute("canTest", principal.can(Permissions.CLOUD_ACCOUNTS_TEST));
        model.addAttribute("canDelete", principal.can(Permissions.CLOUD_ACCOUNTS_DELETE));
        return DETAIL;
    }

    /** A refusal of the use case as the form shows it; refusals that are not about the form become error pages. */
    private static FormErrors refusal(ApiException e, HttpServletResponse response) {
        if (e.status() == HttpStatus.FORBIDDEN || e.status() == HttpStatus.NOT_FOUND || e.status().is5xxServerError()) {
            throw e;
        }
        FormErrors errors = new FormErrors();
        if ("CLOUD_ACCOUNT_NAME_TAKEN".equals(e.code())) {
            errors.field("name", e.getMessage());
        }
        else if (e.errors().isEmpty()) {
            errors.global(e.getMessage());
        }
        else {
            e.errors().forEach(error -> errors.field(AccountForm.inputOf(error.field()), error.message()));
        }
        response.setStatus("VALIDATION_FAILED".equals(e.code()) ? HttpStatus.UNPROCESSABLE_CONTENT.value()
                : e.status().value());
        return errors;
    }

    private static ProviderForm providerForm(@Nullable String key) {
        if (key == null || key.isBlank()) {
            throw ApiException.invalidField("provider", "is required");
        }
        return ProviderForms.of(key.trim())
                .orElseThrow(() -> ApiException.invalidField("provider", "is not a provider"));
    }

    private static UUID accountId(String id) {
        try {
            return UUID.fromString(id);
        }
        catch (IllegalArgumentException e) {
            // a malformed id names nothing, like an unknown one
            throw ApiException.notFound("CLOUD_ACCOUNT_NOT_FOUND", "No such cloud account.");
        }
    }

    private static long version(@Nullable String value) {
        try {
            return Long.parseLong(value == null ? "" : value.trim());
        }
        catch (NumberFormatException e) {
            throw ApiException.invalidField("version", "is required");
        }
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
