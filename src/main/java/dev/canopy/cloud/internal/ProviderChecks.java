package dev.canopy.cloud.internal;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * Tests a cloud account's credentials against its provider. Each check has its own connect and request
 * timeouts; on top, the whole check runs on a virtual thread that is abandoned after the timeout plus a second,
 * so no provider (or DNS lookup, or TLS handshake) can hold a request longer.
 */
@Component
class ProviderChecks {

    private static final Logger log = LoggerFactory.getLogger(ProviderChecks.class);

    private final Duration timeout;
    private final AwsCheck aws;
    private final TokenChecks tokens;
    private final KubernetesCheck kubernetes;
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();

    ProviderChecks(@Value("${canopy.cloud.test-timeout:10s}") Duration timeout,
            @Value("${canopy.cloud.aws.sts-endpoint:}") String stsEndpoint,
            @Value("${canopy.cloud.aws.access-key-id:}") String platformAccessKey,
            @Value("${canopy.cloud.aws.secret-access-key:}") String platformSecretKey,
            @Value("${canopy.cloud.azure.login-endpoint:https://login.microsoftonline.com}") String azureLogin,
            @Value("${canopy.cloud.gcp.token-endpoint:https://oauth2.googleapis.com/token}") String gcpToken) {
        this.timeout = timeout.compareTo(Duration.ofSeconds(10)) > 0 ? Duration.ofSeconds(10) : timeout;
        HttpChecks http = new HttpChecks(this.timeout);
        this.aws = new AwsCheck(http, stsEndpoint, new AwsCheck.PlatformCredentials(platformAccessKey,
                platformSecretKey));
        this.tokens = new TokenChecks(http, azureLogin, gcpToken);
        this.kubernetes = new KubernetesCheck(this.timeout);
    }

    CheckResult check(Provider provider, String authType, Map<String, String> settings,
            Map<String, Object> credentials) {
        Future<CheckResult> running = threads.submit(() -> switch (provider) {
            case AWS -> aws.check(settings, credentials, authType);
            case AZURE -> tokens.azure(credentials);
            case GCP -> tokens.gcp(credentials);
            case KUBERNETES -> kubernetes.check(settings, credentials, authType);
        });
        try {
            return running.get(timeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
        }
        catch (TimeoutException e) {
            running.cancel(true);
            return CheckResult.failed("No answer from " + provider.key() + " within " + timeout.toSeconds() + " s");
        }
        catch (ExecutionException e) {
            log.warn("Testing a {} account failed unexpectedly: {}", provider.key(), e.getCause().getClass().getName());
            return CheckResult.failed("The check failed unexpectedly: " + e.getCause().getClass().getSimpleName());
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return CheckResult.failed("Interrupted");
        }
    }
}
