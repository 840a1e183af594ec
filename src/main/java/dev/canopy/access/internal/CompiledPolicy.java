package dev.canopy.access.internal;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * A principal's effective permissions in one tenant as two bit sets over a {@link PermissionIndex}:
 * {@code allowed} (some allow covers the form and no deny does) and {@code denied} (some deny covers
 * it). Immutable; a check is one bit test. {@code expiresAt} is the first moment a time-limited grant or
 * deny it includes runs out, when it must be compiled again.
 */
public final class CompiledPolicy {

    private final PermissionIndex index;
    private final long[] allowed;
    private final long[] denied;
    private final @Nullable Instant expiresAt;

    CompiledPolicy(PermissionIndex index, long[] allowed, long[] denied, @Nullable Instant expiresAt) {
        this.index = index;
        this.allowed = allowed;
        this.denied = denied;
        this.expiresAt = expiresAt;
    }

    public PermissionIndex index() {
        return index;
    }

    public @Nullable Instant expiresAt() {
        return expiresAt;
    }

    public boolean allows(int slot) {
        return slot >= 0 && (allowed[slot >>> 6] & (1L << slot)) != 0;
    }

    public boolean denies(int slot) {
        return slot >= 0 && (denied[slot >>> 6] & (1L << slot)) != 0;
    }

    /** Whether the permission form with this name is allowed (unknown names are not). */
    public boolean allows(String name) {
        return allows(index.slot(name));
    }

    /**
     * The allowed forms, listed minimally: a permission's qualified forms are left out when the permission
     * itself is allowed, since it implies them.
     */
    public List<String> names() {
        List<String> names = new ArrayList<>();
        boolean baseAllowed = false;
        for (PermissionIndex.Form form : index.forms()) {
            if (form.qualifier() == null) {
                baseAllowed = allows(form.slot());
                if (baseAllowed) {
                    names.add(form.name());
                }
            }
            else if (!baseAllowed && allows(form.slot())) {
                names.add(form.name());
            }
        }
        return names;
    }

    public int count() {
        int count = 0;
        for (long word : allowed) {
            count += Long.bitCount(word);
        }
        return count;
    }
}
