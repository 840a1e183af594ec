package dev.canopy.access;

import java.util.UUID;

import org.jspecify.annotations.Nullable;

/**
 * What a check knows about the resource acted on, for qualified permissions: its owner (for
 * {@code :own}) and its environment (for {@code :production} and the like). Both may be unknown.
 */
public record ResourceContext(@Nullable UUID ownerId, @Nullable String environment) {

    public static final ResourceContext NONE = new ResourceContext(null, null);

    public static ResourceContext ownedBy(UUID ownerId) {
        return new ResourceContext(ownerId, null);
    }

    public static ResourceContext inEnvironment(String environment) {
        return new ResourceContext(null, environment);
    }
}
