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

import dev.canopy.platform.web.ApiException;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;

/**
 * Tests a cloud account's credentials against its provider. Each check has its own connect and request
 * timeouts; on top, the whole check runs on a virtual thread that is abandoned at the deadline
 * ({@code canopy.cloud.test-timeout}, at most 10 s), so no provider (or DNS lookup, or TLS handshake) can hold a
 * request longer. Every check connects only where the {@link AddressPolicy} allows.
 */
@Component
class ProviderChecks implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(ProviderChecks.class);

    /** The whole check, resolution included. */
    private final Duration deadline;
    /** Each connection and each answer: less than the deadline, so a slow provider is named as such. */
    private final Duration timeout;
    private final HttpChecks http;
    private final AwsCheck aws;
    private final TokenChecks tokens;
    private final KubernetesCheck kubernetes;
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();

    ProviderChecks(AddressPolicy addresses, @Value("${canopy.cloud.test-timeout:10s}") Duration timeout,
            @Value("${canopy.cloud.aws.sts-endpoint:}") String stsEndpoint,
            @Value("${canopy.cloud.aws.access-key-id:}") String platformAccessKey,
            @Value("${canopy.cloud.aws.secret-access-key:}") String platformSecretKey,
            @Value("${canopy.cloud.azure.login-endpoint:https://login.microsoftonline.com}") String azureLogin,
            @Value("${canopy.cloud.gcp.token-endpoint:https://oauth2.googleapis.com/token}") String gcpToken) {
        this.deadline = timeout.compareTo(Duration.ofSeconds(10)) > 0 ? Duration.ofSeconds(10) : timeout;
        this.timeout = deadline.multipliedBy(9).dividedBy(10);
        this.http = new HttpChecks(addresses, this.timeout);
        this.aws = new AwsCheck(http, stsEndpoint, new AwsCheck.PlatformCredentials(platformAccessKey,
                platformSecretKey));
        this.tokens = new TokenChecks(http, azureLogin, gcpToken);
        this.kubernetes = new KubernetesCheck(addresses, this.timeout);
    }

    /**
     * Runs the check; an address the policy refuses is a 422 {@code ADDRESS_NOT_ALLOWED} (the account was not
     * tested), a name that does not resolve a failed test.
     */
    CheckResult check(Provider provider, String authType, Map<String, String> settings,
            Map<String, Object> credentials) {
        Future<CheckResult> running = threads.submit(() -> switch (provider) {
            case AWS -> aws.check(settings, credentials, authType);
            case AZURE -> tokens.azure(credentials);
            case GCP -> tokens.gcp(credentials);
            case KUBERNETES -> kubernetes.check(settings, credentials, authType);
        });
        try {
            return running.get(deadline.toMillis(), TimeUnit.MILLISECONDS);
        }
        catch (TimeoutException e) {
            running.cancel(true);
            return CheckResult.failed("No answer from " + provider.key() + " within " + deadline.toSeconds() + " s");
        }
        catch (ExecutionException e) {
            if (e.getCause() instanceof AddressPolicy.AddressNotAllowed refused) {
                throw new ApiException(HttpStatus.UNPROCESSABLE_CONTENT, "ADDRESS_NOT_ALLOWED", refused.getMessage());
            }
            if (e.getCause() instanceof AddressPolicy.HostUnresolvable unresolvable) {
                return CheckResult.failed(unresolvable.getMessage());
            }
            log.warn("Testing a {} account failed unexpectedly: {}", provider.key(), e.getCause().getClass().getName());
            return CheckResult.failed("The check failed unexpectedly: " + e.getCause().getClass().getSimpleName());
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return CheckResult.failed("Interrupted");
        }
    }

    @Override
    public void destroy() {
        threads.shutdownNow();
        http.close();
    }
}
