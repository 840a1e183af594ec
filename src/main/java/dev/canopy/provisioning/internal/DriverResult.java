package dev.canopy.provisioning.internal;

import java.util.List;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;

/** What a driver did or would do: the normalised change list, and the outputs it reported. */
record DriverResult(List<Change> changes, JsonNode outputs) {

    /** One change: {@code create|update|delete|replace|no-op} of an address, with before and after when known. */
    record Change(String action, String address, JsonNode before, JsonNode after) {
    }

    static DriverResult nothing() {
        return new DriverResult(List.of(), JsonNodeFactory.instance.objectNode());
    }
}
