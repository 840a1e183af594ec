package dev.canopy.secrets.internal;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import dev.canopy.access.Permissions;
import dev.canopy.audit.AuditTrail;
import dev.canopy.platform.web.Audited;
import dev.canopy.platform.security.CanopyPrincipal;
import dev.canopy.platform.web.ApiException;

/**
 * The platform administrator's view of the key hierarchy: KEK versions with how many data keys each wraps,
 * KEK rotation, and each owner's data key with its re-encryption progress and rotation.
 */
@RestController
@RequestMapping("/api/v1/admin/keys")
class KeysController {

    private final KeyRotation rotation;
    private final AuditTrail audit;

    KeysController(KeyRotation rotation, AuditTrail audit) {
        this.rotation = rotation;
        this.audit = audit;
    }

    /** One KEK version. */
    record KekVersionView(int version, boolean primary, Instant createdAt, @Nullable Instant retiredAt,
            long dataKeys) {
    }

    /** Re-wrapping progress: data keys still under an older KEK version. */
    record RewrapView(boolean running, long dataKeysTotal, long dataKeysPending) {
    }

    /** The whole hierarchy. */
    record KeysView(int primaryVersion, List<KekVersionView> versions, RewrapView rewrap) {
    }

    /** One owner's data key and the re-encryption of its secrets. */
    record DataKeyView(UUID ownerId, int kekVersion, int keys, @Nullable Instant rotatedAt,
            @Nullable Instant reencryptionStartedAt, @Nullable Instant reencryptionFinishedAt,
            long reencryptedSecrets) {

        static DataKeyView of(KeyRotation.DataKeyStatus s) {
            return new DataKeyView(s.ownerId(), s.kekVersion(), s.keys(), s.rotatedAt(), s.reencryptionStartedAt(),
                    s.reencryptionFinishedAt(), s.reencryptedSecrets());
        }
    }

    @GetMapping
    KeysView keys(@AuthenticationPrincipal CanopyPrincipal principal) {
        principal.require(Permissions.PLATFORM_KEYS_MANAGE);
        return view();
    }

    @Audited(action = "keys.kek_rotated", resource = "key_encryption_key")
    @PostMapping("/rotate")
    ResponseEntity<KeysView> rotate(@AuthenticationPrincipal CanopyPrincipal principal) {
        principal.require(Permissions.PLATFORM_KEYS_MANAGE);
        int version = rotation.rotateKek();
        audit.resource("key_encryption_key", String.valueOf(version));
        return ResponseEntity.status(HttpStatus.ACCEPTED).body(view());
    }

    @GetMapping("/data-keys/{ownerId}")
    DataKeyView dataKey(@AuthenticationPrincipal CanopyPrincipal principal, @PathVariable UUID ownerId) {
        principal.require(Permissions.PLATFORM_KEYS_MANAGE);
        return rotation.status(ownerId).map(DataKeyView::of).orElseThrow(() -> noDataKey(ownerId));
    }

    @Audited(action = "keys.data_key_rotated", resource = "data_key")
    @PostMapping("/data-keys/{ownerId}/rotate")
    ResponseEntity<DataKeyView> rotateDataKey(@AuthenticationPrincipal CanopyPrincipal principal,
            @PathVariable UUID ownerId) {
        principal.require(Permissions.PLATFORM_KEYS_MANAGE);
        DataKeyView view = rotation.rotateDataKey(ownerId).map(DataKeyView::of).orElseThrow(() -> noDataKey(ownerId));
        return ResponseEntity.status(HttpStatus.ACCEPTED).body(view);
    }

    private KeysView view() {
        Map<Integer, Long> perVersion = rotation.keysPerKekVersion();
        int primary = rotation.primaryVersion();
        List<KekVersionView> versions = rotation.keys().stream()
                .map(k -> new KekVersionView(k.version(), k.version() == primary, k.createdAt(), k.retiredAt(),
                        perVersion.getOrDefault(k.version(), 0L)))
                .toList();
        long total = perVersion.values().stream().mapToLong(Long::longValue).sum();
        long pending = total - perVersion.getOrDefault(primary, 0L);
        return new KeysView(primary, versions, new RewrapView(rotation.rewrapRunning(), total, pending));
    }

    private static ApiException noDataKey(UUID ownerId) {
        return ApiException.notFound("DATA_KEY_NOT_FOUND", "No data key exists for owner " + ownerId
                + " (an owner gets one when its first secret is sealed).");
    }
}
