package dev.canopy.integration.internal.webhooks;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;

import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;

import dev.canopy.platform.web.ApiException;
import dev.canopy.platform.web.ApiException.FieldError;

/**
 * A webhook as a client wrote it, checked: the URL is https, well-formed and (resolved now) not an address the
 * installation refuses; each event type is a known one or {@code *}; a given secret is 16 to 256 printable
 * characters. Shape errors are 400 {@code VALIDATION_FAILED}; an unknown event type is 422
 * {@code UNKNOWN_EVENT_TYPE} and a refused address 422 {@code WEBHOOK_ADDRESS_NOT_ALLOWED}, as they depend on what
 * this installation knows and allows rather than on the request's shape. A host name that does not resolve is
 * accepted: every connection checks the address again anyway.
 */
record WebhookDraft(@Nullable String url, @Nullable String description, @Nullable List<String> eventTypes,
        @Nullable String secret, @Nullable Boolean enabled) {

    static final int MAX_URL = 2048;
    static final int MAX_DESCRIPTION = 500;
    static final int MIN_SECRET = 16;
    static final int MAX_SECRET = 256;
    static final int MAX_EVENT_TYPES = 100;

    /** The checked values; {@code secret} null when none was given. */
    record Checked(String url, String description, List<String> eventTypes, @Nullable String secret,
            boolean enabled) {

        @Override
        public String toString() {
            return "Checked[" + url + "]"; // never the secret
        }
    }

    @Override
    public String toString() {
        return "WebhookDraft[" + url + "]"; // never the secret
    }

    Checked check(KnownEventTypes known, WebhookAddresses addresses) {
        List<FieldError> errors = new ArrayList<>();
        URI uri = null;
        if (url == null || url.isBlank()) {
            errors.add(new FieldError("url", "is required"));
        }
        else if (url.length() > MAX_URL) {
            errors.add(new FieldError("url", "must be at most " + MAX_URL + " characters"));
        }
        else {
            try {
                uri = new URI(url.strip());
                String problem = problem(uri);
                if (problem != null) {
                    errors.add(new FieldError("url", problem));
                    uri = null;
                }
            }
            catch (URISyntaxException e) {
                errors.add(new FieldError("url", "is not a URL"));
            }
        }
        if (description != null && description.length() > MAX_DESCRIPTION) {
            errors.add(new FieldError("description", "must be at most " + MAX_DESCRIPTION + " characters"));
        }
        var types = new LinkedHashSet<String>();
        if (eventTypes == null || eventTypes.isEmpty()) {
            errors.add(new FieldError("event_types", "is required: event type names, or \"*\" for all"));
        }
        else if (eventTypes.size() > MAX_EVENT_TYPES) {
            errors.add(new FieldError("event_types", "must have at most " + MAX_EVENT_TYPES + " entries"));
        }
        else if (eventTypes.stream().anyMatch(t -> t == null || t.isBlank())) {
            errors.add(new FieldError("event_types", "must not have empty entries"));
        }
        else {
            eventTypes.forEach(t -> types.add(t.strip()));
        }
        if (secret != null) {
            if (secret.length() < MIN_SECRET || secret.length() > MAX_SECRET) {
                errors.add(new FieldError("secret", "must be " + MIN_SECRET + " to " + MAX_SECRET + " characters"));
            }
            else if (!secret.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
                errors.add(new FieldError("secret", "must be printable ASCII without spaces"));
            }
        }
        if (!errors.isEmpty()) {
            throw new ApiException(HttpStatus.BAD_REQUEST, "VALIDATION_FAILED", "The request has invalid fields.",
                    errors);
        }
        List<String> unknown = types.stream().filter(t -> !known.known(t)).toList();
        if (!unknown.isEmpty()) {
            throw new ApiException(HttpStatus.UNPROCESSABLE_CONTENT, "UNKNOWN_EVENT_TYPE",
                    "Unknown event type" + (unknown.size() > 1 ? "s " : " ") + String.join(", ", unknown)
                            + "; known types are listed in docs/events.md (or use \"*\").",
                    unknown.stream().map(t -> new FieldError("event_types", "'" + t + "' is not an event type"))
                            .toList());
        }
        try {
            addresses.resolve(uri);
        }
        catch (WebhookAddresses.Refused e) {
            if ("unresolvable".equals(e.kind())) {
                // a name that does not resolve yet (new DNS, resolver down) is checked when it is connected to
                return checked(uri);
            }
            throw new ApiException(HttpStatus.UNPROCESSABLE_CONTENT, "WEBHOOK_ADDRESS_NOT_ALLOWED", e.getMessage(),
                    List.of(new FieldError("url", e.kind())));
        }
        return checked(uri);
    }

    private Checked checked(URI uri) {
        List<String> types = eventTypes.stream().map(String::strip).distinct().toList();
        return new Checked(uri.toString(), description == null ? "" : description.strip(),
                types.contains(KnownEventTypes.ALL) ? List.of(KnownEventTypes.ALL) : types, secret,
                enabled == null || enabled);
    }

    private static @Nullable String problem(URI uri) {
        if (!uri.isAbsolute() || uri.getScheme() == null
                || !"https".equals(uri.getScheme().toLowerCase(Locale.ROOT))) {
            return "must be an https URL";
        }
        if (uri.getHost() == null || uri.getHost().isBlank()) {
            return "must name a host";
        }
        if (uri.getRawUserInfo() != null) {
            return "must not carry a user name or password";
        }
        if (uri.getRawFragment() != null) {
            return "must not have a fragment";
        }
        if (uri.getPort() == 0) {
            return "must not use port 0";
        }
        return null;
    }
}
