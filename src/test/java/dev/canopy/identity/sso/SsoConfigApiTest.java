package dev.canopy.identity.sso;

import static dev.canopy.identity.sso.OidcProviderFixture.CLIENT_ID;
import static dev.canopy.identity.sso.OidcProviderFixture.issuer;
import static dev.canopy.identity.sso.OidcProviderFixture.nextSignIn;
import static dev.canopy.support.Api.obj;
import static dev.canopy.support.ApiAssertions.assertEachRejected;
import static dev.canopy.support.ApiAssertions.assertProblem;
import static dev.canopy.support.ApiAssertions.errorFields;
import static dev.canopy.support.ApiAssertions.strings;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.jdbc.core.simple.JdbcClient;

import dev.canopy.platform.db.TenantTransactions;
import dev.canopy.support.Api;
import dev.canopy.support.ApiAssertions.BadInput;
import dev.canopy.support.ApiTest;
import dev.canopy.support.Fixtures;
import dev.canopy.support.Fixtures.Session;
import dev.canopy.support.Fixtures.TenantRef;
import dev.canopy.support.SecretLogCapture;
import tools.jackson.databind.JsonNode;

/** {@code /api/v1/tenants/{id}/sso/config}: presets, replace, delete, validate, permissions and bad input. */
@ExtendWith({ OutputCaptureExtension.class, SecretLogCapture.class })
class SsoConfigApiTest extends ApiTest {

    private static final Set<String> FIELDS = Set.of("tenant_id", "preset", "issuer", "client_id", "client_secret_set",
            "scopes", "groups_claim", "email_claim", "auth_mode", "auto_provisioning", "redirect_uri", "login_url",
            "created_at", "updated_at", "version");

    @Autowired
    private TenantTransactions scopes;

    @Autowired
    private JdbcClient jdbc;

    private static String config(UUID tenant) {
        return "/api/v1/tenants/" + tenant + "/sso/config";
    }

    private Api.Response put(String path, String token, Object body) {
        return api.send("PUT", path, token, body instanceof String s ? s : Api.json(body), Map.of());
    }

