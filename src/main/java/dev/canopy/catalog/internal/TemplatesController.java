package dev.canopy.catalog.internal;

import java.io.IOException;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.http.ContentDisposition;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.multipart.MultipartFile;
import org.springframework.web.multipart.MultipartHttpServletRequest;
import org.springframework.web.util.WebUtils;

import dev.canopy.catalog.InputErrors;
import dev.canopy.platform.security.CanopyPrincipal;
import dev.canopy.platform.web.ApiException;
import dev.canopy.platform.web.Audited;
import dev.canopy.platform.web.Page;
import dev.canopy.platform.web.PageRequest;
import jakarta.servlet.http.HttpServletRequest;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** The template catalog: templates, their versions, input checks, locking grants, access requests and shares. */
@RestController
@RequestMapping("/api/v1/templates")
class TemplatesController {

    private final TemplateDirectory directory;
    private final TemplatePublishing publishing;
    private final TemplateAccessControl access;
    private final TemplateSharing sharing;

    TemplatesController(TemplateDirectory directory, TemplatePublishing publishing, TemplateAccessControl access,
            TemplateSharing sharing) {
        this.directory = directory;
        this.publishing = publishing;
        this.access = access;
        this.sharing = sharing;
    }

    record TemplateView(UUID id, String name, String description, String driver, List<String> tags, boolean locked,
            @Nullable String latestVersion, UUID ownerTenantId, boolean shared, boolean provisionable,
            Instant createdAt, Instant updatedAt, long version) {
    }

    /** A template as the caller sees it, with whether they may provision it (locks and grants). */
    private TemplateView view(CanopyPrincipal principal, CatalogEntry e) {
        Template t = e.template();
        return new TemplateView(t.id(), t.name(), t.description(), t.driver(), t.tags(), t.locked(),
                t.latestVersion(), t.tenantId(), e.shared(), access.mayProvision(principal, e), t.createdAt(),
                t.updatedAt(), t.version());
    }

    record VersionView(UUID templateId, String version, String digest, long sizeBytes, long unpackedBytes,
            JsonNode manifest, @Nullable List<InspectedArchive.ArchiveFile> files, boolean yanked,
            @Nullable Instant yankedAt, @Nullable String yankReason, @Nullable UUID publishedBy, Instant publishedAt) {

        static VersionView of(TemplateVersion v, boolean withFiles) {
            return new VersionView(v.templateId(), v.version(), v.digest(), v.sizeBytes(), v.unpackedBytes(),
                    v.manifest(), withFiles ? v.files() : null, v.yanked(), v.yankedAt(), v.yankReason(),
                    v.publishedBy(), v.publishedAt());
        }
    }

    record CreateTemplate(@Nullable String name, @Nullable String description, @Nullable String driver,
            @Nullable List<String> tags, @Nullable Boolean locked) {
    }

    record UpdateTemplate(@Nullable String name, @Nullable String description, @Nullable List<String> tags,
            @Nullable Boolean locked, @Nullable Long version) {
    }

    record Yank(@Nullable String reason) {
    }

    record Validate(@Nullable JsonNode inputs) {
    }

    record RequestAccess(@Nullable String reason) {
    }

    record GrantAccess(@Nullable UUID userId) {
    }

    record Share(@Nullable UUID tenantId, @Nullable Boolean allClients) {
    }

    record ShareView(UUID id, UUID templateId, @Nullable UUID tenantId, boolean allClients, @Nullable UUID createdBy,
            Instant createdAt) {

        static ShareView of(TemplateShare s) {
            return new ShareView(s.id(), s.templateId(), s.clientTenantId(), s.allClients(), s.createdBy(),
                    s.createdAt());
        }
    }

    @GetMapping
    Page<TemplateView> list(@AuthenticationPrincipal CanopyPrincipal principal,
            @RequestParam(required = false) @Nullable String search,
            @RequestParam(required = false) @Nullable String driver,
            @RequestParam(required = false) @Nullable String tag,
            @RequestParam(required = false) @Nullable Integer limit,
            @RequestParam(required = false) @Nullable String cursor) {
        Page<CatalogEntry> page = directory.list(principal, Templates.Filter.of(search, driver, tag),
                PageRequest.of(limit, cursor));
        return new Page<>(page.items().stream().map(e -> view(principal, e)).toList(), page.nextCursor());
    }

