package dev.canopy.access;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import org.jspecify.annotations.Nullable;

/**
 * Why a user may or may not use a permission in a tenant: the permission forms looked at and every
 * source that decided (the allows when allowed; the denies, if any, when denied).
 */
public record Explanation(UUID userId, UUID tenantId, String permission, ResourceContext resource, boolean allowed,
        List<String> formsChecked, List<Reason> decidedBy, String summary) {

    /** One source taking part in the decision. */
    public record Reason(String kind, String id, String name, @Nullable String groupId, @Nullable String groupName,
            @Nullable String businessUnitId, String pattern, String effect, @Nullable Instant expiresAt) {
    }

    /** One effective permission form and the sources that allow it. */
    public record Effective(String permission, List<Reason> sources) {
    }
}