    @Test
    void presetsFillTheIssuerAndClaimsAndTheConfigurationIsReplacedAndDeleted() {
        TenantRef tenant = fixtures.tenant();
        Session admin = fixtures.userIn(tenant, "tenant_admin");

        Api.Response created = api.post(config(tenant.id()), admin.accessToken(), obj("preset", "entra_id",
                "directory", "contoso.onmicrosoft.com", "client_id", "11111111-2222-3333-4444-555555555555",
                "client_secret", "entra-secret-value", "auto_provisioning", obj("enabled", true,
                        "allowed_email_domains", List.of("@Contoso.com"), "group_role_mapping",
                        Map.of("0f6c0b5e-admins", "tenant_admin"))));

        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        assertThat(created.header("Location")).endsWith(config(tenant.id()));
        assertThat(created.header("Cache-Control")).contains("no-store");
        JsonNode json = created.json();
        assertThat(Set.copyOf(json.propertyNames())).isEqualTo(FIELDS);
        assertThat(json.path("issuer").asString())
                .isEqualTo("https://login.microsoftonline.com/contoso.onmicrosoft.com/v2.0");
        assertThat(json.path("preset").asString()).isEqualTo("entra_id");
        assertThat(json.path("groups_claim").asString()).isEqualTo("groups");
        assertThat(json.path("email_claim").asString()).isEqualTo("email");
        assertThat(strings(json.path("scopes"))).containsExactly("openid", "profile", "email");
        assertThat(json.path("auth_mode").asString()).isEqualTo("local");
        assertThat(json.path("client_secret_set").asBoolean()).isTrue();
        assertThat(json.path("redirect_uri").asString()).isEqualTo(api.base() + "/api/v1/auth/sso/callback");
        assertThat(json.path("login_url").asString()).isEqualTo(api.base() + "/api/v1/auth/sso/" + tenant.slug()
                + "/login");
        JsonNode rules = json.path("auto_provisioning");
        assertThat(rules.path("enabled").asBoolean()).isTrue();
        assertThat(rules.path("default_role").asString()).isEqualTo("viewer");
        assertThat(strings(rules.path("allowed_email_domains"))).containsExactly("contoso.com");
        assertThat(rules.path("group_role_mapping").path("0f6c0b5e-admins").asString()).isEqualTo("tenant_admin");
        assertThat(rules.path("sync_attributes_on_login").asBoolean()).isTrue();
        assertThat(json.path("version").asLong()).isZero();
        assertThat(api.get(config(tenant.id()), admin.accessToken()).json()).isEqualTo(json);

        assertProblem(api.post(config(tenant.id()), admin.accessToken(), obj("preset", "google", "client_id", "g",
                "client_secret", "x")), 409, "SSO_CONFIG_EXISTS");

        Api.Response noSecret = put(config(tenant.id()), admin.accessToken(), obj("preset", "keycloak", "issuer",
                "https://kc.example.com/realms/acme/", "client_id", "canopy", "version", 0));
        assertProblem(noSecret, 400, "VALIDATION_FAILED");
        assertThat(errorFields(noSecret)).containsExactly("client_secret");

        Api.Response keycloak = put(config(tenant.id()), admin.accessToken(), obj("preset", "keycloak", "issuer",
                "https://kc.example.com/realms/acme/", "client_id", "canopy", "client_secret", "kc-secret",
                "auth_mode", "both", "scopes", List.of("openid", "email"), "version", 0));
        assertThat(keycloak.status()).as(keycloak.toString()).isEqualTo(200);
        assertThat(keycloak.json().path("issuer").asString()).isEqualTo("https://kc.example.com/realms/acme");
        assertThat(keycloak.json().path("auth_mode").asString()).isEqualTo("both");
        assertThat(keycloak.json().path("version").asLong()).isEqualTo(1);
        assertThat(keycloak.json().path("auto_provisioning").path("enabled").asBoolean()).isFalse();

        assertProblem(put(config(tenant.id()), admin.accessToken(), obj("preset", "keycloak", "issuer",
                "https://kc.example.com/realms/acme", "client_id", "canopy", "version", 0)), 409, "VERSION_CONFLICT");

        Api.Response google = put(config(tenant.id()), admin.accessToken(), obj("preset", "google", "client_id",
                "123.apps.googleusercontent.com", "client_secret", "g-secret", "version", 1));
        assertThat(google.status()).as(google.toString()).isEqualTo(200);
        assertThat(google.json().path("issuer").asString()).isEqualTo("https://accounts.google.com");
        // the secret stays when a PUT leaves it out and the issuer does not change
        assertThat(put(config(tenant.id()), admin.accessToken(), obj("preset", "google", "client_id",
                "123.apps.googleusercontent.com", "version", 2)).status()).isEqualTo(200);

        assertThat(api.delete(config(tenant.id()), admin.accessToken()).status()).isEqualTo(204);
        assertProblem(api.get(config(tenant.id()), admin.accessToken()), 404, "SSO_NOT_CONFIGURED");
        assertProblem(api.delete(config(tenant.id()), admin.accessToken()), 404, "SSO_NOT_CONFIGURED");
    }

