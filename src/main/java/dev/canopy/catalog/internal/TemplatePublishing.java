package dev.canopy.catalog.internal;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Service;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import dev.canopy.access.Permissions;
import dev.canopy.audit.AuditTrail;
import dev.canopy.catalog.TemplateVersionPublished;
import dev.canopy.catalog.InputErrors;
import dev.canopy.platform.db.TenantTransactions;
import dev.canopy.platform.security.CanopyPrincipal;
import dev.canopy.platform.web.ApiException;
import tools.jackson.databind.node.ObjectNode;

/**
 * Versions of templates: publishing an uploaded archive (checked, then stored with its version in one
 * transaction), reading them, yanking them, and checking inputs against a version's schema, compiled once per
 * archive digest.
 */
@Service
@EnableConfigurationProperties(ArchiveLimits.class)
public class TemplatePublishing {

    private final Templates templates;
    private final ArchiveStore archives;
    private final TemplateDirectory directory;
    private final TenantTransactions scopes;
    private final ArchiveLimits limits;
    private final AuditTrail audit;
    private final ApplicationEventPublisher events;
    private final Cache<String, InputSchema> schemas = Caffeine.newBuilder().maximumSize(2_000).build();

    TemplatePublishing(Templates templates, ArchiveStore archives, TemplateDirectory directory,
            TenantTransactions scopes, ArchiveLimits limits, AuditTrail audit, ApplicationEventPublisher events) {
        this.events = events;
        this.templates = templates;
        this.archives = archives;
        this.directory = directory;
        this.scopes = scopes;
        this.limits = limits;
        this.audit = audit;
    }

    /** The outcome of an upload: the version, and whether it was new (else the same bytes were there already). */
    public record Published(TemplateVersion version, boolean created) {
    }

    public ArchiveLimits limits() {
        return limits;
    }

    public Published publish(CanopyPrincipal by, UUID templateId, byte[] archive) {
        by.require(Permissions.TEMPLATES_CREATE);
        UUID tenantId = by.tenantId();
        Template template = directory.own(tenantId, templateId);
        if (archive.length == 0) {
            throw ApiException.badRequest("FILE_REQUIRED", "The upload is empty.");
        }
        if (archive.length > limits.maxUpload().toBytes()) {
            throw new ApiException(org.springframework.http.HttpStatus.CONTENT_TOO_LARGE, "PAYLOAD_TOO_LARGE",
                    "The archive is larger than " + limits.maxUpload().toMegabytes() + " MiB.");
        }
        InspectedArchive inspected = ArchiveInspection.inspect(archive, limits);
        ManifestReader.Parsed parsed = ManifestReader.read(inspected.manifest());
        Manifest manifest = parsed.manifest();
        if (!manifest.driver().key().equals(template.driver())) {
            throw new ApiException(org.springframework.http.HttpStatus.BAD_REQUEST, "DRIVER_MISMATCH",
                    "The manifest's driver '" + manifest.driver().key() + "' is not the template's '"
                            + template.driver() + "'.",
                    List.of(new ApiException.FieldError("driver", "must be " + template.driver())));
        }
        String digest = sha256(archive);
        String version = manifest.version().text();
        audit.detail("template_version", version);
        audit.detail("digest", digest);
        Published published = scopes.inTenant(tenantId, () -> {
            templates.lock(tenantId, templateId);
            Optional<TemplateVersion> existing = templates.findVersion(tenantId, templateId, version);
            if (existing.isPresent()) {
                if (!existing.get().digest().equals(digest)) {
                    throw ApiException.conflict("VERSION_EXISTS", "Version " + version
                            + " exists with other content; versions are immutable, publish a new version number.");
                }
                return new Published(existing.get(), false);
            }
            archives.put(tenantId, digest, archive);
            templates.insertVersion(new TemplateVersion(tenantId, templateId, version, digest, archive.length,
                    inspected.unpackedBytes(), manifest.document(), inspected.files(), false, null, null,
                    by.userId(), Instant.now()));
            refreshLatest(tenantId, templateId);
            events.publishEvent(new TemplateVersionPublished(tenantId, templateId, template.name(), version, digest,
                    template.driver()));
            return new Published(templates.findVersion(tenantId, templateId, version).orElseThrow(), true);
        });
        schemas.put(digest, parsed.schema());
        return published;
    }

