package dev.canopy.cloud.internal;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a form needs to connect an account of each provider: its settings and, per authentication type, its
 * credentials, taken from {@link Provider} so the console asks for exactly what the API checks.
 */
public final class ProviderForms {

    /** One input: its name as the API names it, whether it is required, its shape, and whether typing is masked. */
    public record Input(String name, String label, boolean required, int maxLength, String shape, boolean multiline,
            boolean masked) {
    }

    /** One way to authenticate at a provider, with the credentials it takes. */
    public record AuthType(String key, String label, List<Input> credentials) {
    }

    /** A provider as a form shows it. */
    public record ProviderForm(String key, String label, List<Input> settings, List<AuthType> authTypes) {

        public Optional<AuthType> authType(String key) {
            return authTypes.stream().filter(a -> a.key().equals(key)).findFirst();
        }
    }

    private static final Map<String, String> PROVIDER_LABELS = Map.of("aws", "Amazon Web Services", "azure",
            "Microsoft Azure", "gcp", "Google Cloud", "kubernetes", "Kubernetes");
    private static final Map<String, String> AUTH_LABELS = Map.of("access_keys", "Access keys", "role_arn",
            "Assume an IAM role", "service_principal", "Service principal", "service_account_key",
            "Service account key", "token", "Bearer token", "kubeconfig", "Kubeconfig");
    /** Long documents are typed into text areas. */
    private static final List<String> MULTILINE = List.of("kubeconfig", "ca_cert", "service_account_json",
            "session_token");

    private static final List<ProviderForm> ALL = Arrays.stream(Provider.values()).map(ProviderForms::form).toList();

    private ProviderForms() {
    }

    /** Every provider, in a stable order. */
    public static List<ProviderForm> all() {
        return ALL;
    }

    public static Optional<ProviderForm> of(String key) {
        return ALL.stream().filter(p -> p.key().equals(key)).findFirst();
    }

    private static ProviderForm form(Provider provider) {
        List<AuthType> authTypes = provider.authTypes().stream()
                .map(key -> new AuthType(key, AUTH_LABELS.getOrDefault(key, key), credentials(provider, key)))
                .toList();
        return new ProviderForm(provider.key(), PROVIDER_LABELS.getOrDefault(provider.key(), provider.key()),
                provider.settings().stream().map(f -> input(f, false)).toList(), authTypes);
    }

    private static List<Input> credentials(Provider provider, String authType) {
        if (provider == Provider.GCP) {
            // one JSON document, checked whole by AccountDraft
            return List.of(new Input("service_account_json", "Service account key (JSON)", true, 65536,
                    "the service account's JSON key file", true, true));
        }
        return provider.credentials(authType).orElseThrow().stream().map(f -> input(f, true)).toList();
    }

    private static Input input(Field field, boolean credential) {
        String label = field.name().replace('_', ' ');
        label = Character.toUpperCase(label.charAt(0)) + label.substring(1);
        return new Input(field.name(), label.replace(" id", " ID").replace("Api ", "API ").replace("arn", "ARN"),
                field.required(), field.maxLength(), field.shape(), MULTILINE.contains(field.name()),
                credential && (field.name().contains("secret") || field.name().endsWith("token")));
    }
}
