package dev.canopy.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;

/**
 * The log check of the secret-handling tests: runs after them (see {@link RunsLast}) and asserts that no secret
 * they used (credentials, TOTP secrets, passwords, tokens, sealed plaintexts) appears in anything logged while
 * they ran. Run alone, it first runs those test classes itself.
 */
@RunsLast.Last
class SecretsStayOutOfLogsTest {

    /** The test classes that handle secrets; each carries {@code @ExtendWith(SecretLogCapture.class)}. */
    static final List<String> SECRET_HANDLING = List.of("dev.canopy.secrets.SecretsTest",
            "dev.canopy.secrets.internal.KeyRotationTest", "dev.canopy.identity.MfaApiTest",
            "dev.canopy.cloud.CloudAccountApiTest",
            "dev.canopy.cloud.CloudAccountConnectionTest", "dev.canopy.identity.sso.SsoConfigApiTest",
            "dev.canopy.identity.sso.SsoLoginTest", "dev.canopy.catalog.TemplateInputsApiTest",
            "dev.canopy.provisioning.DeploymentsApiTest");

    @Test
    void noSecretOfTheSecretHandlingTestsIsLogged() throws ClassNotFoundException {
        runThoseNotRunYet();

        Set<String> secrets = SecretLogCapture.secrets();
        List<String> lines = SecretLogCapture.lines();
        assertThat(SecretLogCapture.capturedClasses()).containsAll(SECRET_HANDLING);
        assertThat(secrets).as("secrets seen by the tests").hasSizeGreaterThan(20);
        assertThat(lines).as("log lines captured").isNotEmpty();
        List<String> leaks = new ArrayList<>();
        for (String line : lines) {
            for (String secret : secrets) {
                if (line.contains(secret)) {
                    String masked = line.replace(secret, "[THE SECRET]");
                    leaks.add(masked.substring(0, Math.min(300, masked.length())));
                }
            }
        }
        assertThat(leaks).as("log lines containing a secret").isEmpty();
    }

    private static void runThoseNotRunYet() throws ClassNotFoundException {
        List<String> missing = SECRET_HANDLING.stream()
                .filter(c -> !SecretLogCapture.capturedClasses().contains(c)).toList();
        if (missing.isEmpty()) {
            return;
        }
        var request = LauncherDiscoveryRequestBuilder.request();
        for (String name : missing) {
            request.selectors(selectClass(Class.forName(name)));
        }
        LauncherDiscoveryRequest discovery = request.build();
        Launcher launcher = LauncherFactory.create();
        var summary = new SummaryGeneratingListener();
        launcher.execute(discovery, summary);
        assertThat(summary.getSummary().getTotalFailureCount()).as(summary.getSummary().getFailures().toString())
                .isZero();
    }
}
