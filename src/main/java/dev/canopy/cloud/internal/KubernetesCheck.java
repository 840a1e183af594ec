package dev.canopy.cloud.internal;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.VersionInfo;
import io.fabric8.kubernetes.client.http.HttpClient;
import io.fabric8.kubernetes.client.vertx.VertxHttpClientBuilder;
import io.fabric8.kubernetes.client.vertx.VertxHttpClientFactory;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.dns.AddressResolverOptions;

/**
 * Kubernetes: the fabric8 client asks the API server for its version, then lists one item of the namespace
 * (or the namespaces), which needs the credentials to authenticate: a 401 fails, a 403 means they authenticate
 * but lack that right. No retries; the configuration never reads the server's own kubeconfig or environment.
 * <p>
 * The API server's host is resolved once by the {@link AddressPolicy}; the client runs on a Vert.x instance of
 * its own whose resolver knows that one name, as a hosts file would, so the connection goes to the checked
 * address while TLS still verifies the name. Redirects and proxies (a kubeconfig's {@code proxy-url}) are
 * ignored: either would send the request somewhere unchecked.
 */
final class KubernetesCheck {

    private final Duration timeout;
    private final AddressPolicy addresses;

    KubernetesCheck(AddressPolicy addresses, Duration timeout) {
        this.addresses = addresses;
        this.timeout = timeout;
    }

    CheckResult check(Map<String, String> settings, Map<String, Object> credentials, String authType) {
        Config config = config(settings, credentials, authType);
        config.setConnectionTimeout((int) timeout.toMillis());
        config.setRequestTimeout((int) timeout.toMillis());
        config.setRequestRetryBackoffLimit(0);
        config.setUploadRequestTimeout((int) timeout.toMillis());
        config.setHttpProxy(null);
        config.setHttpsProxy(null);
        AddressPolicy.Destination destination = addresses.resolve(URI.create(config.getMasterUrl()));
        Vertx vertx = pinned(destination);
        try {
            return check(config, settings.get("namespace"), new PinnedFactory(vertx));
        }
        finally {
            vertx.close().toCompletionStage().toCompletableFuture().completeOnTimeout(null, 1, TimeUnit.SECONDS);
        }
    }

    /** A Vert.x whose resolver answers the checked address for the host and knows no other name. */
    private static Vertx pinned(AddressPolicy.Destination destination) {
        if (Boolean.getBoolean("vertx.disableDnsResolver")) {
            // Vert.x would resolve through the JDK again, and the check could connect elsewhere
            throw new IllegalStateException("vertx.disableDnsResolver is set; Kubernetes checks need Vert.x's "
                    + "own resolver");
        }
        String hosts = destination.address().getHostAddress() + " " + destination.host() + "\n";
        return Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1)
                .setInternalBlockingPoolSize(1)
                .setAddressResolverOptions(new AddressResolverOptions().setHostsValue(Buffer.buffer(hosts))
                        .setHostsRefreshPeriod(0).setServers(java.util.List.of("127.0.0.1:9")).setMaxQueries(1)
                        .setQueryTimeout(500)));
    }

    /** fabric8's Vert.x client on the pinned instance, without following redirects. */
    private static final class PinnedFactory extends VertxHttpClientFactory {

        private final Vertx pinned;

        PinnedFactory(Vertx vertx) {
            super(vertx);
            this.pinned = vertx;
        }

        @Override
        public VertxHttpClientBuilder<VertxHttpClientFactory> newBuilder() {
            return new NoRedirects(this, pinned);
        }
    }

    private static final class NoRedirects extends VertxHttpClientBuilder<VertxHttpClientFactory> {

        private final Vertx pinned;

        NoRedirects(VertxHttpClientFactory factory, Vertx vertx) {
            super(factory, vertx);
            this.pinned = vertx;
        }

        @Override
        public VertxHttpClientBuilder<VertxHttpClientFactory> followAllRedirects() {
            return this;
        }

        @Override
        protected VertxHttpClientBuilder<VertxHttpClientFactory> newInstance(VertxHttpClientFactory factory) {
            return new NoRedirects(factory, pinned);
        }
    }

    private CheckResult check(Config config, String namespace, HttpClient.Factory factory) {
        try (KubernetesClient client = new KubernetesClientBuilder().withConfig(config).withHttpClientFactory(factory)
                .build()) {
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
