package dev.canopy.catalog.internal;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.stereotype.Service;

import dev.canopy.access.Permissions;
import dev.canopy.audit.AuditTrail;
import dev.canopy.catalog.TemplateUsage;
import dev.canopy.identity.TenantDirectory;
import dev.canopy.identity.TenantInfo;
import dev.canopy.platform.Ids;
import dev.canopy.platform.db.TenantTransactions;
import dev.canopy.platform.security.CanopyPrincipal;
import dev.canopy.platform.web.ApiException;
import dev.canopy.platform.web.Page;
import dev.canopy.platform.web.PageRequest;

/**
 * A tenant's catalog: its own templates (created, changed, deleted here) and, read-only, those its MSP (the parent
 * tenant) shares with it. A shared template is read in the MSP's scope, only after its share to this tenant is seen
 * there, so row-level security still decides what each transaction can reach.
 */
@Service
public class TemplateDirectory {

    private final Templates templates;
    private final TenantTransactions scopes;
    private final TenantDirectory tenants;
    private final List<TemplateUsage> usages;
    private final ArchiveStore archives;
    private final AuditTrail audit;

    TemplateDirectory(Templates templates, TenantTransactions scopes, TenantDirectory tenants,
            List<TemplateUsage> usages, ArchiveStore archives, AuditTrail audit) {
        this.templates = templates;
        this.scopes = scopes;
        this.tenants = tenants;
        this.usages = usages;
        this.archives = archives;
        this.audit = audit;
    }

    public Template create(CanopyPrincipal by, TemplateDraft draft) {
        by.require(Permissions.TEMPLATES_CREATE);
        TemplateDraft.Checked checked = draft.check(true);
        if (checked.locked()) {
            by.require(Permissions.TEMPLATES_MANAGE);
        }
        UUID tenantId = by.tenantId();
        Instant now = Instant.now();
        var template = new Template(tenantId, Ids.newId(), checked.name(), checked.description(),
                checked.driver().key(), checked.tags(), checked.locked(), null, by.userId(), now, now, 0);
        try {
            scopes.inTenant(tenantId, () -> templates.insert(template));
        }
        catch (DuplicateKeyException e) {
            throw nameTaken(checked.name());
        }
        audit.resource("template", template.id().toString());
        audit.detail("driver", template.driver());
        return own(tenantId, template.id());
    }

    /** The catalog: own templates and the MSP's shared ones, merged in id order. */
    public Page<CatalogEntry> list(CanopyPrincipal principal, Templates.Filter filter, PageRequest page) {
        principal.require(Permissions.TEMPLATES_LIST);
        UUID tenantId = principal.tenantId();
        var entries = new ArrayList<CatalogEntry>();
        scopes.inTenant(tenantId, () -> templates.list(tenantId, filter, page.after(), page.fetchSize()))
                .forEach(t -> entries.add(new CatalogEntry(t, false)));
        msp(tenantId).ifPresent(msp -> scopes.inTenant(msp, () -> templates.listSharedWith(msp, tenantId, filter,
                page.after(), page.fetchSize())).forEach(t -> entries.add(new CatalogEntry(t, true))));
        entries.sort(Comparator.comparing(e -> e.template().id()));
        return page.page(entries.subList(0, Math.min(entries.size(), page.fetchSize())), e -> e.template().id());
    }

    /** A template of the catalog (own or shared with the tenant), else 404. */
    public CatalogEntry get(CanopyPrincipal principal, UUID id) {
        principal.require(Permissions.TEMPLATES_READ);
        return find(principal.tenantId(), id).orElseThrow(() -> notFound(id));
    }

    /** Looks a template up in the tenant's catalog, without a permission check (for the provisioning API). */
    public Optional<CatalogEntry> find(UUID tenantId, UUID id) {
        Optional<Template> own = scopes.inTenant(tenantId, () -> templates.find(tenantId, id));
        if (own.isPresent()) {
            return own.map(t -> new CatalogEntry(t, false));
        }
        return msp(tenantId).flatMap(msp -> scopes.inTenant(msp, () -> templates.isSharedWith(msp, id, tenantId)
                ? templates.find(msp, id) : Optional.<Template>empty())).map(t -> new CatalogEntry(t, true));
    }

    /** One of the tenant's own templates, to change: a shared one is 409, another tenant's 404. */
    public Template own(UUID tenantId, UUID id) {
        CatalogEntry entry = find(tenantId, id).orElseThrow(() -> notFound(id));
        if (entry.shared()) {
            throw ApiException.conflict("TEMPLATE_SHARED_READ_ONLY",
                    "This template is shared with your tenant by its MSP and can only be read and deployed.");
        }
        return entry.template();
    }

    /** A partial change: null fields stay as they are. */
    public record Change(@Nullable String name, @Nullable String description, @Nullable List<String> tags,
            @Nullable Boolean locked) {
    }

    public Template update(CanopyPrincipal by, UUID id, Change change, long version) {
        by.require(Permissions.TEMPLATES_UPDATE);
        UUID tenantId = by.tenantId();
        Template current = own(tenantId, id);
        if (change.locked() != null && change.locked() != current.locked()) {
            by.require(Permissions.TEMPLATES_MANAGE);
        }
        TemplateDraft.Checked checked = new TemplateDraft(change.name() != null ? change.name() : current.name(),
                change.description() != null ? change.description() : current.description(), null,
                change.tags() != null ? change.tags() : current.tags(),
                change.locked() != null ? change.locked() : current.locked()).check(false);
        boolean written;
        try {
            written = scopes.inTenant(tenantId, () -> templates.update(tenantId, id, checked.name(),
                    checked.description(), checked.tags(), checked.locked(), version));
        }
        catch (DuplicateKeyException e) {
            throw nameTaken(checked.name());
        }
        if (!written) {
            throw ApiException.conflict("VERSION_CONFLICT", "The template was changed by someone else; reload it.");
        }
        if (checked.locked() != current.locked()) {
            audit.detail("locked", checked.locked());
        }
        return own(tenantId, id);
    }

    public void delete(CanopyPrincipal by, UUID id) {
        by.require(Permissions.TEMPLATES_DELETE);
        UUID tenantId = by.tenantId();
        own(tenantId, id);
        if (usages.stream().anyMatch(usage -> usage.inUse(tenantId, id))) {
            throw ApiException.conflict("TEMPLATE_IN_USE",
                    "Live deployments use this template; destroy them before deleting it.");
        }
        scopes.inTenant(tenantId, () -> {
            templates.delete(tenantId, id);
            archives.removeUnreferenced(tenantId);
        });
    }

    public long count(UUID tenantId) {
        return scopes.inTenant(tenantId, () -> templates.count(tenantId));
    }

    /** The MSP whose shares reach the tenant: its parent. */
    private Optional<UUID> msp(UUID tenantId) {
        return tenants.find(tenantId).map(TenantInfo::parentTenantId);
    }

    static ApiException notFound(UUID id) {
        return ApiException.notFound("TEMPLATE_NOT_FOUND", "No template " + id + " in this tenant's catalog.");
    }

    private static ApiException nameTaken(String name) {
        return ApiException.conflict("TEMPLATE_NAME_TAKEN", "This tenant already has a template named '" + name
                + "'.");
    }
}
