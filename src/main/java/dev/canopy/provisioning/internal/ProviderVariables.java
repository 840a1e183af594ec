package dev.canopy.provisioning.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The environment variables the usual OpenTofu/Terraform providers read their credentials from, made from the
 * cloud account's {@code CANOPY_PROVIDER}, {@code CANOPY_SETTING_*} and {@code CANOPY_CREDENTIAL_*}: a template's
 * provider blocks need not name any secret. A kubeconfig becomes a file only the engine can read.
 */
final class ProviderVariables {

    private ProviderVariables() {
    }

    static Map<String, String> of(Map<String, String> canopy, Path workDirectory) {
        Map<String, String> env = new LinkedHashMap<>();
        switch (canopy.getOrDefault("CANOPY_PROVIDER", "")) {
            case "aws" -> {
                copy(canopy, "CANOPY_SETTING_REGION", env, "AWS_REGION", "AWS_DEFAULT_REGION");
                copy(canopy, "CANOPY_CREDENTIAL_ACCESS_KEY_ID", env, "AWS_ACCESS_KEY_ID");
                copy(canopy, "CANOPY_CREDENTIAL_SECRET_ACCESS_KEY", env, "AWS_SECRET_ACCESS_KEY");
                copy(canopy, "CANOPY_CREDENTIAL_SESSION_TOKEN", env, "AWS_SESSION_TOKEN");
            }
            case "azure" -> {
                copy(canopy, "CANOPY_SETTING_SUBSCRIPTION_ID", env, "ARM_SUBSCRIPTION_ID");
                copy(canopy, "CANOPY_CREDENTIAL_TENANT_ID", env, "ARM_TENANT_ID");
                copy(canopy, "CANOPY_CREDENTIAL_CLIENT_ID", env, "ARM_CLIENT_ID");
                copy(canopy, "CANOPY_CREDENTIAL_CLIENT_SECRET", env, "ARM_CLIENT_SECRET");
            }
            case "gcp" -> {
                copy(canopy, "CANOPY_SETTING_PROJECT_ID", env, "GOOGLE_PROJECT");
                copy(canopy, "CANOPY_CREDENTIAL_SERVICE_ACCOUNT_JSON", env, "GOOGLE_CREDENTIALS"); // the key's JSON
            }
            case "kubernetes" -> {
                copy(canopy, "CANOPY_SETTING_API_SERVER", env, "KUBE_HOST");
                copy(canopy, "CANOPY_CREDENTIAL_TOKEN", env, "KUBE_TOKEN");
                copy(canopy, "CANOPY_CREDENTIAL_CA_CERT", env, "KUBE_CLUSTER_CA_CERT_DATA");
                String kubeconfig = canopy.get("CANOPY_CREDENTIAL_KUBECONFIG");
                if (kubeconfig != null) {
                    env.put("KUBE_CONFIG_PATH", write(workDirectory.resolve(".canopy-kubeconfig"), kubeconfig));
                }
            }
            default -> {
            }
        }
        return env;
    }

    private static void copy(Map<String, String> from, String name, Map<String, String> to, String... names) {
        String value = from.get(name);
        if (value != null) {
            for (String n : names) {
                to.put(n, value);
            }
        }
    }

    private static String write(Path file, String content) {
        try {
            Files.deleteIfExists(file);
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(file, content);
            return file.toString();
        }
        catch (IOException e) {
            throw new DriverFailure("Could not write the kubeconfig: " + e.getMessage(), true);
        }
    }
}
