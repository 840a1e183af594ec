package dev.canopy.identity.internal;

import static dev.canopy.support.Api.obj;
import static dev.canopy.support.ApiAssertions.assertProblem;
import static dev.canopy.support.ApiAssertions.errorFields;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.web.context.request.RequestContextHolder;
import org.springframework.web.context.request.ServletRequestAttributes;

import dev.canopy.audit.AuditTrail;
import dev.canopy.platform.db.TenantTransactions;
import dev.canopy.support.Api;
import dev.canopy.support.ApiTest;
import dev.canopy.support.AuditLog;
import dev.canopy.support.Fixtures;
import dev.canopy.support.Mailbox;

/**
 * Self-registration: off by default, so over HTTP it is refused. The flow itself runs through a
 * {@link SelfRegistration} switched on and built from the application's own beans (no second application
 * context), and the verification link it mails is then used over HTTP.
 */
class RegistrationApiTest extends ApiTest {

    private static final String REGISTER = "/api/v1/auth/register";
    private static final String VERIFY = "/api/v1/auth/verify-email";

    @Autowired
    private UserAccounts users;
    @Autowired
    private Registrations registrations;
    @Autowired
    private AccountTokens tokens;
    @Autowired
    private PasswordEncoder passwords;
    @Autowired
    private AccountMail mail;
    @Autowired
    private AuditTrail audit;
    @Autowired
    private TransactionTemplate transactions;
    @Autowired
    private TenantTransactions scopes;
    @Autowired
    private JdbcClient jdbc;

    private SelfRegistration enabled;

    @BeforeEach
    void switchedOn() {
        enabled = new SelfRegistration(true, users, registrations, tokens, passwords, mail, audit);
        // links are built from the request's base URL, as they would be within the API call
        var request = new MockHttpServletRequest();
        request.setServerPort(port);
        RequestContextHolder.setRequestAttributes(new ServletRequestAttributes(request));
    }

    @AfterEach
    void noRequest() {
        RequestContextHolder.resetRequestAttributes();
    }

    @Test
    void signingUpIsRefusedUnlessTheDeploymentAllowsIt() {
        String email = email();
        Api.Response refused = api.post(REGISTER, null, obj("email", email, "full_name", "Eager Person",
                "password", Fixtures.PASSWORD));

        assertProblem(refused, 403, "REGISTRATION_DISABLED");
        assertThat(users.findByEmail(email)).isEmpty();
        Session existing = existingMember();
        assertProblem(api.post(REGISTER, null, obj("email", existing.email(), "full_name", "Someone",
                "password", Fixtures.PASSWORD)), 403, "REGISTRATION_DISABLED");
        Mailbox.assertNoMoreThan(email, 0);
    }

    @Test
    void theToggleDecides() {
        var off = new SelfRegistration(false, users, registrations, tokens, passwords, mail, audit);
        assertThat(off.enabled()).isFalse();
        assertThat(org.assertj.core.api.Assertions.catchThrowableOfType(dev.canopy.platform.web.ApiException.class,
                off::requireEnabled).code()).isEqualTo("REGISTRATION_DISABLED");
        assertThat(enabled.enabled()).isTrue();
        enabled.requireEnabled();
    }

    @Test
    void aNewAccountIsActivatedByItsVerificationLinkAndHasNoTenantYet() {
        String email = email();
        register(email, "New Person", Fixtures.PASSWORD);

        UserAccount pending = users.findByEmail(email).orElseThrow();
        assertThat(pending.active()).isFalse();
        assertThat(pending.passwordHash()).isNull();
        assertProblem(login(email, Fixtures.PASSWORD), 401, "INVALID_CREDENTIALS");

        Mailbox.Mail message = Mailbox.awaitMessage(email, 1);
        assertThat(message.subject()).isEqualTo("Confirm your email address for Canopy");
        assertThat(message.link()).startsWith("http://localhost:" + port + "/verify-email?token=");
        String token = message.token();

        Api.Response verified = api.send("POST", VERIFY, null, Api.json(obj("token", token)),
                Map.of("X-Request-Id", "verify-" + pending.id()));
        assertThat(verified.status()).as(verified.toString()).isEqualTo(204);
        assertThat(users.findById(pending.id()).orElseThrow().active()).isTrue();
        assertProblem(login(email, Fixtures.PASSWORD), 403, "NO_TENANT");
        assertProblem(api.post(VERIFY, null, obj("token", token)), 400, "VERIFICATION_TOKEN_INVALID");

        assertThat(AuditLog.ofRequest(scopes, jdbc, AuditLog.PLATFORM, "verify-" + pending.id())).singleElement()
                .satisfies(e -> {
                    assertThat(e.action()).isEqualTo("auth.email_verified");
                    assertThat(e.actorEmail()).isEqualTo(email);
                    assertThat(e.details()).doesNotContain(token);
                });
    }

