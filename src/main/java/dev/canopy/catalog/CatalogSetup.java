package dev.canopy.catalog;

import java.util.List;
import java.util.Set;
import java.util.UUID;

import org.springframework.stereotype.Service;

import dev.canopy.access.Permissions;
import dev.canopy.catalog.internal.Template;
import dev.canopy.catalog.internal.TemplateDirectory;
import dev.canopy.catalog.internal.TemplateDraft;
import dev.canopy.catalog.internal.TemplatePublishing;
import dev.canopy.catalog.internal.TemplateSharing;
import dev.canopy.platform.security.CanopyPrincipal;

/**
 * Templates set up by the platform itself (demo data): created, published and shared with the catalog's own rules
 * and checks, acting for the given person with the catalog's permissions in the tenant.
 */
@Service
public class CatalogSetup {

    private static final Set<String> CATALOG = Set.of(Permissions.TEMPLATES_LIST.name(),
            Permissions.TEMPLATES_READ.name(), Permissions.TEMPLATES_CREATE.name(), Permissions.TEMPLATES_UPDATE.name(),
            Permissions.TEMPLATES_MANAGE.name());

    private final TemplateDirectory directory;
    private final TemplatePublishing publishing;
    private final TemplateSharing sharing;

    CatalogSetup(TemplateDirectory directory, TemplatePublishing publishing, TemplateSharing sharing) {
        this.directory = directory;
        this.publishing = publishing;
        this.sharing = sharing;
    }

    /** A template with one version from the archive, optionally locked and shared with all the tenant's clients. */
    public UUID publish(UUID tenantId, UUID actorId, String actorEmail, String name, String description, String driver,
            List<String> tags, boolean locked, byte[] archive, boolean shareWithAllClients) {
        var by = new CanopyPrincipal(actorId, actorEmail, tenantId, new UUID(0, 0), CATALOG, false);
        Template template = directory.create(by, new TemplateDraft(name, description, driver, tags, locked));
        publishing.publish(by, template.id(), archive);
        if (shareWithAllClients) {
            sharing.share(by, template.id(), null, true);
        }
        return template.id();
    }
}
