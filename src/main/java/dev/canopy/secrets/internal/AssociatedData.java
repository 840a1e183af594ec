package dev.canopy.secrets.internal;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

import dev.canopy.secrets.SecretBinding;

/**
 * The associated data of a secret's encryption: owner, table and record id, each length-prefixed so that no
 * two different bindings encode alike ("a|bc" and "ab|c" must differ).
 */
final class AssociatedData {

    private static final byte[] CONTEXT = "canopy-secret/v1".getBytes(StandardCharsets.UTF_8);

    private AssociatedData() {
    }

    static byte[] of(SecretBinding binding) {
        var out = new ByteArrayOutputStream();
        out.writeBytes(CONTEXT);
        for (String part : new String[] { binding.ownerId().toString(), binding.table(), binding.recordId() }) {
            byte[] bytes = part.getBytes(StandardCharsets.UTF_8);
            out.write(bytes.length >>> 8);
            out.write(bytes.length);
            out.writeBytes(bytes);
        }
        return out.toByteArray();
    }
}
