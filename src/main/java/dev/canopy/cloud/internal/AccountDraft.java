package dev.canopy.cloud.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;

import dev.canopy.platform.web.ApiException;
import dev.canopy.platform.web.ApiException.FieldError;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

/**
 * A cloud account as a request would leave it (a creation, or a stored account with a PATCH applied), checked
 * field by field: every problem becomes a field error, all reported at once.
 */
public record AccountDraft(@Nullable String name, @Nullable String provider, @Nullable Map<String, Object> settings,
        @Nullable String authType, @Nullable Map<String, Object> credentials, @Nullable List<String> environments,
        @Nullable Map<String, String> tags) {

    /** A draft that passed: normalised settings and credentials and the masked hint of the credentials. */
    record Checked(String name, Provider provider, String authType, Map<String, String> settings,
            @Nullable Map<String, Object> credentials, @Nullable String hint, List<String> environments,
            Map<String, String> tags) {

        @Override
        public String toString() {
            return "Checked[" + provider + ", " + name + "]"; // never the credentials
        }
    }

    private static final Pattern ENVIRONMENT = Pattern.compile("[a-z0-9][a-z0-9_-]{0,62}");
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Override
    public String toString() {
        return "AccountDraft[" + provider + ", " + name + "]"; // never the credentials
    }

    /**
     * Checks the draft; {@code credentials} null means "unchanged" (an update that does not replace them), which
     * is allowed only when {@code keepsCredentials}.
     */
    Checked check(boolean keepsCredentials) {
        List<FieldError> errors = new ArrayList<>();
        if (name == null || name.isBlank()) {
            errors.add(new FieldError("name", "is required"));
        }
        else if (name.strip().length() > 100) {
            errors.add(new FieldError("name", "must be at most 100 characters"));
        }
        Provider kind = null;
        if (provider == null) {
            errors.add(new FieldError("provider", "is required"));
        }
        else {
            kind = Provider.of(provider).orElse(null);
            if (kind == null) {
                errors.add(new FieldError("provider", "must be one of " + String.join(", ", Provider.keys())));
            }
        }
        Map<String, String> checkedSettings = new LinkedHashMap<>();
        Map<String, Object> checkedCredentials = null;
        String hint = null;
        if (kind != null) {
            checkFields("settings", settings == null ? Map.of() : settings, kind.settings(), kind, checkedSettings,
                    errors);
            if (authType == null) {
                errors.add(new FieldError("auth_type", "is required"));
            }
            else if (kind.credentials(authType).isEmpty()) {
                errors.add(new FieldError("auth_type", "must be one of " + String.join(", ", kind.authTypes())
                        + " for " + kind.key()));
            }
            else if (credentials == null) {
                if (!keepsCredentials) {
                    errors.add(new FieldError("credentials", "is required"));
                }
            }
            else {
                Map<String, String> fields = new LinkedHashMap<>();
                if (kind == Provider.GCP) {
                    checkedCredentials = serviceAccountKey(errors);
                }
                else {
                    checkFields("credentials", credentials, kind.credentials(authType).orElseThrow(), kind, fields,
                            errors);
                    checkedCredentials = new LinkedHashMap<>(fields);
                }
                if (kind == Provider.KUBERNETES && fields.containsKey("kubeconfig")) {
                    Kubeconfigs.problems(fields.get("kubeconfig"))
                            .forEach(p -> errors.add(new FieldError("credentials.kubeconfig", p)));
                }
                if (errors.isEmpty()) {
                    hint = Hints.of(kind, authType, checkedCredentials);
                }
            }
            if (kind == Provider.KUBERNETES && "token".equals(authType) && !checkedSettings.containsKey("api_server")
                    && errors.stream().noneMatch(e -> e.field().equals("settings.api_server"))) {
                errors.add(new FieldError("settings.api_server", "is required with auth_type token"));
            }
        }
        List<String> checkedEnvironments = environments(errors);
        Map<String, String> checkedTags = tags(errors);
        if (!errors.isEmpty()) {
            throw new ApiException(org.springframework.http.HttpStatus.BAD_REQUEST, "VALIDATION_FAILED",
                    "The request has invalid fields.", errors);
        }
        return new Checked(name.strip(), kind, authType, checkedSettings, checkedCredentials, hint,
                checkedEnvironments, checkedTags);
    }

    private static void checkFields(String prefix, Map<String, Object> given, List<Field> known, Provider provider,
            Map<String, String> out, List<FieldError> errors) {
        for (String key : given.keySet()) {
            if (known.stream().noneMatch(f -> f.name().equals(key))) {
                errors.add(new FieldError(prefix + "." + key, "is not a " + prefix.replace("credentials",
                        "credential").replace("settings", "setting") + " of " + provider.key()));
            }
        }
        for (Field field : known) {
            Object value = given.get(field.name());
            String path = prefix + "." + field.name();
            if (value == null) {
                if (field.required()) {
                    errors.add(new FieldError(path, "is required"));
                }
            }
            else if (!(value instanceof String text)) {
                errors.add(new FieldError(path, "must be a string"));
            }
            else {
                String problem = field.problem(text);
                if (problem != null) {
                    errors.add(new FieldError(path, problem));
                }
                else {
                    out.put(field.name(), text);
                }
            }
        }
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> serviceAccountKey(List<FieldError> errors) {
        String path = "credentials.service_account_json";
        for (String key : credentials.keySet()) {
            if (!key.equals("service_account_json")) {
                errors.add(new FieldError("credentials." + key, "is not a credential of gcp"));
            }
        }
        Object value = credentials.get("service_account_json");
        Map<String, Object> key;
        if (value == null) {
            errors.add(new FieldError(path, "is required"));
            return null;
        }
        if (value instanceof Map<?, ?> map) {
            key = (Map<String, Object>) map;
        }
        else if (value instanceof String text) {
            try {
                key = JSON.readValue(text, Map.class);
            }
            catch (JacksonException e) {
                errors.add(new FieldError(path, "must be the service account's JSON key file"));
                return null;
            }
        }
        else {
            errors.add(new FieldError(path, "must be the service account's JSON key file (an object or its text)"));
            return null;
        }
        if (!"service_account".equals(key.get("type"))) {
            errors.add(new FieldError(path + ".type", "must be service_account"));
        }
        String email = ServiceAccountKeys.text(key, "client_email");
        if (!email.matches("[^@\\s]{1,64}@[a-z0-9.-]{1,200}")) {
            errors.add(new FieldError(path + ".client_email", "must be the service account's email"));
        }
        try {
            ServiceAccountKeys.privateKey(ServiceAccountKeys.text(key, "private_key"));
        }
        catch (IllegalArgumentException e) {
            errors.add(new FieldError(path + ".private_key", "must be an RSA private key in PEM (BEGIN PRIVATE KEY)"));
        }
        Map<String, Object> stored = new LinkedHashMap<>();
        for (String field : List.of("type", "project_id", "private_key_id", "private_key", "client_email",
                "client_id")) {
            if (key.get(field) instanceof String s) {
                stored.put(field, s);
            }
        }
        return Map.of("service_account_json", stored);
    }

    private List<String> environments(List<FieldError> errors) {
        if (environments == null) {
            return List.of();
        }
        if (environments.size() > 50) {
            errors.add(new FieldError("environments", "must list at most 50 environments"));
            return List.of();
        }
        for (int i = 0; i < environments.size(); i++) {
            String env = environments.get(i);
            if (env == null || !ENVIRONMENT.matcher(env).matches()) {
                errors.add(new FieldError("environments[" + i + "]",
                        "must be an environment name: 1 to 63 lower-case letters, digits, - or _"));
            }
        }
        return List.copyOf(new LinkedHashSet<>(environments.stream().filter(e -> e != null).toList()));
    }

    private Map<String, String> tags(List<FieldError> errors) {
        if (tags == null) {
            return Map.of();
        }
        if (tags.size() > 50) {
            errors.add(new FieldError("tags", "must have at most 50 tags"));
            return Map.of();
        }
        tags.forEach((key, value) -> {
            if (key.isBlank() || key.length() > 128) {
                errors.add(new FieldError("tags." + key, "tag keys must be 1 to 128 characters"));
            }
            else if (value == null || value.length() > 256) {
                errors.add(new FieldError("tags." + key, "must be a text of at most 256 characters"));
            }
        });
        return new LinkedHashMap<>(tags);
    }
}
