package dev.canopy.support;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Base of the integration tests: the whole application on a random port over one embedded PostgreSQL,
 * shared by every test class through Spring's context cache. Tests talk to it over real HTTP with
 * {@link Api} and build their world with {@link Fixtures}; data is never cleaned between tests, so
 * every fixture uses unique names.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "canopy.data-dir=target/test-data", "canopy.database.embedded-clean=true",
        "canopy.bootstrap.admin-email=" + ApiTest.ADMIN_EMAIL,
        "canopy.bootstrap.admin-password=" + ApiTest.ADMIN_PASSWORD,
        // the whole suite signs in from one address; per-IP throttling has its own test
        "canopy.auth.throttle.per-ip-per-minute=1000000",
        // the OIDC provider of the SSO tests runs in this JVM on plain http
        "canopy.sso.allow-http-issuers=true",
        // runs fail over, retry and cancel within seconds rather than minutes
        "canopy.jobs.lease=4s", "canopy.jobs.heartbeat=1s", "canopy.jobs.backoff-base=200ms",
        "canopy.jobs.cancel-grace=3s", "canopy.drivers.arm.poll-interval=200ms",
        // failed event deliveries are handed over again within seconds
        "canopy.events.resubmit-every=1s",
        // notification digests are mailed within seconds rather than ten minutes
        "canopy.notifications.mail-digest-interval=2s",
        // cloud account tests connect to local servers, which installations refuse by default
        "canopy.cloud.test.allowed-ranges=127.0.0.0/8,::1/128",
        // webhook tests deliver to local receivers over https with a test certificate, and give up within seconds
        "canopy.webhooks.allowed-ranges=127.0.0.0/8,::1/128",
        "canopy.webhooks.trusted-certificates=src/test/resources/webhooks/receiver.pem",
        "canopy.webhooks.retry-window=10s", "canopy.webhooks.backoff-base=200ms",
        "canopy.webhooks.poll-interval=200ms" })
public abstract class ApiTest {

    public static final String ADMIN_EMAIL = "admin@canopy.test";
    public static final String ADMIN_PASSWORD = "correct-horse-battery-staple-1";

    @LocalServerPort
    protected int port;

    protected Fixtures fixtures;

    protected Api api;

    /** Cloud account tests call providers' token endpoints; all of them point at one local server. */
    @DynamicPropertySource
    static void cloudProviders(DynamicPropertyRegistry registry) {
        CloudProviders providers = CloudProviders.instance();
        registry.add("canopy.cloud.aws.sts-endpoint", () -> providers.url("/sts/"));
        registry.add("canopy.cloud.azure.login-endpoint", () -> providers.url("/azure"));
        registry.add("canopy.cloud.gcp.token-endpoint", () -> providers.url("/google/token"));
        registry.add("canopy.drivers.arm.endpoint", () -> providers.url("/arm"));
    }

    @BeforeEach
    void connect() {
        api = new Api("http://localhost:" + port);
        fixtures = new Fixtures(api);
    }
}