    @Test
    void badInputGetsAProblemWithAStableCode() {
        TenantRef tenant = fixtures.tenant();
        Session admin = fixtures.userIn(tenant, "tenant_admin");
        String path = config(tenant.id());
        var cases = new ArrayList<BadInput>();
        cases.add(new BadInput("{", "MALFORMED_JSON", List.of()));
        cases.add(new BadInput("[]", "INVALID_TYPE", List.of()));
        cases.add(new BadInput(json("client_id", "c", "client_secret", "s", "issuer", "https://i.example",
                "extra", 1), "UNKNOWN_FIELD", List.of("extra")));
        cases.add(new BadInput(json("client_id", 5, "client_secret", "s", "issuer", "https://i.example"),
                "INVALID_TYPE", List.of("client_id")));
        cases.add(new BadInput(json("client_id", "c", "client_secret", "s", "issuer", "https://i.example",
                "auto_provisioning", obj("enabled", "yes")), "INVALID_TYPE", List.of()));
        cases.add(new BadInput(json("client_id", "c", "client_secret", "s", "issuer", "https://i.example",
                "scopes", "openid"), "INVALID_TYPE", List.of()));
        cases.add(new BadInput(json("client_secret", "s", "issuer", "https://i.example"), "VALIDATION_FAILED",
                List.of("client_id")));
        cases.add(new BadInput(json("client_id", "c", "issuer", "https://i.example"), "VALIDATION_FAILED",
                List.of("client_secret")));
        cases.add(new BadInput(json("client_id", "c".repeat(256), "client_secret", "s".repeat(1025), "issuer",
                "https://i.example/" + "x".repeat(500)), "VALIDATION_FAILED",
                List.of("client_id", "client_secret", "issuer")));
        cases.add(new BadInput(json("client_id", "c", "client_secret", "s"), "VALIDATION_FAILED",
                List.of("issuer")));
        cases.add(new BadInput(json("client_id", "c", "client_secret", "s", "issuer", "ftp://i.example"),
                "VALIDATION_FAILED", List.of("issuer")));
        cases.add(new BadInput(json("client_id", "c", "client_secret", "s", "issuer", "https://i.example/?x=1"),
                "VALIDATION_FAILED", List.of("issuer")));
        cases.add(new BadInput(json("preset", "okta", "client_id", "c", "client_secret", "s", "issuer",
                "https://i.example"), "VALIDATION_FAILED", List.of("preset")));
        cases.add(new BadInput(json("preset", "entra_id", "client_id", "c", "client_secret", "s"),
                "VALIDATION_FAILED", List.of("directory")));
        cases.add(new BadInput(json("preset", "keycloak", "client_id", "c", "client_secret", "s", "issuer",
                "https://kc.example.com/auth"), "VALIDATION_FAILED", List.of("issuer")));
        cases.add(new BadInput(json("preset", "google", "client_id", "c", "client_secret", "s", "issuer",
                "https://evil.example"), "VALIDATION_FAILED", List.of("issuer")));
        cases.add(new BadInput(json("client_id", "c", "client_secret", "s", "issuer", "https://i.example",
                "scopes", List.of("email")), "VALIDATION_FAILED", List.of("scopes")));
        cases.add(new BadInput(json("client_id", "c", "client_secret", "s", "issuer", "https://i.example",
                "auth_mode", "sometimes"), "VALIDATION_FAILED", List.of("auth_mode")));
        cases.add(new BadInput(json("client_id", "c", "client_secret", "s", "issuer", "https://i.example",
                "auto_provisioning", obj("default_role", "platform_admin")), "VALIDATION_FAILED",
                List.of("auto_provisioning.default_role")));
        cases.add(new BadInput(json("client_id", "c", "client_secret", "s", "issuer", "https://i.example",
                "auto_provisioning", obj("group_role_mapping", Map.of("g", "owner"))), "VALIDATION_FAILED",
                List.of("auto_provisioning.group_role_mapping")));
        cases.add(new BadInput(json("client_id", "c", "client_secret", "s", "issuer", "https://i.example",
                "auto_provisioning", obj("allowed_email_domains", List.of("not a domain"))), "VALIDATION_FAILED",
                List.of("auto_provisioning.allowed_email_domains")));
        cases.add(new BadInput(json("client_id", "c", "client_secret", "s", "issuer", "https://i.example",
                "version", 3), "VALIDATION_FAILED", List.of("version")));
        assertEachRejected(body -> api.post(path, admin.accessToken(), body), cases);
        assertProblem(api.post(path, admin.accessToken(), json("client_id", "c", "client_secret", "s", "issuer",
                "https://i.example", "auto_provisioning", obj("allowed_groups", java.util.Collections.nCopies(101,
                        "g")))), 400, "VALIDATION_FAILED");
        assertProblem(api.get(path, admin.accessToken()), 404, "SSO_NOT_CONFIGURED");

        assertThat(api.post(path, admin.accessToken(), json("client_id", "c", "client_secret", "s", "issuer",
                "https://i.example")).status()).isEqualTo(201);
        assertProblem(put(path, admin.accessToken(), json("client_id", "c", "issuer", "https://i.example")), 400,
                "VALIDATION_FAILED");
        assertProblem(put(path, admin.accessToken(), json("client_id", "c", "issuer", "https://i.example",
                "version", "0")), 400, "INVALID_TYPE");
    }

