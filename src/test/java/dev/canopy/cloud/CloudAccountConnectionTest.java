package dev.canopy.cloud;

import static dev.canopy.support.Api.obj;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

import dev.canopy.platform.db.TenantTransactions;
import dev.canopy.support.Api;
import dev.canopy.support.ApiTest;
import dev.canopy.support.SecretLogCapture;
import dev.canopy.support.AuditLog;
import dev.canopy.support.Fixtures;
import dev.canopy.support.Fixtures.Session;
import io.fabric8.kubernetes.api.model.NamespaceListBuilder;
import io.fabric8.kubernetes.api.model.PodListBuilder;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import tools.jackson.databind.JsonNode;

/**
 * {@code POST /api/v1/cloud-accounts/{id}/test} for real: Kubernetes through the fabric8 client against
 * kubernetes-server-mock, AWS STS, Microsoft Entra ID and Google token endpoints against a local server that
 * speaks their protocols and checks signatures, and unreachable or silent endpoints within the timeout.
 */
@Tag("full") // slow: left to the full build, -P full, which CI runs; the default build stays under 10 minutes
@ExtendWith(SecretLogCapture.class)
class CloudAccountConnectionTest extends ApiTest {

    private static final String ACCOUNTS = CloudAccountApiTest.ACCOUNTS;
    private static final String TOKEN = "eyJhbGciOiJSUzI1NiJ9.kubernetes-service-account-token.c2lnbmF0dXJlX3ZhbHVl";

    @Autowired
    JdbcClient jdbc;

    @Autowired
    TenantTransactions scopes;

    static String kubeconfig(String server, String userExtra) {
        return """
                apiVersion: v1
                kind: Config
                clusters:
                - name: test
                  cluster:
                    server: %s
                contexts:
                - name: test-context
                  context:
                    cluster: test
                    user: tester
                current-context: test-context
                users:
                - name: tester
                  user:
                    token: %s
                %s""".formatted(server, TOKEN, userExtra);
    }

    @Test
    void aKubernetesTokenIsCheckedAgainstTheApiServer() throws InterruptedException {
        KubernetesMockServer server = new KubernetesMockServer(false);
        server.init();
        try {
            server.expect().get().withPath("/api/v1/namespaces?limit=1")
                    .andReturn(200, new NamespaceListBuilder().build()).always();
            Session admin = fixtures.userIn(fixtures.tenant(), "tenant_admin");
            String id = create(admin, obj("name", "cluster", "provider", "kubernetes", "settings",
                    obj("api_server", server.url("/").replaceAll("/$", "")), "auth_type", "token", "credentials",
                    obj("token", TOKEN)));
            assertThat(api.get(ACCOUNTS + "/" + id, admin.accessToken()).json().path("credentials").path("hint")
                    .asString()).isEqualTo("token …ZQ==".replace("ZQ==", TOKEN.substring(TOKEN.length() - 4)));

            Api.Response tested = api.post(ACCOUNTS + "/" + id + "/test", admin.accessToken(), null);

            assertThat(tested.status()).as(tested.toString()).isEqualTo(200);
            assertThat(tested.json().path("ok").asBoolean()).as(tested.toString()).isTrue();
            assertThat(tested.json().path("detail").asString()).startsWith("Kubernetes ").contains("may list namespaces");
            assertThat(server.getLastRequest().getHeader("Authorization")).isEqualTo("Bearer " + TOKEN);
            assertThat(tested.text()).doesNotContain(TOKEN);
            JsonNode account = api.get(ACCOUNTS + "/" + id, admin.accessToken()).json();
            assertThat(account.path("last_test").path("ok").asBoolean()).isTrue();

            List<AuditLog.Event> events = AuditLog.ofRequest(scopes, jdbc, admin.tenantId(),
                    tested.header("X-Request-Id"));
            assertThat(events).extracting(AuditLog.Event::action).containsExactly("cloud_account.tested");
            assertThat(events.getFirst().details()).contains("\"decrypted\": \"credentials\"").doesNotContain(TOKEN);
        }
        finally {
            server.destroy();
        }
    }

