package dev.canopy.audit.internal;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

import org.jspecify.annotations.Nullable;

/**
 * The opaque cursor of the audit event list: the position ({@code seq}) of the last event of the page.
 * Audit events are keyset-paginated by their place in the chain, not by id.
 */
final class SeqCursor {

    private static final String PREFIX = "seq:";

    private SeqCursor() {
    }

    static String encode(long seq) {
        return Base64.getUrlEncoder().withoutPadding()
                .encodeToString((PREFIX + seq).getBytes(StandardCharsets.UTF_8));
    }

    /** The position in the cursor, or null when it is not one of ours. */
    static @Nullable Long decode(String cursor) {
        try {
            String text = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
            if (!text.startsWith(PREFIX)) {
                return null;
            }
            long seq = Long.parseLong(text.substring(PREFIX.length()));
            return seq > 0 ? seq : null;
        }
        catch (IllegalArgumentException e) {
            return null;
        }
    }
}
