package dev.canopy.provisioning.internal;

import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import dev.canopy.platform.security.CanopyPrincipal;
import dev.canopy.platform.web.ApiException;
import dev.canopy.platform.web.Audited;
import dev.canopy.platform.web.Page;
import tools.jackson.databind.JsonNode;

/** A tenant's environments and their protection rules. */
@RestController
@RequestMapping("/api/v1/environments")
class EnvironmentsController {

    private final EnvironmentDirectory directory;

    EnvironmentsController(EnvironmentDirectory directory) {
        this.directory = directory;
    }

    record ProtectionView(int requiredApprovals, List<String> approverRoles, boolean allowSelfApproval,
            String approvalTimeout, @Nullable String ttlDefault, @Nullable String ttlMax, List<String> requiredTags) {
    }

    record EnvironmentView(UUID id, String name, String description, @Nullable UUID cloudAccountId,
            @Nullable UUID businessUnitId, ProtectionView protection, @Nullable String driftCheck, Instant createdAt,
            Instant updatedAt, long version) {

        static EnvironmentView of(Environment e) {
            Protection p = e.protection();
            return new EnvironmentView(e.id(), e.name(), e.description(), e.cloudAccountId(), e.businessUnitId(),
                    new ProtectionView(p.requiredApprovals(), p.approverRoles(), p.allowSelfApproval(),
                            IsoDurations.format(p.approvalTimeout()), IsoDurations.format(p.ttlDefault()),
                            IsoDurations.format(p.ttlMax()), p.requiredTags()),
                    IsoDurations.format(e.driftCheck()), e.createdAt(), e.updatedAt(), e.version());
        }
    }

    /** Protection as written; {@code ttl_default} and {@code ttl_max} may be JSON null to remove them. */
    record ProtectionBody(@Nullable Integer requiredApprovals, @Nullable List<String> approverRoles,
            @Nullable Boolean allowSelfApproval, @Nullable String approvalTimeout, @Nullable JsonNode ttlDefault,
            @Nullable JsonNode ttlMax, @Nullable List<String> requiredTags) {
    }

    /**
     * {@code cloud_account_id} may be JSON null on a change, to leave the environment without an account;
     * {@code drift_check} (an ISO-8601 duration such as {@code PT6H}) JSON null to stop checking drift.
     */
    record EnvironmentBody(@Nullable String name, @Nullable String description, @Nullable JsonNode cloudAccountId,
            @Nullable ProtectionBody protection, @Nullable JsonNode driftCheck, @Nullable Long version) {

        EnvironmentDirectory.Draft draft() {
            ProtectionBody p = protection != null ? protection
                    : new ProtectionBody(null, null, null, null, null, null, null);
            return new EnvironmentDirectory.Draft(name, description, uuid("cloud_account_id", cloudAccountId),
                    isNull(cloudAccountId), p.requiredApprovals(), p.approverRoles(), p.allowSelfApproval(),
                    p.approvalTimeout(), text("protection.ttl_default", p.ttlDefault()),
                    text("protection.ttl_max", p.ttlMax()), isNull(p.ttlDefault()), isNull(p.ttlMax()),
                    p.requiredTags(), text("drift_check", driftCheck), isNull(driftCheck));
        }
    }

    @GetMapping
    Page<EnvironmentView> list(@AuthenticationPrincipal CanopyPrincipal principal) {
        return new Page<>(directory.list(principal).stream().map(EnvironmentView::of).toList(), null);
    }

    @GetMapping("/{id}")
    EnvironmentView get(@AuthenticationPrincipal CanopyPrincipal principal, @PathVariable UUID id) {
        return EnvironmentView.of(directory.get(principal, id));
    }

    @Audited(action = "environment.created", resource = "environment")
    @PostMapping
    ResponseEntity<EnvironmentView> create(@AuthenticationPrincipal CanopyPrincipal principal,
            @RequestBody EnvironmentBody body) {
        Environment created = directory.create(principal, body.draft());
        return ResponseEntity.created(URI.create("/api/v1/environments/" + created.id()))
                .body(EnvironmentView.of(created));
    }

    @Audited(action = "environment.updated", resource = "environment")
    @PatchMapping("/{id}")
    EnvironmentView update(@AuthenticationPrincipal CanopyPrincipal principal, @PathVariable UUID id,
            @RequestBody EnvironmentBody body) {
        if (body.version() == null) {
            throw ApiException.invalidField("version", "is required (the version you read)");
        }
        return EnvironmentView.of(directory.update(principal, id, body.draft(), body.version()));
    }

    @Audited(action = "environment.deleted", resource = "environment")
    @DeleteMapping("/{id}")
    ResponseEntity<Void> delete(@AuthenticationPrincipal CanopyPrincipal principal, @PathVariable UUID id) {
        directory.delete(principal, id);
        return ResponseEntity.noContent().build();
    }

    private static boolean isNull(@Nullable JsonNode node) {
        return node != null && node.isNull();
    }

    private static @Nullable String text(String field, @Nullable JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isString()) {
            throw ApiException.invalidField(field, "must be an ISO-8601 duration text or null");
        }
        return node.asString();
    }

    private static @Nullable UUID uuid(String field, @Nullable JsonNode node) {
        String text = text(field, node);
        try {
            return text == null ? null : UUID.fromString(text);
        }
        catch (IllegalArgumentException e) {
            throw ApiException.invalidField(field, "must be a UUID");
        }
    }
}