    @Test
    void onlyThoseWhoManageTheTenantsSsoSeeIt() {
        TenantRef msp = fixtures.tenant();
        Session mspAdmin = fixtures.userIn(msp, "tenant_admin");
        TenantRef client = fixtures.tenant(mspAdmin, msp.id());
        TenantRef stranger = fixtures.tenant();
        Session strangerAdmin = fixtures.userIn(stranger, "tenant_admin");
        Session member = fixtures.userIn(client, "member");
        var body = obj("issuer", "https://idp.example.com", "client_id", "c", "client_secret", "s");

        // the MSP's administrator manages the client's SSO
        assertThat(api.post(config(client.id()), mspAdmin.accessToken(), body).status()).isEqualTo(201);
        assertThat(api.get(config(client.id()), mspAdmin.accessToken()).status()).isEqualTo(200);
        // a member of the client sees the tenant but may not manage its SSO
        assertProblem(api.get(config(client.id()), member.accessToken()), 403, "FORBIDDEN");
        assertProblem(put(config(client.id()), member.accessToken(), obj("issuer", "https://idp.example.com",
                "client_id", "c", "version", 0)), 403, "FORBIDDEN");
        // another tenant's administrator does not see the tenant at all
        for (Api.Response response : List.of(api.get(config(client.id()), strangerAdmin.accessToken()),
                api.post(config(client.id()), strangerAdmin.accessToken(), body),
                put(config(client.id()), strangerAdmin.accessToken(), obj("issuer", "https://idp.example.com",
                        "client_id", "c", "version", 0)),
                api.delete(config(client.id()), strangerAdmin.accessToken()),
                api.get(config(client.id()) + "/validate", strangerAdmin.accessToken()),
                api.get(config(UUID.randomUUID()), strangerAdmin.accessToken()))) {
            assertProblem(response, 404, "TENANT_NOT_FOUND");
        }
        assertThat(api.get(config(client.id()), mspAdmin.accessToken()).json().path("version").asLong()).isZero();
        assertProblem(api.get(config(client.id()), null), 401, "UNAUTHENTICATED");
    }

    @Test
    void validateFetchesDiscoveryAndKeysAndSaysWhatIsWrong() {
        TenantRef tenant = fixtures.tenant();
        Session admin = fixtures.userIn(tenant, "tenant_admin");
        String issuerId = Fixtures.unique("valid");
        assertThat(api.post(config(tenant.id()), admin.accessToken(), obj("issuer", issuer(issuerId), "client_id",
                CLIENT_ID, "client_secret", "s")).status()).isEqualTo(201);

        Api.Response valid = api.get(config(tenant.id()) + "/validate", admin.accessToken());

        assertThat(valid.status()).as(valid.toString()).isEqualTo(200);
        assertThat(valid.json().path("valid").asBoolean()).as(valid.toString()).isTrue();
        List<String> names = new ArrayList<>();
        valid.json().path("checks").forEach(c -> names.add(c.path("name").asString()));
        assertThat(names).contains("discovery", "jwks", "pkce", "client_authentication", "auth_mode");
        assertThat(valid.json().path("provider").path("token_endpoint").asString())
                .isEqualTo(issuer(issuerId) + "/token");

        TenantRef broken = fixtures.tenant();
        Session brokenAdmin = fixtures.userIn(broken, "tenant_admin");
        assertThat(api.post(config(broken.id()), brokenAdmin.accessToken(), obj("issuer",
                "http://127.0.0.1:9/nothing-here", "client_id", CLIENT_ID, "client_secret", "s")).status())
                .isEqualTo(201);
        Api.Response invalid = api.get(config(broken.id()) + "/validate", brokenAdmin.accessToken());
        assertThat(invalid.status()).as(invalid.toString()).isEqualTo(200);
        assertThat(invalid.json().path("valid").asBoolean()).isFalse();
        JsonNode discovery = invalid.json().path("checks").get(0);
        assertThat(discovery.path("name").asString()).isEqualTo("discovery");
        assertThat(discovery.path("ok").asBoolean()).isFalse();
        assertThat(discovery.path("detail").asString()).contains("could not be reached");
    }

