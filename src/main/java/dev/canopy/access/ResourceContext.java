package dev.canopy.access;

import java.util.UUID;

import org.jspecify.annotations.Nullable;

/**
 * What a check knows about the resource acted on: its owner (for {@code :own}), its environment (for
 * {@code :production} and the like) and its business unit (permissions held in a business unit apply only
 * to its resources, and only while the caller works in it). Each may be unknown.
 */
public record ResourceContext(@Nullable UUID ownerId, @Nullable String environment, @Nullable UUID businessUnitId) {

    public static final ResourceContext NONE = new ResourceContext(null, null, null);

    public ResourceContext(@Nullable UUID ownerId, @Nullable String environment) {
        this(ownerId, environment, null);
    }

    public static ResourceContext ownedBy(UUID ownerId) {
        return new ResourceContext(ownerId, null, null);
    }

    public static ResourceContext inEnvironment(String environment) {
        return new ResourceContext(null, environment, null);
    }

    public static ResourceContext inBusinessUnit(UUID businessUnitId) {
        return new ResourceContext(null, null, businessUnitId);
    }

    /** The same resource with its business unit. */
    public ResourceContext withBusinessUnit(@Nullable UUID businessUnitId) {
        return new ResourceContext(ownerId, environment, businessUnitId);
    }
}
