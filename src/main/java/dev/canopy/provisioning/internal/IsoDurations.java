package dev.canopy.provisioning.internal;

import java.time.Duration;
import java.time.format.DateTimeParseException;

import org.jspecify.annotations.Nullable;

import dev.canopy.platform.web.ApiException;

/** ISO-8601 durations as the API takes them ({@code P2D}, {@code PT6H}), refused with a field error otherwise. */
final class IsoDurations {

    private IsoDurations() {
    }

    static @Nullable Duration parse(String field, @Nullable String text, Duration max) {
        if (text == null) {
            return null;
        }
        Duration duration;
        try {
            duration = Duration.parse(text);
        }
        catch (DateTimeParseException e) {
            throw ApiException.invalidField(field, "must be an ISO-8601 duration such as P7D or PT12H");
        }
        if (duration.isNegative() || duration.isZero() || duration.compareTo(max) > 0) {
            throw ApiException.invalidField(field, "must be positive and at most " + max.toDays() + " days");
        }
        return duration;
    }

    /** As {@link #parse(String, String, Duration)}, adding a refusal to {@code errors} (answering null) instead. */
    static @Nullable Duration parse(String field, @Nullable String text, Duration max,
            java.util.List<ApiException.FieldError> errors) {
        try {
            return parse(field, text, max);
        }
        catch (ApiException e) {
            errors.addAll(e.errors());
            return null;
        }
    }

    static @Nullable String format(@Nullable Duration duration) {
        if (duration == null) {
            return null;
        }
        long seconds = duration.getSeconds();
        if (seconds % 86_400 == 0) {
            return "P" + seconds / 86_400 + "D";
        }
        return duration.toString();
    }
}
