package dev.canopy.cloud.console;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.jspecify.annotations.Nullable;

import dev.canopy.cloud.internal.CloudAccount;
import dev.canopy.cloud.internal.ProviderForms.Input;
import dev.canopy.cloud.internal.ProviderForms.ProviderForm;
import dev.canopy.platform.console.FormErrors;

/**
 * A cloud account form as posted: inputs are named as the API's fields ({@code settings.region}), credentials
 * per authentication type ({@code credentials.access_keys.secret_access_key}) so only the chosen type's count.
 * Environments are a comma-separated list, tags one {@code key=value} per line. The credentials typed are kept
 * only to pass them on; {@link #toString()} and the pages never show them.
 */
public record AccountForm(@Nullable String name, @Nullable String authType, Map<String, String> settings,
        Map<String, String> credentials, String environments, String tags) {

    /** Longest environments or tags text a form may send (the API allows 50 of each). */
    static final int MAX_LIST_TEXT = 20_000;

    static AccountForm empty(@Nullable ProviderForm provider) {
        String onlyAuthType = provider != null && provider.authTypes().size() == 1
                ? provider.authTypes().getFirst().key() : null;
        return new AccountForm(null, onlyAuthType, Map.of(), Map.of(), "", "");
    }

    /** An account as its edit form starts: everything but the credentials, which stay as they are unless typed. */
    static AccountForm of(CloudAccount account) {
        return new AccountForm(account.name(), account.authType(), account.settings(), Map.of(),
                String.join(", ", account.environments()), account.tags().entrySet().stream()
                        .map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining("\n")));
    }

    static AccountForm read(ProviderForm provider, Map<String, String> fields) {
        String authType = blankToNull(fields.get("auth_type"));
        if (authType == null && provider.authTypes().size() == 1) {
            authType = provider.authTypes().getFirst().key();
        }
        var settings = new LinkedHashMap<String, String>();
        for (Input input : provider.settings()) {
            String value = blankToNull(fields.get("settings." + input.name()));
            if (value != null) {
                settings.put(input.name(), value);
            }
        }
        var credentials = new LinkedHashMap<String, String>();
        String chosen = authType;
        provider.authType(authType == null ? "" : authType).ifPresent(type -> {
            for (Input input : type.credentials()) {
                String value = fields.get("credentials." + chosen + "." + input.name());
                if (value != null && !value.isBlank()) {
                    credentials.put(input.name(), input.multiline() ? value : value.strip());
                }
            }
        });
        return new AccountForm(fields.get("name"), authType, settings, credentials,
                fields.getOrDefault("environments", ""), fields.getOrDefault("tags", ""));
    }

    /** What the form itself gets wrong (the lists' syntax); the rest is the API's checks. */
    FormErrors problems() {
        var errors = new FormErrors();
        if (environments.length() > MAX_LIST_TEXT) {
            errors.field("environments", "must be at most " + MAX_LIST_TEXT + " characters");
        }
        if (tags.length() > MAX_LIST_TEXT) {
            errors.field("tags", "must be at most " + MAX_LIST_TEXT + " characters");
        }
        else {
            for (String line : tags.lines().filter(l -> !l.isBlank()).toList()) {
                if (line.indexOf('=') <= 0) {
                    errors.field("tags", "write one key=value per line ('" + shortened(line) + "' has no key=)");
                    break;
                }
            }
        }
        return errors;
    }

    Map<String, Object> settingsMap() {
        return new LinkedHashMap<>(settings);
    }

    /** The credentials typed, or null when none were (an update then keeps the stored ones). */
    @Nullable Map<String, Object> credentialsOrNull() {
        return credentials.isEmpty() ? null : new LinkedHashMap<>(credentials);
    }

    List<String> environmentList() {
        return Arrays.stream(environments.split("[,\\s]+")).filter(e -> !e.isEmpty()).toList();
    }

    Map<String, String> tagMap() {
        var map = new LinkedHashMap<String, String>();
        tags.lines().filter(l -> !l.isBlank()).forEach(line -> {
            int eq = line.indexOf('=');
            map.put(line.substring(0, eq).strip(), line.substring(eq + 1).strip());
        });
        return map;
    }

    /** The input an API field error belongs next to: nested key fields, list items and tags fold into theirs. */
    static String inputOf(String apiField) {
        if (apiField.startsWith("credentials.service_account_json")) {
            return "credentials.service_account_json";
        }
        if (apiField.startsWith("environments")) {
            return "environments";
        }
        if (apiField.startsWith("tags")) {
            return "tags";
        }
        return apiField;
    }

    /** The setting's current value for the form (settings are not secret). */
    public String setting(String name) {
        return settings.getOrDefault(name, "");
    }

    @Override
    public String toString() {
        return "AccountForm[" + name + ", " + authType + "]"; // never the credentials
    }

    private static @Nullable String blankToNull(@Nullable String value) {
        return value == null || value.isBlank() ? null : value.strip();
    }

    private static String shortened(String line) {
        String text = line.strip();
        return text.length() > 40 ? text.substring(0, 40) + "…" : text;
    }

}