    @Audited(action = "template.created", resource = "template")
    @PostMapping
    ResponseEntity<TemplateView> create(@AuthenticationPrincipal CanopyPrincipal principal,
            @RequestBody CreateTemplate body) {
        Template created = directory.create(principal, new TemplateDraft(body.name(), body.description(),
                body.driver(), body.tags(), body.locked()));
        return ResponseEntity.created(URI.create("/api/v1/templates/" + created.id()))
                .body(view(principal, new CatalogEntry(created, false)));
    }

    @GetMapping("/{id}")
    TemplateView get(@AuthenticationPrincipal CanopyPrincipal principal, @PathVariable UUID id) {
        return view(principal, directory.get(principal, id));
    }

    @Audited(action = "template.updated", resource = "template")
    @PatchMapping("/{id}")
    TemplateView update(@AuthenticationPrincipal CanopyPrincipal principal, @PathVariable UUID id,
            @RequestBody UpdateTemplate body) {
        if (body.version() == null) {
            throw ApiException.invalidField("version", "is required (the version you read)");
        }
        Template updated = directory.update(principal, id, new TemplateDirectory.Change(body.name(),
                body.description(), body.tags(), body.locked()), body.version());
        return view(principal, new CatalogEntry(updated, false));
    }

    @Audited(action = "template.deleted", resource = "template")
    @DeleteMapping("/{id}")
    ResponseEntity<Void> delete(@AuthenticationPrincipal CanopyPrincipal principal, @PathVariable UUID id) {
        directory.delete(principal, id);
        return ResponseEntity.noContent().build();
    }

    @Audited(action = "template.version_published", resource = "template")
    @PostMapping("/{id}/versions")
    ResponseEntity<VersionView> publish(@AuthenticationPrincipal CanopyPrincipal principal, @PathVariable UUID id,
            HttpServletRequest request) throws IOException {
        MultipartHttpServletRequest multipart = WebUtils.getNativeRequest(request, MultipartHttpServletRequest.class);
        MultipartFile file = multipart == null ? null : multipart.getFile("file");
        if (file == null) {
            throw ApiException.badRequest("FILE_REQUIRED",
                    "Upload the archive as multipart/form-data in the field 'file'.");
        }
        TemplatePublishing.Published published = publishing.publish(principal, id, file.getBytes());
        VersionView view = VersionView.of(published.version(), true);
        URI location = URI.create("/api/v1/templates/" + id + "/versions/" + published.version().version());
        return published.created() ? ResponseEntity.created(location).body(view)
                : ResponseEntity.ok().location(location).body(view);
    }

    @GetMapping("/{id}/versions")
    Page<VersionView> versions(@AuthenticationPrincipal CanopyPrincipal principal, @PathVariable UUID id) {
        return new Page<>(publishing.versions(principal, id).stream().map(v -> VersionView.of(v, false)).toList(),
                null);
    }

    @GetMapping("/{id}/versions/{version}")
    VersionView version(@AuthenticationPrincipal CanopyPrincipal principal, @PathVariable UUID id,
            @PathVariable String version) {
        return VersionView.of(publishing.version(principal, id, version), true);
    }

    @GetMapping("/{id}/versions/{version}/archive")
    ResponseEntity<byte[]> archive(@AuthenticationPrincipal CanopyPrincipal principal, @PathVariable UUID id,
            @PathVariable String version) {
        TemplateVersion found = publishing.version(principal, id, version);
        byte[] archive = publishing.pinnedArchive(found.tenantId(), found.digest());
        return ResponseEntity.ok().contentType(MediaType.parseMediaType("application/zip"))
                .header(HttpHeaders.CONTENT_DISPOSITION, ContentDisposition.attachment()
                        .filename("template-" + id + "-" + version + ".zip").build().toString())
                .eTag("\"sha256:" + found.digest() + "\"").body(archive);
    }

