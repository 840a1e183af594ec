package dev.canopy.catalog.console;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
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
import org.springframework.web.multipart.MultipartFile;

import dev.canopy.access.Permissions;
import dev.canopy.catalog.InputErrors;
import dev.canopy.catalog.InputsForm;
import dev.canopy.catalog.internal.AccessRequest;
import dev.canopy.catalog.internal.CatalogEntry;
import dev.canopy.catalog.internal.Driver;
import dev.canopy.catalog.internal.Template;
import dev.canopy.catalog.internal.TemplateAccessControl;
import dev.canopy.catalog.internal.TemplateDirectory;
import dev.canopy.catalog.internal.TemplateDraft;
import dev.canopy.catalog.internal.TemplatePublishing;
import dev.canopy.catalog.internal.TemplateVersion;
import dev.canopy.catalog.internal.Templates;
import dev.canopy.platform.console.ConsoleController;
import dev.canopy.platform.console.FormErrors;
import dev.canopy.platform.security.CanopyPrincipal;
import dev.canopy.platform.web.ApiException;
import dev.canopy.platform.web.Audited;
import dev.canopy.platform.web.PageRequest;
import jakarta.servlet.http.HttpServletResponse;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;
import tools.jackson.dataformat.yaml.YAMLWriteFeature;

/**
 * The template catalog in the console: the catalog with search and driver filter, a template with its versions,
 * manifest and upload form, the access-request inbox, and a form rendered from a version's input schema. Every
 * page goes through the catalog's use cases, so the rules, codes and messages are the API's.
 */
@ConsoleController
class CatalogPages {

    static final String BASE = "/catalog";
    private static final int PAGE_SIZE = 25;
    private static final YAMLMapper YAML = YAMLMapper.builder().enable(YAMLWriteFeature.MINIMIZE_QUOTES)
            .disable(YAMLWriteFeature.WRITE_DOC_START_MARKER).build();

    private final TemplateDirectory directory;
    private final TemplatePublishing publishing;
    private final TemplateAccessControl access;

    CatalogPages(TemplateDirectory directory, TemplatePublishing publishing, TemplateAccessControl access) {
        this.directory = directory;
        this.publishing = publishing;
        this.access = access;
    }

    /** A catalog row: the template, whether it is shared with this tenant and whether the caller may deploy it. */
    record Row(Template template, boolean shared, boolean provisionable) {
    }

    @GetMapping(BASE)
    String list(@AuthenticationPrincipal CanopyPrincipal principal,
            @RequestParam(required = false) @Nullable String search,
            @RequestParam(required = false) @Nullable String driver,
            @RequestParam(required = false) @Nullable String cursor, Model model) {
        var page = directory.list(principal, Templates.Filter.of(search, driver, null), PageRequest.of(PAGE_SIZE,
                cursor));
        model.addAttribute("rows", page.items().stream().map(e -> row(principal, e)).toList());
        model.addAttribute("next", page.nextCursor());
        model.addAttribute("search", search == null ? "" : search);
        model.addAttribute("driver", driver == null ? "" : driver);
        model.addAttribute("drivers", Driver.keys());
        model.addAttribute("canCreate", principal.can(Permissions.TEMPLATES_CREATE));
        model.addAttribute("filterQuery", BASE + "?search=" + encode(search) + "&driver=" + encode(driver));
        return "console/catalog";
    }

    @GetMapping(BASE + "/new")
    String newForm(@AuthenticationPrincipal CanopyPrincipal principal, Model model) {
        principal.require(Permissions.TEMPLATES_CREATE);
        return newForm(principal, model, Map.of(), new FormErrors());
    }

    @Audited(action = "template.created", resource = "template")
    @PostMapping(BASE)
    String create(@AuthenticationPrincipal CanopyPrincipal principal, @RequestParam Map<String, String> fields,
            Model model, HttpServletResponse response) {
        principal.require(Permissions.TEMPLATES_CREATE);
        try {
            Template created = directory.create(principal, new TemplateDraft(fields.get("name"),
                    fields.get("description"), blankToNull(fields.get("driver")), tags(fields.get("tags")),
                    fields.containsKey("locked")));
            return "redirect:" + BASE + "/" + created.id();
        }
        catch (ApiException e) {
            return newForm(principal, model, fields, refusal(e, response));
        }
    }

    @GetMapping(BASE + "/{id}")
    String detail(@AuthenticationPrincipal CanopyPrincipal principal, @PathVariable String id, Model model) {
        return detail(principal, templateId(id), model, new FormErrors(), null);
    }

    @Audited(action = "template.version_published", resource = "template")
    @PostMapping(BASE + "/{id}/versions")
    String publish(@AuthenticationPrincipal CanopyPrincipal principal, @PathVariable String id,
            @RequestParam(name = "file", required = false) @Nullable MultipartFile file, Model model,
            HttpServletResponse response) throws IOException {
        UUID templateId = templateId(id);
        try {
            if (file == null || file.isEmpty()) {
                throw ApiException.badRequest("FILE_REQUIRED", "Choose the template's ZIP archive to upload.");
            }
            TemplatePublishing.Published published = publishing.publish(principal, templateId, file.getBytes());
            return detail(principal, templateId, model, new FormErrors(), "Version "
                    + published.version().version() + (published.created() ? " is published." : " was published "
                            + "already with these very bytes."));
        }
        catch (ApiException e) {
            return detail(principal, templateId, model, refusal(e, response), null);
        }
    }

