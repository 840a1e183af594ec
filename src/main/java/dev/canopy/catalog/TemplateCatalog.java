package dev.canopy.catalog;

import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;

import dev.canopy.access.Permissions;
import dev.canopy.catalog.internal.CatalogEntry;
import dev.canopy.catalog.internal.InputSchema;
import dev.canopy.catalog.internal.Template;
import dev.canopy.catalog.internal.TemplateAccessControl;
import dev.canopy.catalog.internal.TemplateDirectory;
import dev.canopy.catalog.internal.TemplatePublishing;
import dev.canopy.catalog.internal.TemplateVersion;
import dev.canopy.platform.security.CanopyPrincipal;
import dev.canopy.platform.web.ApiException;
import tools.jackson.databind.node.ObjectNode;

/**
 * What deploying needs from the catalog: a version the caller may provision (lock, grant, share and yank decided
 * here), its inputs checked against its schema, and its archive.
 */
@Service
public class TemplateCatalog {

    private final TemplateDirectory directory;
    private final TemplatePublishing publishing;
    private final TemplateAccessControl access;

    TemplateCatalog(TemplateDirectory directory, TemplatePublishing publishing, TemplateAccessControl access) {
        this.directory = directory;
        this.publishing = publishing;
        this.access = access;
    }

    /**
     * The version to deploy: the one named, or the latest. A yanked version is refused for new deployments
     * ({@code TEMPLATE_VERSION_YANKED}); a locked template needs a grant ({@code TEMPLATE_LOCKED}).
     */
    public ProvisionableVersion provisionable(CanopyPrincipal principal, UUID templateId, @Nullable String version) {
        CatalogEntry entry = directory.get(principal, templateId);
        Template template = entry.template();
        if (!access.mayProvision(principal, entry)) {
            throw new ApiException(HttpStatus.FORBIDDEN, "TEMPLATE_LOCKED", "The template '" + template.name()
                    + "' is locked: request access to it first.");
        }
        String wanted = version != null ? version : template.latestVersion();
        if (wanted == null) {
            throw ApiException.conflict("TEMPLATE_HAS_NO_VERSION", "The template '" + template.name()
                    + "' has no version to deploy.");
        }
        TemplateVersion found = publishing.version(principal, templateId, wanted);
        if (found.yanked()) {
            throw ApiException.conflict("TEMPLATE_VERSION_YANKED", "Version " + wanted + " of '" + template.name()
                    + "' was yanked; choose another version.");
        }
        return new ProvisionableVersion(template.tenantId(), templateId, template.name(), template.driver(),
                found.version(), found.digest(), entry.shared());
    }

    /** The inputs with defaults applied and their secrets named, or 400 {@code INPUTS_INVALID} listing every error. */
    public ValidatedInputs validate(ProvisionableVersion version, ObjectNode inputs) {
        InputSchema schema = publishing.schemaOf(publishing.pinned(version.ownerTenantId(), version.templateId(),
                version.version()));
        ObjectNode values = inputs.deepCopy();
        InputErrors errors = schema.validate(values);
        if (!errors.valid()) {
            throw new ApiException(HttpStatus.BAD_REQUEST, "INPUTS_INVALID", "The inputs do not match the "
                    + "template's schema.", errors.errors().stream()
                            .map(e -> new ApiException.FieldError("inputs" + e.pointer().replace('/', '.'),
                                    e.message()))
                            .toList());
        }
        return new ValidatedInputs(values, schema.secretPointers());
    }

    /** The form of a version's inputs for the values typed so far (the console's provision page). */
    public InputsForm form(ProvisionableVersion version, java.util.Map<String, String> submitted) {
        return InputsForm.of(publishing.pinned(version.ownerTenantId(), version.templateId(), version.version())
                .manifest().path("inputs"), submitted);
    }

    /** The archive of a pinned version (also of a yanked one: deployments that pinned it keep working). */
    public byte[] archive(ProvisionableVersion version) {
        return publishing.pinnedArchive(version.ownerTenantId(), version.digest());
    }
}