    @Audited(action = "template.version_yanked", resource = "template")
    @PostMapping("/{id}/versions/{version}/yank")
    VersionView yank(@AuthenticationPrincipal CanopyPrincipal principal, @PathVariable UUID id,
            @PathVariable String version, @RequestBody(required = false) @Nullable Yank body) {
        return VersionView.of(publishing.yank(principal, id, version, body == null ? null : body.reason()), false);
    }

    // changes nothing, and the inputs may hold secrets the redactor cannot recognise by name
    @Audited(action = "template.inputs_validated", resource = "template", recordSuccess = false,
            recordRequest = false)
    @PostMapping("/{id}/versions/{version}/validate")
    InputErrors validate(@AuthenticationPrincipal CanopyPrincipal principal, @PathVariable UUID id,
            @PathVariable String version, @RequestBody Validate body) {
        if (body.inputs() == null) {
            throw ApiException.invalidField("inputs", "is required (an object)");
        }
        if (!(body.inputs() instanceof ObjectNode inputs)) {
            throw ApiException.invalidField("inputs", "must be an object");
        }
        return publishing.validate(principal, id, version, inputs);
    }

    @Audited(action = "template.access_requested", resource = "template")
    @PostMapping("/{id}/access-requests")
    ResponseEntity<AccessRequestsController.RequestView> requestAccess(
            @AuthenticationPrincipal CanopyPrincipal principal, @PathVariable UUID id,
            @RequestBody RequestAccess body) {
        AccessRequest request = access.request(principal, id, body.reason());
        return ResponseEntity.created(URI.create("/api/v1/access-requests/" + request.id()))
                .body(AccessRequestsController.RequestView.of(request));
    }

    @GetMapping("/{id}/access")
    Page<TemplateGrant> grants(@AuthenticationPrincipal CanopyPrincipal principal, @PathVariable UUID id) {
        return new Page<>(access.grants(principal, id), null);
    }

    @Audited(action = "template.access_granted", resource = "template")
    @PostMapping("/{id}/access")
    TemplateGrant grant(@AuthenticationPrincipal CanopyPrincipal principal, @PathVariable UUID id,
            @RequestBody GrantAccess body) {
        if (body.userId() == null) {
            throw ApiException.invalidField("user_id", "is required");
        }
        return access.grant(principal, id, body.userId());
    }

    @Audited(action = "template.access_revoked", resource = "template")
    @DeleteMapping("/{id}/access/{userId}")
    ResponseEntity<Void> revoke(@AuthenticationPrincipal CanopyPrincipal principal, @PathVariable UUID id,
            @PathVariable UUID userId) {
        access.revoke(principal, id, userId);
        return ResponseEntity.noContent().build();
    }

    @Audited(action = "template.shared", resource = "template")
    @PostMapping("/{id}/shares")
    ResponseEntity<ShareView> share(@AuthenticationPrincipal CanopyPrincipal principal, @PathVariable UUID id,
            @RequestBody Share body) {
        TemplateShare share = sharing.share(principal, id, body.tenantId(), body.allClients());
        return ResponseEntity.created(URI.create("/api/v1/templates/" + id + "/shares/" + share.id()))
                .body(ShareView.of(share));
    }

    @GetMapping("/{id}/shares")
    Page<ShareView> shares(@AuthenticationPrincipal CanopyPrincipal principal, @PathVariable UUID id) {
        return new Page<>(sharing.list(principal, id).stream().map(ShareView::of).toList(), null);
    }

    @Audited(action = "template.share_withdrawn", resource = "template")
    @DeleteMapping("/{id}/shares/{shareId}")
    ResponseEntity<Void> withdraw(@AuthenticationPrincipal CanopyPrincipal principal, @PathVariable UUID id,
            @PathVariable UUID shareId) {
        sharing.withdraw(principal, id, shareId);
        return ResponseEntity.noContent().build();
    }
}