    @Audited(action = "template.version_yanked", resource = "template")
    @PostMapping(BASE + "/{id}/versions/{version}/yank")
    String yank(@AuthenticationPrincipal CanopyPrincipal principal, @PathVariable String id,
            @PathVariable String version, Model model) {
        UUID templateId = templateId(id);
        publishing.yank(principal, templateId, version, null);
        return detail(principal, templateId, model, new FormErrors(), "Version " + version
                + " is yanked: new deployments cannot choose it, existing ones keep it.");
    }

    @Audited(action = "template.access_requested", resource = "template")
    @PostMapping(BASE + "/{id}/access-requests")
    String requestAccess(@AuthenticationPrincipal CanopyPrincipal principal, @PathVariable String id,
            @RequestParam(required = false) @Nullable String reason, Model model, HttpServletResponse response) {
        UUID templateId = templateId(id);
        try {
            access.request(principal, templateId, reason);
            return detail(principal, templateId, model, new FormErrors(), "Your request is sent to the approvers.");
        }
        catch (ApiException e) {
            return detail(principal, templateId, model, refusal(e, response), null);
        }
    }

    @GetMapping(BASE + "/access-requests")
    String inbox(@AuthenticationPrincipal CanopyPrincipal principal,
            @RequestParam(required = false) @Nullable String cursor, Model model) {
        return inbox(principal, cursor, model, null);
    }

    @Audited(action = "template_access_request.approved", resource = "template_access_request")
    @PostMapping(BASE + "/access-requests/{requestId}/approve")
    String approve(@AuthenticationPrincipal CanopyPrincipal principal, @PathVariable String requestId,
            @RequestParam(required = false) @Nullable String comment, Model model) {
        AccessRequest decided = access.approve(principal, requestId(requestId), blankToNull(comment));
        return inbox(principal, null, model, decided.requesterEmail() + " may now use the template.");
    }

    @Audited(action = "template_access_request.rejected", resource = "template_access_request")
    @PostMapping(BASE + "/access-requests/{requestId}/reject")
    String reject(@AuthenticationPrincipal CanopyPrincipal principal, @PathVariable String requestId,
            @RequestParam(required = false) @Nullable String comment, Model model) {
        AccessRequest decided = access.reject(principal, requestId(requestId), blankToNull(comment));
        return inbox(principal, null, model, "The request of " + decided.requesterEmail() + " is rejected.");
    }

    @GetMapping(BASE + "/{id}/versions/{version}/form")
    String form(@AuthenticationPrincipal CanopyPrincipal principal, @PathVariable String id,
            @PathVariable String version, Model model) {
        return form(principal, templateId(id), version, Map.of(), false, model);
    }

    /**
     * The form's fields again for the values typed so far (htmx, on every change): conditional fields come and go.
     * The answer carries the form's CSRF field too: the stateless console chain renews the token on every request
     * that signs in from the cookie, and a fragment would otherwise leave the form with a spent one.
     */
    @Audited(action = "template.inputs_form_refreshed", resource = "template", recordSuccess = false,
            recordRequest = false)
    @PostMapping(BASE + "/{id}/versions/{version}/form/fields")
    String fields(@AuthenticationPrincipal CanopyPrincipal principal, @PathVariable String id,
            @PathVariable String version, @RequestParam Map<String, String> values, Model model) {
        form(principal, templateId(id), version, values, false, model);
        model.addAttribute("refresh", true);
        return "console/template-form :: fields";
    }

    // changes nothing, and the values may hold secrets the redactor cannot recognise by name
    @Audited(action = "template.inputs_validated", resource = "template", recordSuccess = false,
            recordRequest = false)
    @PostMapping(BASE + "/{id}/versions/{version}/form/validate")
    String validate(@AuthenticationPrincipal CanopyPrincipal principal, @PathVariable String id,
            @PathVariable String version, @RequestParam Map<String, String> values, Model model) {
        return form(principal, templateId(id), version, values, true, model);
    }

    /** The form for the values typed so far, checked against the version's schema when {@code validate}. */
    private String form(CanopyPrincipal principal, UUID templateId, String version, Map<String, String> values,
            boolean validate, Model model) {
        CatalogEntry entry = directory.get(principal, templateId);
        TemplateVersion found = publishing.version(principal, templateId, version);
        InputsForm form = InputsForm.of(found.manifest().path("inputs"), values);
        InputErrors outcome = validate ? publishing.validate(found, form.values().deepCopy()) : null;
        FormErrors errors = new FormErrors();
        if (outcome != null) {
            outcome.errors().forEach(e -> {
                String field = e.pointer().startsWith("/") && e.pointer().indexOf('/', 1) < 0
                        ? e.pointer().substring(1) : null;
                if (field != null && form.fields().stream().anyMatch(f -> f.name().equals(field))) {
                    errors.field(field, e.message());
                }
                else {
                    errors.global((e.pointer().isEmpty() ? "" : e.pointer() + ": ") + e.message());
                }
            });
        }
        model.addAttribute("template", entry.template());
        model.addAttribute("version", found);
        model.addAttribute("form", form);
        model.addAttribute("errors", errors);
        model.addAttribute("outcome", outcome);
        model.addAttribute("refresh", false);
        return "console/template-form";
    }