    @Test
    void theClientSecretIsSealedAndNeverInAResponseALogLineOrTheAudit(CapturedOutput output) {
        TenantRef tenant = fixtures.tenant();
        Session admin = fixtures.userIn(tenant, "tenant_admin");
        String issuerId = Fixtures.unique("secret");
        String secret = "cs-" + UUID.randomUUID();
        String secondSecret = "cs2-" + UUID.randomUUID();
        var responses = new ArrayList<Api.Response>();

        var body = new LinkedHashMap<String, Object>(obj("issuer", issuer(issuerId), "client_id", CLIENT_ID,
                "client_secret", secret, "auth_mode", "both", "auto_provisioning", obj("enabled", true)));
        responses.add(api.post(config(tenant.id()), admin.accessToken(), body));
        responses.add(api.get(config(tenant.id()), admin.accessToken()));
        responses.add(api.get(config(tenant.id()) + "/validate", admin.accessToken()));
        body.put("client_secret", secondSecret);
        body.put("version", 0);
        responses.add(put(config(tenant.id()), admin.accessToken(), body));
        body.put("client_secret", "");
        responses.add(put(config(tenant.id()), admin.accessToken(), body));
        String email = Fixtures.unique("sec") + "@example.org";
        nextSignIn(issuerId, "sub-" + email, email, List.of());
        var browser = new SsoBrowser(api);
        responses.add(browser.start(tenant.slug(), null));
        responses.add(browser.callback(browser.authorize(responses.getLast())));
        responses.add(browser.tokens());

        assertThat(responses.get(0).status()).isEqualTo(201);
        assertThat(responses.get(3).status()).isEqualTo(200);
        assertThat(responses.getLast().status()).as("the login used the second secret").isEqualTo(200);
        for (Api.Response response : responses) {
            assertThat(response.text() + response.headers()).doesNotContain(secret).doesNotContain(secondSecret);
        }
        assertThat(output.getAll()).as("the application's log is captured").contains("provisioned at first SSO login")
                .doesNotContain(secret).doesNotContain(secondSecret);
        String audit = scopes.inTenant(tenant.id(), () -> jdbc.sql(
                "select coalesce(string_agg(action || ' ' || details::text, ' '), '') from audit_events where tenant_id = ?")
                .param(tenant.id()).query(String.class).single());
        assertThat(audit).contains("sso.config_created").doesNotContain(secret).doesNotContain(secondSecret);
        byte[] stored = scopes.inTenant(tenant.id(), () -> jdbc.sql(
                "select client_secret_sealed from sso_configs where tenant_id = ?").param(tenant.id())
                .query((rs, n) -> rs.getBytes(1)).single());
        assertThat(new String(stored, java.nio.charset.StandardCharsets.ISO_8859_1)).doesNotContain(secondSecret)
                .doesNotContain(secret);
    }

    @Test
    void rotatingTheTenantsDataKeyReEncryptsTheClientSecretAndLoginsGoOn() throws InterruptedException {
        TenantRef tenant = fixtures.tenant();
        String issuerId = Fixtures.unique("rotate");
        String admin = fixtures.platformAdmin().accessToken();
        assertThat(api.post(config(tenant.id()), admin, obj("issuer", issuer(issuerId), "client_id", CLIENT_ID,
                "client_secret", "rotated-" + issuerId, "auth_mode", "both", "auto_provisioning",
                obj("enabled", true))).status()).isEqualTo(201);
        byte[] before = sealed(tenant.id());

        Api.Response rotated = api.post("/api/v1/admin/keys/data-keys/" + tenant.id() + "/rotate", admin, null);
        assertThat(rotated.status()).as(rotated.toString()).isEqualTo(202);
        for (int i = 0; i < 100 && api.get("/api/v1/admin/keys/data-keys/" + tenant.id(), admin).json()
                .path("reencryption_finished_at").isNull(); i++) {
            Thread.sleep(100);
        }

        assertThat(sealed(tenant.id())).isNotEqualTo(before);
        String email = Fixtures.unique("rot") + "@example.org";
        nextSignIn(issuerId, "sub-" + email, email, List.of());
        var browser = new SsoBrowser(api);
        assertThat(browser.callback(browser.authorize(browser.start(tenant.slug(), null))).status()).isEqualTo(302);
        assertThat(browser.tokens().status()).isEqualTo(200);
    }

    private byte[] sealed(UUID tenantId) {
        return scopes.inTenant(tenantId, () -> jdbc.sql(
                "select client_secret_sealed from sso_configs where tenant_id = ?").param(tenantId)
                .query((rs, n) -> rs.getBytes(1)).single());
    }

    private static String json(Object... keysAndValues) {
        return Api.json(obj(keysAndValues));
    }
}