    @Test
    void aKubeconfigIsCheckedAndARefusedTokenIsReported() {
        KubernetesMockServer server = new KubernetesMockServer(false);
        server.init();
        try {
            server.expect().get().withPath("/api/v1/namespaces/team-a/pods?limit=1")
                    .andReturn(200, new PodListBuilder().build()).always();
            server.expect().get().withPath("/api/v1/namespaces/team-b/pods?limit=1")
                    .andReturn(401, new StatusBuilder().withCode(401).withMessage("Unauthorized").build()).always();
            Session admin = fixtures.userIn(fixtures.tenant(), "tenant_admin");
            String url = server.url("/").replaceAll("/$", "");
            String good = create(admin, obj("name", "kubeconfig", "provider", "kubernetes", "settings",
                    obj("namespace", "team-a"), "auth_type", "kubeconfig", "credentials",
                    obj("kubeconfig", kubeconfig(url, ""))));
            assertThat(api.get(ACCOUNTS + "/" + good, admin.accessToken()).json().path("credentials").path("hint")
                    .asString()).isEqualTo("kubeconfig, context test-context");
            JsonNode ok = api.post(ACCOUNTS + "/" + good + "/test", admin.accessToken(), null).json();
            assertThat(ok.path("ok").asBoolean()).as(ok.toString()).isTrue();
            assertThat(ok.path("detail").asString()).contains("may list pods in namespace team-a");

            String refused = create(admin, obj("name", "refused", "provider", "kubernetes", "settings",
                    obj("api_server", url, "namespace", "team-b"), "auth_type", "token", "credentials",
                    obj("token", TOKEN)));
            JsonNode failed = api.post(ACCOUNTS + "/" + refused + "/test", admin.accessToken(), null).json();
            assertThat(failed.path("ok").asBoolean()).isFalse();
            assertThat(failed.path("detail").asString()).contains("refused the credentials (HTTP 401)");
        }
        finally {
            server.destroy();
        }
    }

