package dev.canopy.platform.web;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;

import org.jspecify.annotations.Nullable;

/**
 * A validated {@code limit} and {@code cursor}. Cursors are opaque to clients; inside they carry the
 * id of the last item seen, so pages are keyset-paginated by id (UUIDv7, so creation order).
 */
public record PageRequest(int limit, @Nullable UUID after) {

    public static final int DEFAULT_LIMIT = 50;
    public static final int MAX_LIMIT = 200;

    public static PageRequest of(@Nullable Integer limit, @Nullable String cursor) {
        int size = limit == null ? DEFAULT_LIMIT : limit;
        if (size < 1 || size > MAX_LIMIT) {
            throw ApiException.invalidField("limit", "must be between 1 and " + MAX_LIMIT);
        }
        return new PageRequest(size, cursor == null || cursor.isBlank() ? null : decode(cursor));
    }

    /** Fetch {@code limit + 1} rows; this trims the extra one and turns it into the next cursor. */
    public <T> Page<T> page(List<T> rows, Function<T, UUID> id) {
        if (rows.size() <= limit) {
            return new Page<>(rows, null);
        }
        List<T> items = rows.subList(0, limit);
        return new Page<>(List.copyOf(items), encode(id.apply(items.getLast())));
    }

    public int fetchSize() {
        return limit + 1;
    }

    private static String encode(UUID id) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(id.toString().getBytes(StandardCharsets.UTF_8));
    }

    private static UUID decode(String cursor) {
        try {
            return UUID.fromString(new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8));
        }
        catch (IllegalArgumentException e) {
            throw ApiException.invalidField("cursor", "is not a cursor returned by this list");
        }
    }
}
