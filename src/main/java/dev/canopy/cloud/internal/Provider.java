package dev.canopy.cloud.internal;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The providers a cloud account can connect to, with the settings each needs and, per authentication type, the
 * shape of its credentials. Only shapes are checked here; {@code POST /{id}/test} checks them for real.
 */
enum Provider {

    AWS("aws",
            List.of(Field.required("region", "[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\\d{1,2}", 30,
                    "an AWS region such as us-east-1")),
            Map.of("access_keys", List.of(
                    Field.required("access_key_id", "(AKIA|ASIA)[A-Z0-9]{16}", 20,
                            "an access key id: AKIA or ASIA and 16 upper-case letters or digits"),
                    Field.required("secret_access_key", "[A-Za-z0-9/+=]{40}", 40, "a 40-character secret access key"),
                    Field.optional("session_token", "[A-Za-z0-9/+=]+", 4096, "a session token")),
                    "role_arn", List.of(
                    Field.required("role_arn", "arn:aws(-[a-z]+)*:iam::\\d{12}:role/[\\w+=,.@/-]{1,512}", 600,
                            "an IAM role ARN such as arn:aws:iam::123456789012:role/canopy"),
                    Field.optional("external_id", "[\\w+=,.@:/-]{2,1224}", 1224,
                            "2 to 1224 letters, digits or +=,.@:/-")))),
    AZURE("azure",
            List.of(Field.required("subscription_id", Patterns.UUID, 36, "a subscription id (a UUID)"),
                    // the ARM driver deploys only into this resource group when it is set
                    Field.optional("resource_group", "[-\\w._()]{1,90}", 90,
                            "a resource group name: letters, digits, - _ . ( )")),
            Map.of("service_principal", List.of(
                    Field.required("tenant_id", Patterns.UUID + "|[a-zA-Z0-9-]+(\\.[a-zA-Z0-9-]+)+", 253,
                            "a directory (tenant) id: a UUID or a domain"),
                    Field.required("client_id", Patterns.UUID, 36, "an application (client) id (a UUID)"),
                    Field.required("client_secret", "\\S.*", 1024, "the client secret")))),
    GCP("gcp",
            List.of(Field.required("project_id", "[a-z][a-z0-9-]{4,28}[a-z0-9]", 30,
                    "a project id: 6 to 30 lower-case letters, digits or hyphens, starting with a letter")),
            Map.of("service_account_key", List.of())), // one JSON document, checked by ServiceAccountKey
    KUBERNETES("kubernetes",
            List.of(Field.optional("api_server", "https?://[^\\s/?#]+(:\\d{1,5})?(/[^\\s?#]*)?", 2048,
                            "the API server's http(s) URL"),
                    Field.optional("namespace", "[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?", 63, "a namespace name")),
            Map.of("token", List.of(
                    Field.required("token", "[\\x21-\\x7e]+", 8192, "a bearer token"),
                    Field.optional("ca_cert", "\\s*-----BEGIN CERTIFICATE-----.+-----END CERTIFICATE-----\\s*", 65536,
                            "a PEM certificate")),
                    "kubeconfig", List.of(
                    Field.required("kubeconfig", ".*\\S.*", 65536, "a kubeconfig document"))));

    private final String key;
    private final List<Field> settings;
    private final Map<String, List<Field>> authTypes;

    Provider(String key, List<Field> settings, Map<String, List<Field>> authTypes) {
        this.key = key;
        this.settings = settings;
        this.authTypes = authTypes;
    }

    String key() {
        return key;
    }

    List<Field> settings() {
        return settings;
    }

    Optional<List<Field>> credentials(String authType) {
        return Optional.ofNullable(authTypes.get(authType));
    }

    List<String> authTypes() {
        return authTypes.keySet().stream().sorted().toList();
    }

    static Optional<Provider> of(String key) {
        for (Provider p : values()) {
            if (p.key.equals(key)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    static List<String> keys() {
        return java.util.Arrays.stream(values()).map(Provider::key).toList();
    }

    private static final class Patterns {
        static final String UUID = "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}";
    }
}