    private String detail(CanopyPrincipal principal, UUID templateId, Model model, FormErrors errors,
            @Nullable String notice) {
        CatalogEntry entry = directory.get(principal, templateId);
        List<TemplateVersion> versions = publishing.versions(principal, templateId);
        TemplateVersion latest = versions.stream()
                .filter(v -> v.version().equals(entry.template().latestVersion())).findFirst()
                .orElse(versions.isEmpty() ? null : versions.getFirst());
        boolean own = !entry.shared();
        boolean provisionable = access.mayProvision(principal, entry);
        model.addAttribute("row", row(principal, entry));
        model.addAttribute("template", entry.template());
        model.addAttribute("versions", versions);
        model.addAttribute("latest", latest);
        model.addAttribute("manifest", latest == null ? null : yaml(latest.manifest()));
        model.addAttribute("errors", errors);
        model.addAttribute("notice", notice);
        model.addAttribute("canUpload", own && principal.can(Permissions.TEMPLATES_CREATE));
        model.addAttribute("canYank", own && principal.can(Permissions.TEMPLATES_UPDATE));
        model.addAttribute("canRequest", own && entry.template().locked() && !provisionable);
        model.addAttribute("maxUploadMb", publishing.limits().maxUpload().toMegabytes());
        return "console/template";
    }

    private String inbox(CanopyPrincipal principal, @Nullable String cursor, Model model, @Nullable String notice) {
        var page = access.list(principal, AccessRequest.PENDING, null, PageRequest.of(PAGE_SIZE, cursor));
        var names = new java.util.HashMap<UUID, String>();
        page.items().forEach(r -> names.computeIfAbsent(r.templateId(), tid -> directory.find(principal.tenantId(),
                tid).map(e -> e.template().name()).orElse(tid.toString())));
        model.addAttribute("requests", page.items());
        model.addAttribute("names", names);
        model.addAttribute("next", page.nextCursor());
        model.addAttribute("notice", notice);
        model.addAttribute("me", principal.userId());
        return "console/access-requests";
    }

    private String newForm(CanopyPrincipal principal, Model model, Map<String, String> fields, FormErrors errors) {
        model.addAttribute("fields", fields);
        model.addAttribute("drivers", Driver.keys());
        model.addAttribute("errors", errors);
        model.addAttribute("canLock", principal.can(Permissions.TEMPLATES_MANAGE));
        return "console/template-new";
    }

    private Row row(CanopyPrincipal principal, CatalogEntry entry) {
        return new Row(entry.template(), entry.shared(), access.mayProvision(principal, entry));
    }

    /** A refusal shown on the form: field errors at 422, other refusals with the API's status; 403/404 are pages. */
    private static FormErrors refusal(ApiException e, HttpServletResponse response) {
        if (e.status() == HttpStatus.FORBIDDEN || e.status() == HttpStatus.NOT_FOUND) {
            throw e;
        }
        FormErrors errors = new FormErrors();
        if (e.errors().isEmpty() || !"VALIDATION_FAILED".equals(e.code())) {
            errors.global(e.getMessage() + " (" + e.code() + ")"
                    + (e.errors().isEmpty() ? "" : ": " + String.join("; ", e.errors().stream()
                            .map(f -> f.field() + " " + f.message()).toList())));
        }
        else {
            e.errors().forEach(error -> errors.field(error.field(), error.message()));
        }
        response.setStatus(e.status() == HttpStatus.BAD_REQUEST ? HttpStatus.UNPROCESSABLE_CONTENT.value()
                : e.status().value());
        return errors;
    }

    private static String yaml(JsonNode manifest) {
        return YAML.writeValueAsString(manifest);
    }

    private static @Nullable List<String> tags(@Nullable String text) {
        return text == null || text.isBlank() ? null
                : Arrays.stream(text.split(",")).map(String::strip).filter(t -> !t.isEmpty()).toList();
    }

    private static @Nullable String blankToNull(@Nullable String value) {
        return value == null || value.isBlank() ? null : value;
    }

    private static UUID templateId(String id) {
        try {
            return UUID.fromString(id);
        }
        catch (IllegalArgumentException e) {
            throw ApiException.notFound("TEMPLATE_NOT_FOUND", "No such template.");
        }
    }

    private static UUID requestId(String id) {
        try {
            return UUID.fromString(id);
        }
        catch (IllegalArgumentException e) {
            throw ApiException.notFound("ACCESS_REQUEST_NOT_FOUND", "No such access request.");
        }
    }

    private static String encode(@Nullable String value) {
        return value == null ? "" : URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
