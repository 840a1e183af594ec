package dev.canopy.platform;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The one redactor: replaces the values of secret-looking keys (passwords, tokens, secrets, keys,
 * credentials, codes) in a JSON-like structure before it is logged, stored or shown.
 */
public final class Redaction {

    public static final String REDACTED = "[REDACTED]";

    private static final List<String> SECRET_KEYS = List.of("password", "secret", "token", "credential",
            "private_key", "api_key", "apikey", "recovery_code", "totp", "otp", "kubeconfig", "authorization",
            "cookie", "signature");

    private Redaction() {
    }

    public static boolean isSecretKey(String key) {
        String lower = key.toLowerCase(Locale.ROOT);
        return SECRET_KEYS.stream().anyMatch(lower::contains) || lower.equals("code");
    }

    /** A copy of the value with every secret-looking key's value replaced; maps and lists are walked. */
    public static Object redact(Object value) {
        if (value instanceof Map<?, ?> map) {
            var copy = new LinkedHashMap<String, Object>();
            map.forEach((k, v) -> copy.put(String.valueOf(k),
                    isSecretKey(String.valueOf(k)) && v != null ? REDACTED : redact(v)));
            return copy;
        }
        if (value instanceof List<?> list) {
            return list.stream().map(v -> v == null ? null : redact(v)).toList();
        }
        return value;
    }
}
