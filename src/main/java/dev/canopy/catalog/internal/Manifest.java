package dev.canopy.catalog.internal;

import org.jspecify.annotations.Nullable;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** A version's {@code canopy.yaml}: who it is, which engine runs it, its inputs' schema, outputs and UI hints. */
public record Manifest(String name, SemVer version, Driver driver, String description, JsonNode inputs,
        JsonNode outputs, @Nullable JsonNode ui, ObjectNode document) {
}
