package dev.canopy.catalog;

import static dev.canopy.catalog.TemplateCatalogApiTest.TEMPLATES;
import static dev.canopy.catalog.TemplateCatalogApiTest.create;
import static dev.canopy.catalog.TemplateCatalogApiTest.publish;
import static dev.canopy.support.Api.obj;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

import dev.canopy.platform.db.TenantTransactions;
import dev.canopy.platform.security.CanopyPrincipal;
import dev.canopy.platform.web.ApiException;
import dev.canopy.support.Api;
import dev.canopy.support.ApiTest;
import dev.canopy.support.AuditLog;
import dev.canopy.support.Fixtures.Session;
import dev.canopy.support.SecretLogCapture;
import dev.canopy.support.TemplateArchives;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/** Inputs checked against a version's JSON Schema 2020-12 on the server: conditionals, formats, defaults, secrets. */
@ExtendWith(SecretLogCapture.class)
class TemplateInputsApiTest extends ApiTest {

    static final String DB_PASSWORD = "s3cr3t-Value-Never-Shown";

    static final String INPUTS = """
            type: object
            required: [kind, owner_email]
            properties:
              kind: {type: string, enum: [vm, container]}
              owner_email: {type: string, format: email}
              name: {type: string, pattern: "^[a-z][a-z0-9-]{2,30}$"}
              replicas: {type: integer, minimum: 1, maximum: 10, default: 2}
              size: {type: string, enum: [small, large], default: small}
              db_password: {type: string, writeOnly: true, minLength: 30}
              api_token: {type: string, x-canopy-secret: true}
              tls: {type: boolean}
              certificate: {type: string}
              backup: {type: boolean}
            if:
              properties: {kind: {const: container}}
              required: [kind]
            then:
              required: [image]
              properties:
                image: {type: string, minLength: 1}
            else:
              required: [size]
            dependentRequired:
              tls: [certificate]
            dependentSchemas:
              backup:
                properties:
                  retention_days: {type: integer, minimum: 1}
                required: [retention_days]
            """;

    @Autowired
    TemplateCatalog catalog;

    @Autowired
    JdbcClient jdbc;

    @Autowired
    TenantTransactions scopes;

    @Test
    void inputsAreValidatedWithTheVersionsSchemaIncludingConditionalsAndSecretsNeverComeBack() {
        SecretLogCapture.secret(DB_PASSWORD);
        Session admin = fixtures.userIn(fixtures.tenant(), "tenant_admin");
        String id = create(api, admin, "Inputs " + UUID.randomUUID(), "kubernetes");
        assertThat(publish(api, admin, id, TemplateArchives.template("1.0.0", "kubernetes", INPUTS)).status())
                .isEqualTo(201);
        String validate = TEMPLATES + "/" + id + "/versions/1.0.0/validate";

        JsonNode ok = api.post(validate, admin.accessToken(), obj("inputs", obj("kind", "vm", "owner_email",
                "ops@example.com", "name", "web-1"))).json();
        assertThat(ok.path("valid").asBoolean()).as(ok.toString()).isTrue();
        assertThat(ok.path("errors").isEmpty()).isTrue();

        // if/then: a container needs an image
        assertThat(errors(api.post(validate, admin.accessToken(), obj("inputs", obj("kind", "container",
                "owner_email", "ops@example.com")))))
                .containsKey("/image");
        assertThat(valid(api.post(validate, admin.accessToken(), obj("inputs", obj("kind", "container",
                "owner_email", "ops@example.com", "image", "nginx:1.27"))))).isTrue();
        // enum, format, pattern, range, dependentRequired, dependentSchemas, required
        Map<String, String> many = errors(api.post(validate, admin.accessToken(), obj("inputs", obj("kind", "lxc",
                "owner_email", "not-an-address", "name", "Web_1", "replicas", 11, "tls", true, "backup", true))));
        assertThat(many).containsKeys("/kind", "/owner_email", "/name", "/replicas", "/certificate",
                "/retention_days");
        assertThat(errors(api.post(validate, admin.accessToken(), obj("inputs", obj())))).containsKeys("/kind",
                "/owner_email");

        // a secret's value is never echoed, not even in its error
        Api.Response secret = api.post(validate, admin.accessToken(), obj("inputs", obj("kind", "vm", "owner_email",
                "ops@example.com", "db_password", DB_PASSWORD, "api_token", 42)));
        assertThat(errors(secret)).containsKeys("/db_password", "/api_token");
        assertThat(secret.text()).doesNotContain(DB_PASSWORD);
        // validating changes nothing, so it is not recorded; a refused one is, without the inputs
        assertThat(AuditLog.ofRequest(scopes, jdbc, admin.tenantId(), secret.header("X-Request-Id"))).isEmpty();
        Api.Response missingVersion = api.post(TEMPLATES + "/" + id + "/versions/3.0.0/validate", admin.accessToken(),
                obj("inputs", obj("db_password", DB_PASSWORD)));
        assertThat(missingVersion.status()).isEqualTo(404);
        assertThat(AuditLog.ofRequest(scopes, jdbc, admin.tenantId(), missingVersion.header("X-Request-Id")))
                .singleElement().satisfies(e -> assertThat(e.details()).doesNotContain(DB_PASSWORD));
    }

