package dev.canopy.provisioning.internal;

import java.util.Optional;

/** An engine that provisions templates of one driver key (the manifest's {@code driver}). */
interface ProvisioningDriver {

    /** Whether this installation can run it, and what it needs when it cannot. */
    record Availability(boolean available, String detail) {
    }

    String key();

    Availability availability();

    /** The provider ({@code azure}, ...) whose cloud account the environment must have for this driver, if any. */
    default Optional<String> accountProvider() {
        return Optional.empty();
    }

    /** What apply would change, changing nothing. */
    DriverResult plan(DriverRun run);

    /** Makes the deployment as the inputs say; the result's outputs are the deployment's. */
    DriverResult apply(DriverRun run);

    /** Removes what the deployment made. */
    DriverResult destroy(DriverRun run);
}
