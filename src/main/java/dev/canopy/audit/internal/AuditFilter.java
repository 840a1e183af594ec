package dev.canopy.audit.internal;

import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;

import dev.canopy.platform.web.ApiException;

/**
 * The filters of the audit event list and export, validated together so that one answer names every
 * bad parameter. Blank values mean "no filter"; {@code from} is inclusive, {@code to} exclusive.
 */
record AuditFilter(@Nullable UUID userId, @Nullable String actionPrefix, @Nullable String resourceType,
        @Nullable String resourceId, @Nullable String status, @Nullable Instant from, @Nullable Instant to,
        @Nullable String requestId, @Nullable String search) {

    static final int MAX_TEXT = 200;

    static final AuditFilter NONE = new AuditFilter(null, null, null, null, null, null, null, null, null);

    /** Parses the raw query parameters, collecting every problem. */
    static final class Parser {

        private final List<ApiException.FieldError> errors = new ArrayList<>();

        AuditFilter filter(@Nullable String userId, @Nullable String action, @Nullable String resourceType,
                @Nullable String resourceId, @Nullable String status, @Nullable String from, @Nullable String to,
                @Nullable String requestId, @Nullable String search) {
            var filter = new AuditFilter(uuid("user_id", userId), text("action", action),
                    text("resource_type", resourceType), text("resource_id", resourceId), status(status),
                    instant("from", from), instant("to", to), text("request_id", requestId), text("search", search));
            if (filter.from() != null && filter.to() != null && !filter.from().isBefore(filter.to())) {
                errors.add(new ApiException.FieldError("to", "must be after from"));
            }
            return filter;
        }

        @Nullable String choice(String field, @Nullable String value, List<String> allowed) {
            String v = blankToNull(value);
            if (v != null && !allowed.contains(v)) {
                errors.add(new ApiException.FieldError(field, "must be one of " + String.join(", ", allowed)));
                return null;
            }
            return v;
        }

        /** Like {@link #choice}, but the parameter must be given. */
        @Nullable String required(String field, @Nullable String value, List<String> allowed) {
            if (blankToNull(value) == null) {
                errors.add(new ApiException.FieldError(field, "is required: one of " + String.join(", ", allowed)));
                return null;
            }
            return choice(field, value, allowed);
        }

        int limit(@Nullable String value, int defaultLimit, int max) {
            String v = blankToNull(value);
            if (v == null) {
                return defaultLimit;
            }
            try {
                int limit = Integer.parseInt(v);
                if (limit >= 1 && limit <= max) {
                    return limit;
                }
            }
            catch (NumberFormatException e) {
                // reported below
            }
            errors.add(new ApiException.FieldError("limit", "must be a whole number between 1 and " + max));
            return defaultLimit;
        }

        @Nullable Long cursor(@Nullable String value) {
            String v = blankToNull(value);
            if (v == null) {
                return null;
            }
            Long seq = SeqCursor.decode(v);
            if (seq == null) {
                errors.add(new ApiException.FieldError("cursor", "is not a cursor returned by this list"));
            }
            return seq;
        }

        /** Throws 400 {@code VALIDATION_FAILED} listing every invalid parameter, if any. */
        void check() {
            if (!errors.isEmpty()) {
                throw new ApiException(HttpStatus.BAD_REQUEST, "VALIDATION_FAILED", "The request has invalid parameters.",
                        errors);
            }
        }

        private @Nullable String text(String field, @Nullable String value) {
            String v = blankToNull(value);
            if (v == null) {
                return null;
            }
            if (v.length() > MAX_TEXT) {
                errors.add(new ApiException.FieldError(field, "must be at most " + MAX_TEXT + " characters"));
                return null;
            }
            if (v.indexOf('\0') >= 0) {
                errors.add(new ApiException.FieldError(field, "must not contain a NUL character"));
                return null;
            }
            return v;
        }

        private @Nullable UUID uuid(String field, @Nullable String value) {
            String v = blankToNull(value);
            if (v == null) {
                return null;
            }
            try {
                if (v.length() == 36) {
                    return UUID.fromString(v);
                }
            }
            catch (IllegalArgumentException e) {
                // reported below
            }
            errors.add(new ApiException.FieldError(field, "must be a UUID"));
            return null;
        }

        private @Nullable String status(@Nullable String value) {
            return choice("status", value, List.of("success", "failure"));
        }

        /** ISO-8601: an instant with an offset ({@code 2026-11-23T10:00:00Z}) or a UTC date ({@code 2026-11-23}). */
        private @Nullable Instant instant(String field, @Nullable String value) {
            String v = blankToNull(value);
            if (v == null) {
                return null;
            }
            // a '+' offset that was not percent-encoded arrives as a space
            v = v.replace(' ', '+');
            try {
                return OffsetDateTime.parse(v).toInstant();
            }
            catch (DateTimeParseException e) {
                try {
                    return LocalDate.parse(v).atStartOfDay(ZoneOffset.UTC).toInstant();
                }
                catch (DateTimeParseException again) {
                    errors.add(new ApiException.FieldError(field,
                            "must be an ISO-8601 timestamp with offset, such as 2026-11-23T10:00:00Z, or a date"));
                    return null;
                }
            }
        }

        private static @Nullable String blankToNull(@Nullable String value) {
            return value == null || value.isBlank() ? null : value.trim();
        }
    }
}