    @Test
    void deployingGetsTheInputsWithDefaultsAppliedAndItsSecretsNamed() {
        TenantRefAndAdmin t = tenantWithTemplate(INPUTS);
        CanopyPrincipal principal = principal(t.admin());
        ProvisionableVersion version = catalog.provisionable(principal, t.templateId(), null);
        assertThat(version.version()).isEqualTo("1.0.0");
        ObjectNode inputs = (ObjectNode) JsonMapper.builder().build().valueToTree(Map.of("kind", "vm",
                "owner_email", "ops@example.com", "db_password", DB_PASSWORD + "-padded-to-thirty"));

        ValidatedInputs validated = catalog.validate(version, inputs);

        assertThat(validated.values().path("replicas").asInt()).isEqualTo(2);
        assertThat(validated.values().path("size").asString()).isEqualTo("small");
        assertThat(validated.secretPointers()).containsExactlyInAnyOrder("/db_password", "/api_token");
        assertThat(validated.masked().path("db_password").asString()).isEqualTo("********");
        assertThat(validated.toString()).doesNotContain(DB_PASSWORD);
        assertThat(inputs.has("replicas")).as("the caller's inputs are left as they were").isFalse();

        ApiException refused = catchThrowableOfType(ApiException.class, () -> catalog.validate(version,
                (ObjectNode) JsonMapper.builder().build().valueToTree(Map.of("kind", "container"))));
        assertThat(refused.code()).isEqualTo("INPUTS_INVALID");
        assertThat(refused.errors()).extracting(ApiException.FieldError::field)
                .contains("inputs.image", "inputs.owner_email");

        // a yanked version is not offered to new deployments, but stays readable by those that pinned it
        assertThat(api.post(TEMPLATES + "/" + t.templateId() + "/versions/1.0.0/yank", t.admin().accessToken(), null)
                .status()).isEqualTo(200);
        ApiException yanked = catchThrowableOfType(ApiException.class,
                () -> catalog.provisionable(principal, t.templateId(), "1.0.0"));
        assertThat(yanked.code()).isEqualTo("TEMPLATE_VERSION_YANKED");
        assertThat(catalog.archive(version)).isNotEmpty();
        assertThat(catchThrowableOfType(ApiException.class, () -> catalog.provisionable(principal, t.templateId(),
                null)).code()).isEqualTo("TEMPLATE_HAS_NO_VERSION");
    }

    record TenantRefAndAdmin(Session admin, UUID templateId) {
    }

    private TenantRefAndAdmin tenantWithTemplate(String inputs) {
        Session admin = fixtures.userIn(fixtures.tenant(), "tenant_admin");
        String id = create(api, admin, "Deployable " + UUID.randomUUID(), "kubernetes");
        assertThat(publish(api, admin, id, TemplateArchives.template("1.0.0", "kubernetes", inputs)).status())
                .isEqualTo(201);
        return new TenantRefAndAdmin(admin, UUID.fromString(id));
    }

    private static CanopyPrincipal principal(Session session) {
        return new CanopyPrincipal(session.userId(), session.email(), session.tenantId(), UUID.randomUUID(),
                java.util.Set.of("templates:list", "templates:read"), false);
    }

    private static boolean valid(Api.Response response) {
        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        return response.json().path("valid").asBoolean();
    }

    private static Map<String, String> errors(Api.Response response) {
        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        assertThat(response.json().path("valid").asBoolean()).as(response.toString()).isFalse();
        var errors = new java.util.LinkedHashMap<String, String>();
        response.json().path("errors").forEach(e -> errors.put(e.path("pointer").asString(),
                e.path("message").asString()));
        assertThat(errors.values()).allSatisfy(message -> assertThat(message).isNotBlank());
        return errors;
    }

}