    @Test
    void anUnreachableOrSilentApiServerGivesOkFalseWithinTheTimeout() throws IOException {
        Session admin = fixtures.userIn(fixtures.tenant(), "tenant_admin");
        String closed = create(admin, obj("name", "closed", "provider", "kubernetes", "settings",
                obj("api_server", "http://127.0.0.1:1"), "auth_type", "token", "credentials", obj("token", TOKEN)));
        Instant start = Instant.now();
        JsonNode refused = api.post(ACCOUNTS + "/" + closed + "/test", admin.accessToken(), null).json();
        assertThat(refused.path("ok").asBoolean()).isFalse();
        assertThat(refused.path("detail").asString()).startsWith("Cannot reach the API server at http://127.0.0.1:1");
        assertThat(Duration.between(start, Instant.now())).isLessThan(Duration.ofSeconds(5));

        // a server that accepts connections and never answers
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            List<Socket> held = new ArrayList<>();
            Thread acceptor = Thread.ofVirtual().start(() -> {
                try {
                    while (true) {
                        held.add(silent.accept());
                    }
                }
                catch (IOException closedNow) {
                    // the test is over
                }
            });
            String hanging = create(admin, obj("name", "silent", "provider", "kubernetes", "settings",
                    obj("api_server", "http://127.0.0.1:" + silent.getLocalPort()), "auth_type", "token",
                    "credentials", obj("token", TOKEN)));
            start = Instant.now();
            Api.Response answer = api.post(ACCOUNTS + "/" + hanging + "/test", admin.accessToken(), null);
            Duration took = Duration.between(start, Instant.now());
            assertThat(answer.json().path("ok").asBoolean()).as(answer.toString()).isFalse();
            assertThat(took).isLessThan(Duration.ofMillis(11_500));
            acceptor.interrupt();
        }
    }

    @Test
    void awsAccessKeysAreCheckedWithSignedGetCallerIdentity() {
        String accessKey = "AKIA" + randomUpper(16);
        String secret = randomBase64(40);
        providers().acceptAws(accessKey, secret);
        Session admin = fixtures.userIn(fixtures.tenant(), "tenant_admin");
        String good = create(admin, awsAccount("aws ok", accessKey, secret));
        String bad = create(admin, awsAccount("aws bad", accessKey, randomBase64(40)));
        String unknown = create(admin, awsAccount("aws unknown", "AKIA" + randomUpper(16), secret));

        JsonNode ok = api.post(ACCOUNTS + "/" + good + "/test", admin.accessToken(), null).json();
        assertThat(ok.path("ok").asBoolean()).as(ok.toString()).isTrue();
        assertThat(ok.path("detail").asString()).isEqualTo("Authenticated as arn:aws:iam::123456789012:user/canopy-test");
        JsonNode wrongSecret = api.post(ACCOUNTS + "/" + bad + "/test", admin.accessToken(), null).json();
        assertThat(wrongSecret.path("ok").asBoolean()).isFalse();
        assertThat(wrongSecret.path("detail").asString()).contains("HTTP 403, SignatureDoesNotMatch");
        JsonNode unknownKey = api.post(ACCOUNTS + "/" + unknown + "/test", admin.accessToken(), null).json();
        assertThat(unknownKey.path("detail").asString()).contains("InvalidClientTokenId");
        assertThat(wrongSecret.toString() + ok + unknownKey).doesNotContain(secret);

        String role = create(admin, obj("name", "aws role", "provider", "aws", "settings", obj("region", "us-east-1"),
                "auth_type", "role_arn", "credentials", obj("role_arn", "arn:aws:iam::123456789012:role/canopy")));
        JsonNode noPlatformKeys = api.post(ACCOUNTS + "/" + role + "/test", admin.accessToken(), null).json();
        assertThat(noPlatformKeys.path("ok").asBoolean()).isFalse();
        assertThat(noPlatformKeys.path("detail").asString()).contains("CANOPY_AWS_ACCESS_KEY_ID");
    }

    @Test
    void azureServicePrincipalsAreCheckedWithAClientCredentialsGrant() {
        String clientId = UUID.randomUUID().toString();
        String secret = "azure~" + randomBase64(30);
        providers().acceptAzure(clientId, secret);
        Session admin = fixtures.userIn(fixtures.tenant(), "tenant_admin");
        String good = create(admin, azureAccount("azure ok", clientId, secret));
        String bad = create(admin, azureAccount("azure bad", clientId, secret + "x"));

        JsonNode ok = api.post(ACCOUNTS + "/" + good + "/test", admin.accessToken(), null).json();
        assertThat(ok.path("ok").asBoolean()).as(ok.toString()).isTrue();
        assertThat(ok.path("detail").asString()).isEqualTo("Token issued to client " + clientId);
        JsonNode refused = api.post(ACCOUNTS + "/" + bad + "/test", admin.accessToken(), null).json();
        assertThat(refused.path("ok").asBoolean()).isFalse();
        assertThat(refused.path("detail").asString()).isEqualTo("Microsoft Entra ID refused the credentials "
                + "(HTTP 401, invalid_client): AADSTS7000215: Invalid client secret provided.");
        assertThat(api.get(ACCOUNTS + "/" + good, admin.accessToken()).json().path("credentials").path("hint")
                .asString()).isEqualTo("client " + clientId);
    }

    @Test
    void gcpServiceAccountsAreCheckedWithASignedJwtBearerGrant() throws NoSuchAlgorithmException {
        KeyPair key = rsa();
        KeyPair other = rsa();
        String email = Fixtures.unique("sa") + "@my-project.iam.gserviceaccount.com";
        providers().acceptGoogle(email, (RSAPublicKey) key.getPublic());
        Session admin = fixtures.userIn(fixtures.tenant(), "tenant_admin");
        String good = create(admin, gcpAccount("gcp ok", email, key));
        String bad = create(admin, gcpAccount("gcp bad", email, other));

        JsonNode ok = api.post(ACCOUNTS + "/" + good + "/test", admin.accessToken(), null).json();
        assertThat(ok.path("ok").asBoolean()).as(ok.toString()).isTrue();
        assertThat(ok.path("detail").asString()).isEqualTo("Token issued to " + email);
        JsonNode refused = api.post(ACCOUNTS + "/" + bad + "/test", admin.accessToken(), null).json();
        assertThat(refused.path("ok").asBoolean()).isFalse();
        assertThat(refused.path("detail").asString()).contains("invalid_grant").contains("Invalid JWT Signature");
        JsonNode shown = api.get(ACCOUNTS + "/" + good, admin.accessToken()).json();
        assertThat(shown.path("credentials").path("hint").asString()).isEqualTo("service account " + email);
        assertThat(shown.toString()).doesNotContain("PRIVATE KEY");
    }

    @Test
    void metadataPrivateAndLinkLocalAddressesAreRefusedUnlessAllowed() {
        // the tests allow only loopback (ApiTest); AddressPolicyTest covers loopback refused by default
        Session admin = fixtures.userIn(fixtures.tenant(), "tenant_admin");
        for (String server : List.of("http://169.254.169.254", "http://10.1.2.3:6443", "https://[fd00:ec2::254]",
                "http://192.168.0.10:8080", "http://[fe80::1]:6443", "http://0.0.0.0:6443")) {
            String id = create(admin, obj("name", "internal " + UUID.randomUUID(), "provider", "kubernetes",
                    "settings", obj("api_server", server), "auth_type", "token", "credentials", obj("token", TOKEN)));
            Api.Response refused = api.post(ACCOUNTS + "/" + id + "/test", admin.accessToken(), null);
            dev.canopy.support.ApiAssertions.assertProblem(refused, 422, "ADDRESS_NOT_ALLOWED");
            assertThat(refused.json().path("detail").asString()).as(server).contains("CANOPY_CLOUD_TEST_ALLOWED_RANGES");
            assertThat(api.get(ACCOUNTS + "/" + id, admin.accessToken()).json().path("last_test").isNull())
                    .as("not tested, so nothing recorded").isTrue();
            List<AuditLog.Event> events = AuditLog.ofRequest(scopes, jdbc, admin.tenantId(),
                    refused.header("X-Request-Id"));
            assertThat(events).extracting(AuditLog.Event::action).containsExactly("cloud_account.tested");
            assertThat(events.getFirst().details()).contains("ADDRESS_NOT_ALLOWED");
        }
        // a kubeconfig's server is checked as well
        String kubeconfig = create(admin, obj("name", "metadata kubeconfig", "provider", "kubernetes", "settings",
                obj(), "auth_type", "kubeconfig", "credentials",
                obj("kubeconfig", kubeconfig("http://169.254.169.254:80", ""))));
        dev.canopy.support.ApiAssertions.assertProblem(api.post(ACCOUNTS + "/" + kubeconfig + "/test",
                admin.accessToken(), null), 422, "ADDRESS_NOT_ALLOWED");
    }

    @Test
    void theCheckHoldsNoTransactionWhileItWaitsForTheProvider() throws IOException {
        List<Long> openDuringCheck = new java.util.concurrent.CopyOnWriteArrayList<>();
        com.sun.net.httpserver.HttpServer server = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            Instant arrived = Instant.now();
            try {
                Thread.sleep(300);
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            // transactions open since before the request came, and idle: what a waiting request would hold
            openDuringCheck.add(jdbc.sql("""
                    select count(*) from pg_stat_activity
                     where datname = current_database() and state like 'idle in transaction%'
                       and xact_start < ?
                    """).param(java.sql.Timestamp.from(arrived)).query(Long.class).single());
            byte[] body = "{\"kind\":\"Status\",\"code\":401}".getBytes();
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(401, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        try {
            Session admin = fixtures.userIn(fixtures.tenant(), "tenant_admin");
            String id = create(admin, obj("name", "slow", "provider", "kubernetes", "settings",
                    obj("api_server", "http://127.0.0.1:" + server.getAddress().getPort()), "auth_type", "token",
                    "credentials", obj("token", TOKEN)));
            JsonNode tested = api.post(ACCOUNTS + "/" + id + "/test", admin.accessToken(), null).json();
            assertThat(tested.path("ok").asBoolean()).as(tested.toString()).isFalse();
            assertThat(openDuringCheck).as("the server was called").isNotEmpty();
            assertThat(openDuringCheck).as("no transaction waits with the check").containsOnly(0L);
            // the result is recorded all the same, and so is the audit record
            assertThat(api.get(ACCOUNTS + "/" + id, admin.accessToken()).json().path("last_test").path("ok")
                    .asBoolean(true)).isFalse();
        }
        finally {
            server.stop(0);
        }
    }

    static Map<String, Object> awsAccount(String name, String accessKey, String secret) {
        return obj("name", name, "provider", "aws", "settings", obj("region", "eu-central-1"), "auth_type",
                "access_keys", "credentials", obj("access_key_id", accessKey, "secret_access_key", secret));
    }

    static Map<String, Object> azureAccount(String name, String clientId, String secret) {
        return obj("name", name, "provider", "azure", "settings", obj("subscription_id", UUID.randomUUID().toString()),
                "auth_type", "service_principal", "credentials", obj("tenant_id", UUID.randomUUID().toString(),
                        "client_id", clientId, "client_secret", secret));
    }

    static Map<String, Object> gcpAccount(String name, String email, KeyPair key) {
        return obj("name", name, "provider", "gcp", "settings", obj("project_id", "my-project"), "auth_type",
                "service_account_key", "credentials", obj("service_account_json", obj("type", "service_account",
                        "project_id", "my-project", "private_key_id", "k1", "private_key", pem(key), "client_email",
                        email, "client_id", "1234567890")));
    }

    static KeyPair rsa() throws NoSuchAlgorithmException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        return generator.generateKeyPair();
    }

    static String pem(KeyPair key) {
        return "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(key.getPrivate().getEncoded())
                + "\n-----END PRIVATE KEY-----\n";
    }

    private String create(Session admin, Map<String, Object> body) {
        Api.Response created = api.post(ACCOUNTS, admin.accessToken(), body);
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        return created.json().path("id").asString();
    }

    private static dev.canopy.support.CloudProviders providers() {
        return dev.canopy.support.CloudProviders.instance();
    }

    private static String randomUpper(int n) {
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        var random = new java.security.SecureRandom();
        var out = new StringBuilder();
        for (int i = 0; i < n; i++) {
            out.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return out.toString();
    }

    private static String randomBase64(int n) {
        byte[] bytes = new byte[n];
        new java.security.SecureRandom().nextBytes(bytes);
        return Base64.getEncoder().encodeToString(bytes).replace("=", "A").substring(0, n);
    }
}