    @Test
    void signingUpFirstWithSomeoneElsesAddressGainsNothing() {
        String victim = email();
        register(victim, "Attacker", "first-come-passphrase-1");
        String attackersLink = Mailbox.awaitMessage(victim, 1).token();
        register(victim, "Real Owner", "second-comer-passphrase-2");
        String ownersLink = Mailbox.awaitMessage(victim, 2).token();

        assertThat(api.post(VERIFY, null, obj("token", ownersLink)).status()).isEqualTo(204);

        assertProblem(login(victim, "second-comer-passphrase-2"), 403, "NO_TENANT");
        assertProblem(login(victim, "first-come-passphrase-1"), 401, "INVALID_CREDENTIALS");
        assertProblem(api.post(VERIFY, null, obj("token", attackersLink)), 400, "VERIFICATION_TOKEN_INVALID");
        assertProblem(login(victim, "first-come-passphrase-1"), 401, "INVALID_CREDENTIALS");
    }

    @Test
    void signingUpWithAnAddressThatHasAnAccountTellsItsOwnerAndChangesNothing() {
        Session existing = existingMember();
        register(existing.email(), "Impostor", "borrowed-address-phrase-3");

        Mailbox.Mail notice = Mailbox.awaitMessage(existing.email(), 1);
        assertThat(notice.subject()).isEqualTo("Your Canopy account");
        assertThat(notice.text()).doesNotContain("token=");
        assertThat(login(existing.email(), Fixtures.PASSWORD).status()).isEqualTo(200);
        assertProblem(login(existing.email(), "borrowed-address-phrase-3"), 401, "INVALID_CREDENTIALS");
        assertThat(users.findById(existing.userId()).orElseThrow().fullName()).isNotEqualTo("Impostor");
    }

    @Test
    void anInvitationCompletesAPendingSignUp() {
        String email = email();
        register(email, "Invited Later", "the-sign-up-passphrase-4");
        var tenant = fixtures.tenant();
        var admin = fixtures.userIn(tenant, "tenant_admin");
        assertThat(api.post("/api/v1/invitations", admin.accessToken(), obj("email", email, "roles",
                List.of("member"))).status()).isEqualTo(201);
        String invitation = Mailbox.awaitMessage(email, 2).token();

        Api.Response accepted = api.post("/api/v1/invitations/" + invitation + "/accept", null,
                obj("password", "the-invitation-passphrase-5"));

        assertThat(accepted.status()).as(accepted.toString()).isEqualTo(200);
        assertThat(accepted.json().path("account_created").asBoolean()).isFalse();
        assertThat(fixtures.login(email, "the-invitation-passphrase-5", null).tenantId()).isEqualTo(tenant.id());
        assertProblem(api.post(VERIFY, null, obj("token", Mailbox.awaitMessage(email, 1).token())), 400,
                "VERIFICATION_TOKEN_INVALID");
    }

    @Test
    void verificationRejectsBadInputWithStableCodes() {
        record Case(String body, String code, List<String> fields) {
        }
        List<Case> cases = List.of(
                new Case("{\"token\": ", "MALFORMED_JSON", List.of()),
                new Case(Api.json(obj("token", "x", "email", "a@example.com")), "UNKNOWN_FIELD", List.of("email")),
                new Case(Api.json(obj("token", 5)), "INVALID_TYPE", List.of("token")),
                new Case("{}", "VALIDATION_FAILED", List.of("token")),
                new Case(Api.json(obj("token", "")), "VALIDATION_FAILED", List.of("token")),
                new Case(Api.json(obj("token", "t".repeat(201))), "VALIDATION_FAILED", List.of("token")),
                new Case(Api.json(obj("token", "no-such-token")), "VERIFICATION_TOKEN_INVALID", List.of()));
        for (Case c : cases) {
            Api.Response response = api.post(VERIFY, null, c.body());
            assertProblem(response, 400, c.code());
            assertThat(errorFields(response).stream().distinct()).as(c.body())
                    .containsExactlyInAnyOrderElementsOf(c.fields());
        }
        assertProblem(api.post(REGISTER, null, "{\"email\": \"x@example.com\""), 400, "MALFORMED_JSON");
        assertProblem(api.post(REGISTER, null, obj("email", email(), "full_name", "X", "password", Fixtures.PASSWORD,
                "is_platform_admin", true)), 400, "UNKNOWN_FIELD");
    }

    private record Session(java.util.UUID userId, String email) {
    }

    private Session existingMember() {
        var session = fixtures.userIn(fixtures.tenant(), "member");
        return new Session(session.userId(), session.email());
    }

    private void register(String email, String fullName, String password) {
        transactions.executeWithoutResult(status -> enabled.register(email, fullName, password));
    }

    private Api.Response login(String email, String password) {
        return api.post("/api/v1/auth/login", null, obj("email", email, "password", password));
    }

    private static String email() {
        return Fixtures.unique("signup") + "@example.com";
    }
}
