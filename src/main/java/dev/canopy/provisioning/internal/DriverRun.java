package dev.canopy.provisioning.internal;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import tools.jackson.databind.node.ObjectNode;

/**
 * What a driver gets for one plan, apply or destroy: the template version's files in a fresh work directory, the
 * inputs (secrets included), the cloud account's credentials as process environment, where to write lines, and
 * the signal that stops it (its process gets SIGTERM, then SIGKILL after {@code cancelGrace}).
 */
record DriverRun(UUID deploymentId, UUID runId, Path workDirectory, ObjectNode inputs,
        Map<String, String> environment, LineSink log, CancelSignal cancel, Duration cancelGrace) {

    @Override
    public String toString() {
        return "DriverRun[" + deploymentId + "/" + runId + "]"; // never the inputs or the environment
    }
}
