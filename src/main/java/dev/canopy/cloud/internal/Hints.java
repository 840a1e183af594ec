package dev.canopy.cloud.internal;

import java.util.Map;

/**
 * The masked hint shown instead of credentials: enough to recognise which ones are configured (a key id's
 * ends, a client id, a service account's email), never enough to use them.
 */
final class Hints {

    private Hints() {
    }

    @SuppressWarnings("unchecked")
    static String of(Provider provider, String authType, Map<String, Object> credentials) {
        return switch (provider) {
            case AWS -> "access_keys".equals(authType)
                    ? "access key " + ends(text(credentials, "access_key_id"), 4)
                    : "role " + text(credentials, "role_arn");
            case AZURE -> "client " + text(credentials, "client_id");
            case GCP -> "service account " + text((Map<String, Object>) credentials.get("service_account_json"),
                    "client_email");
            case KUBERNETES -> "token".equals(authType) ? "token " + masked(text(credentials, "token"))
                    : "kubeconfig, context " + shortened(Kubeconfigs.currentContext((String) credentials.get("kubeconfig")));
        };
    }

    /** First and last {@code n} characters: AKIA…WXYZ. */
    private static String ends(String value, int n) {
        return value.length() <= 2 * n ? "…" : value.substring(0, n) + "…" + value.substring(value.length() - n);
    }

    /** Only the last four characters, and only of a long secret. */
    private static String masked(String secret) {
        return secret.length() < 24 ? "…" : "…" + secret.substring(secret.length() - 4);
    }

    private static String text(Map<String, Object> map, String key) {
        Object value = map.get(key);
        return shortened(value instanceof String s ? s : "");
    }

    private static String shortened(String text) {
        return text.length() > 150 ? text.substring(0, 150) : text;
    }
}
