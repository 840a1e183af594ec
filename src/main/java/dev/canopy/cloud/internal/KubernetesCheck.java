package dev.canopy.cloud.internal;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;

import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.VersionInfo;

/**
 * Kubernetes: the fabric8 client asks the API server for its version, then lists one item of the namespace
 * (or the namespaces), which needs the credentials to authenticate: a 401 fails, a 403 means they authenticate
 * but lack that right. No retries; the configuration never reads the server's own kubeconfig or environment.
 */
final class KubernetesCheck {

    private final Duration timeout;

    KubernetesCheck(Duration timeout) {
        this.timeout = timeout;
    }

    CheckResult check(Map<String, String> settings, Map<String, Object> credentials, String authType) {
        Config config = config(settings, credentials, authType);
        config.setConnectionTimeout((int) timeout.toMillis());
        config.setRequestTimeout((int) timeout.toMillis());
        config.setRequestRetryBackoffLimit(0);
        config.setUploadRequestTimeout((int) timeout.toMillis());
        String namespace = settings.get("namespace");
        try (KubernetesClient client = new KubernetesClientBuilder().withConfig(config).build()) {
            VersionInfo version = client.getKubernetesVersion();
            String server = "Kubernetes " + version.getGitVersion() + " at " + config.getMasterUrl();
            try {
                if (namespace != null) {
                    client.pods().inNamespace(namespace).list(new ListOptionsBuilder().withLimit(1L).build());
                    return CheckResult.ok(server + "; may list pods in namespace " + namespace);
                }
                client.namespaces().list(new ListOptionsBuilder().withLimit(1L).build());
                return CheckResult.ok(server + "; may list namespaces");
            }
            catch (KubernetesClientException e) {
                if (e.getCode() == 403) {
                    return CheckResult.ok(server + "; authenticated, but not allowed to list "
                            + (namespace == null ? "namespaces" : "pods in namespace " + namespace));
                }
                throw e;
            }
        }
        catch (KubernetesClientException e) {
            if (e.getCode() == 401) {
                return CheckResult.failed("The API server at " + config.getMasterUrl()
                        + " refused the credentials (HTTP 401)");
            }
            if (e.getCode() > 0) {
                return CheckResult.failed("The API server at " + config.getMasterUrl() + " answered HTTP " + e.getCode());
            }
            return CheckResult.failed("Cannot reach the API server at " + config.getMasterUrl() + ": "
                    + HttpChecks.describe(rootCause(e)));
        }
        catch (RuntimeException e) {
            return CheckResult.failed("Cannot reach the API server at " + config.getMasterUrl() + ": "
                    + HttpChecks.describe(rootCause(e)));
        }
    }

    private static Config config(Map<String, String> settings, Map<String, Object> credentials, String authType) {
        if ("kubeconfig".equals(authType)) {
            Config config = Config.fromKubeconfig((String) credentials.get("kubeconfig"));
            if (settings.get("api_server") != null) {
                config.setMasterUrl(settings.get("api_server"));
            }
            return config;
        }
        ConfigBuilder builder = new ConfigBuilder(Config.empty()).withMasterUrl(settings.get("api_server"))
                .withOauthToken((String) credentials.get("token"));
        if (credentials.get("ca_cert") instanceof String ca) {
            builder.withCaCertData(Base64.getEncoder().encodeToString(ca.getBytes(StandardCharsets.UTF_8)));
        }
        return builder.build();
    }

    private static Throwable rootCause(Throwable e) {
        Throwable cause = e;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        return cause;
    }
}