    /** Every version, newest semver first. */
    public List<TemplateVersion> versions(CanopyPrincipal principal, UUID templateId) {
        Template template = directory.get(principal, templateId).template();
        UUID owner = template.tenantId();
        return scopes.inTenant(owner, () -> templates.versions(owner, templateId)).stream()
                .sorted(NEWEST_FIRST).toList();
    }

    public TemplateVersion version(CanopyPrincipal principal, UUID templateId, String version) {
        Template template = directory.get(principal, templateId).template();
        return find(template, version);
    }

    /** Hides a version from new deployments; deployments that pinned it keep it. Yanking twice is a no-op. */
    public TemplateVersion yank(CanopyPrincipal by, UUID templateId, String version, @Nullable String reason) {
        by.require(Permissions.TEMPLATES_UPDATE);
        if (reason != null && reason.length() > 500) {
            throw ApiException.invalidField("reason", "must be at most 500 characters");
        }
        UUID tenantId = by.tenantId();
        Template template = directory.own(tenantId, templateId);
        find(template, version);
        audit.detail("template_version", version);
        return scopes.inTenant(tenantId, () -> {
            templates.lock(tenantId, templateId);
            templates.yank(tenantId, templateId, version, by.userId(), reason);
            refreshLatest(tenantId, templateId);
            return templates.findVersion(tenantId, templateId, version).orElseThrow();
        });
    }

    /** Checks inputs against the version's schema; {@code inputs} gets the schema's defaults. */
    public InputErrors validate(CanopyPrincipal principal, UUID templateId, String version, ObjectNode inputs) {
        return validate(version(principal, templateId, version), inputs);
    }

    /** Checks inputs against a version already read; {@code inputs} gets the schema's defaults. */
    public InputErrors validate(TemplateVersion version, ObjectNode inputs) {
        return schemaOf(version).validate(inputs);
    }

    /** The compiled schema of a version, compiled at most once per archive digest on this instance. */
    public InputSchema schemaOf(TemplateVersion version) {
        return schemas.get(version.digest(), digest -> {
            try {
                return InputSchema.compile(version.manifest().path("inputs").isMissingNode()
                        ? tools.jackson.databind.node.JsonNodeFactory.instance.objectNode().put("type", "object")
                        : version.manifest().path("inputs"));
            }
            catch (InputSchema.InvalidSchemaException e) {
                throw new IllegalStateException("a stored schema no longer compiles: " + e.getMessage());
            }
        });
    }

    /** A version already pinned by a deployment, read in its owner's scope. */
    public TemplateVersion pinned(UUID ownerTenantId, UUID templateId, String version) {
        return scopes.inTenant(ownerTenantId, () -> templates.findVersion(ownerTenantId, templateId, version))
                .orElseThrow(() -> ApiException.notFound("TEMPLATE_VERSION_NOT_FOUND", "Template " + templateId
                        + " has no version '" + version + "'."));
    }

    public byte[] pinnedArchive(UUID ownerTenantId, String digest) {
        return scopes.inTenant(ownerTenantId, () -> archives.get(ownerTenantId, digest))
                .orElseThrow(() -> new IllegalStateException("archive " + digest + " is missing"));
    }

    /** A version of a template the caller may see (its tenant's scope is the template's owner). */
    TemplateVersion find(Template template, String version) {
        return pinned(template.tenantId(), template.id(), version);
    }

    private void refreshLatest(UUID tenantId, UUID templateId) {
        // a pre-release is latest only while no release is published
        String latest = templates.versions(tenantId, templateId).stream().filter(v -> !v.yanked())
                .sorted(Comparator.comparing((TemplateVersion v) -> SemVer.parse(v.version()).orElseThrow()
                        .isPrerelease()).thenComparing(NEWEST_FIRST))
                .map(TemplateVersion::version).findFirst().orElse(null);
        templates.setLatest(tenantId, templateId, latest);
    }

    /** Newest semver first; versions that differ only in build metadata by their text. */
    static final Comparator<TemplateVersion> NEWEST_FIRST = Comparator
            .comparing((TemplateVersion v) -> SemVer.parse(v.version()).orElseThrow())
            .thenComparing(TemplateVersion::version).reversed();

    static String sha256(byte[] content) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        }
        catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
