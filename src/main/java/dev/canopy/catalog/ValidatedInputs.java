package dev.canopy.catalog;

import java.util.Set;

import tools.jackson.databind.node.ObjectNode;

/**
 * Inputs that satisfy a version's schema, with its defaults applied. {@code secretPointers} are the JSON Pointers
 * of inputs the schema marks as secrets ({@code writeOnly} or {@code x-canopy-secret}): whoever stores the inputs
 * seals those with the secrets module and never shows or logs them.
 */
public record ValidatedInputs(ObjectNode values, Set<String> secretPointers) {

    /** The inputs with every secret replaced by {@code "********"}, for showing or recording. */
    public ObjectNode masked() {
        ObjectNode copy = values.deepCopy();
        for (String pointer : secretPointers) {
            int slash = pointer.lastIndexOf('/');
            var parent = copy.at(pointer.substring(0, slash));
            String name = pointer.substring(slash + 1).replace("~1", "/").replace("~0", "~");
            if (parent instanceof ObjectNode object && object.has(name)) {
                object.put(name, "********");
            }
        }
        return copy;
    }

    @Override
    public String toString() {
        return "ValidatedInputs" + masked();
    }
}
