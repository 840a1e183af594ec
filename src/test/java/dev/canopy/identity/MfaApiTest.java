package dev.canopy.identity;

import static dev.canopy.support.Api.obj;
import static dev.canopy.support.ApiAssertions.assertProblem;
import static dev.canopy.support.ApiAssertions.errorFields;
import static dev.canopy.support.ApiAssertions.strings;
import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.stream.StreamSupport;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

import com.google.zxing.BinaryBitmap;
import com.google.zxing.RGBLuminanceSource;
import com.google.zxing.common.HybridBinarizer;
import com.google.zxing.qrcode.QRCodeReader;

import dev.canopy.audit.AuditRecord;
import dev.canopy.identity.internal.Totp;
import dev.canopy.platform.db.TenantTransactions;
import dev.canopy.secrets.SecretBinding;
import dev.canopy.secrets.Secrets;
import dev.canopy.support.Api;
import dev.canopy.support.ApiTest;
import dev.canopy.support.SecretLogCapture;
import dev.canopy.support.Fixtures;
import dev.canopy.support.Fixtures.Session;
import dev.canopy.support.Fixtures.TenantRef;
import tools.jackson.databind.JsonNode;

/**
 * TOTP multi-factor authentication over real HTTP: enrolment, confirmation with recovery codes, the
 * second login step, single-use codes and tokens, disabling, the tenant's requirement, bad input, and
 * that no secret ever reaches the audit log.
 */
@Tag("full") // slow (engines, second instances, long waits): left to the full build, -P full, which CI runs
@ExtendWith(SecretLogCapture.class)
class MfaApiTest extends ApiTest {

    private static final String ENROLL = "/api/v1/auth/mfa/totp/enroll";
    private static final String CONFIRM = "/api/v1/auth/mfa/totp/confirm";
    private static final String TOTP = "/api/v1/auth/mfa/totp";
    private static final String VERIFY = "/api/v1/auth/mfa/verify";
    private static final String RECOVERY_CODES = "/api/v1/auth/mfa/totp/recovery-codes";
    private static final String LOGIN = "/api/v1/auth/login";
    private static final String ME = "/api/v1/auth/me";
    private static final String COOKIE = "canopy_refresh";

    @Autowired
    private JdbcClient jdbc;

    @Autowired
    private TenantTransactions scopes;

    @Autowired
    private Secrets secrets;

    /** A user with TOTP on: its secret, recovery codes, and the step {@link #freshStep()} gave. */
    record Enrolled(Session session, String secret, List<String> recoveryCodes, long step) {

        String code(long offset) {
            return Totp.code(secret, step + offset);
        }

        /** A well-formed code valid at no step within the drift window. */
        String wrong() {
            Set<String> valid = Set.of(code(-1), code(0), code(1));
            return valid.contains("000000") ? valid.contains("111111") ? "222222" : "111111" : "000000";
        }
    }

    // ---------------------------------------------------------------- enrolment

    @Test
    void enrolmentGivesTheSecretItsUriAndAQrCodeOfTheUri() {
        Session session = member();

        Api.Response response = api.post(ENROLL, session.accessToken(), null);

        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        assertThat(response.headerValues("Cache-Control")).anySatisfy(v -> assertThat(v).contains("no-store"));
        JsonNode body = response.json();
        assertThat(Set.copyOf(body.propertyNames())).isEqualTo(Set.of("secret", "otpauth_uri", "qr_png"));
        String secret = body.path("secret").asString();
        assertThat(secret).matches("[A-Z2-7]{32}");
        String uri = "otpauth://totp/Canopy:" + session.email() + "?secret=" + secret
                + "&issuer=Canopy&algorithm=SHA1&digits=6&period=30";
        assertThat(body.path("otpauth_uri").asString()).isEqualTo(uri);
        assertThat(decodeQr(Base64.getDecoder().decode(body.path("qr_png").asString()))).isEqualTo(uri);

        // pending until confirmed: login and the profile are unchanged
        assertThat(me(session).path("mfa_enabled").asBoolean()).isFalse();
        assertThat(login(session.email(), null).json().has("access_token")).isTrue();
    }

    @Test
    void reEnrollingBeforeConfirmationReplacesThePendingSecret() {
        Session session = member();
        String first = enroll(session);
        String second = enroll(session);
        assertThat(second).isNotEqualTo(first);
        long step = freshStep();

        assertProblem(confirm(session, Totp.code(first, step)), 400, "MFA_CODE_INVALID");
        Api.Response confirmed = confirm(session, Totp.code(second, step));

        assertThat(confirmed.status()).as(confirmed.toString()).isEqualTo(200);
    }

    @Test
    void confirmingActivatesMfaAndGivesTenOneTimeRecoveryCodes() {
        Session session = member();
        String secret = enroll(session);
        long step = freshStep();

        Api.Response response = confirm(session, Totp.code(secret, step));

        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        assertThat(response.headerValues("Cache-Control")).anySatisfy(v -> assertThat(v).contains("no-store"));
        List<String> codes = strings(response.json().path("recovery_codes"));
        assertThat(codes).hasSize(10).doesNotHaveDuplicates()
                .allMatch(c -> c.matches("[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}"));
        assertThat(me(session).path("mfa_enabled").asBoolean()).isTrue();
        // stored as SHA-256 hashes only, and the secret in its column
        List<byte[]> stored = jdbc.sql("select code_hash from platform.mfa_recovery_codes where user_id = ?")
                .param(session.userId()).query(byte[].class).list();
        assertThat(stored).hasSize(10).allMatch(h -> h.length == 32);
        assertThat(stored.stream().map(Base64.getEncoder()::encodeToString))
                .containsExactlyInAnyOrderElementsOf(codes.stream()
                        .map(c -> Base64.getEncoder().encodeToString(sha256(c.replace("-", "")))).toList());
        // sealed only: the clear column is gone (platform V13)
        var row = jdbc.sql("select * from platform.totp_credentials where user_id = ?")
                .param(session.userId()).query().singleRow();
        assertThat(row).doesNotContainKey("totp_secret");
        assertThat(secrets.openText(SecretBinding.platform("platform.totp_credentials", session.userId().toString()),
                (byte[]) row.get("sealed_secret"))).isEqualTo(secret);

        assertProblem(api.post(ENROLL, session.accessToken(), null), 409, "MFA_ALREADY_ACTIVE");
        assertProblem(confirm(session, Totp.code(secret, step + 1)), 409, "MFA_ALREADY_ACTIVE");
    }

    @Test
    void confirmingWithAWrongCodeOrWithoutEnrolmentIsRefused() {
        Session session = member();
        assertProblem(confirm(session, "123456"), 409, "MFA_NOT_ENROLLED");

        String secret = enroll(session);
        long step = freshStep();
        assertProblem(confirm(session, Totp.code(secret, step + 3)), 400, "MFA_CODE_INVALID");
        assertProblem(confirm(session, Totp.code(secret, step - 3)), 400, "MFA_CODE_INVALID");
        assertThat(me(session).path("mfa_enabled").asBoolean()).isFalse();
        assertThat(confirm(session, Totp.code(secret, step)).status()).isEqualTo(200);
    }

    // ---------------------------------------------------------------- login with MFA

    @Test
    void loginWithMfaNeedsACodeAndThenSignsInLikeAPasswordLogin() {
        TenantRef first = fixtures.tenant();
        TenantRef second = fixtures.tenant();
        Session session = fixtures.userIn(first, "member");
        fixtures.addUser(second, session.email(), "viewer");
        Enrolled mfa = enrolled(session);

        Api.Response challenged = login(session.email(), second.id());

        assertThat(challenged.status()).as(challenged.toString()).isEqualTo(200);
        JsonNode body = challenged.json();
        assertThat(Set.copyOf(body.propertyNames())).isEqualTo(Set.of("mfa_required", "mfa_token", "expires_in"));
        assertThat(body.path("mfa_required").asBoolean()).isTrue();
        assertThat(body.path("expires_in").asLong()).isEqualTo(300);
        String token = body.path("mfa_token").asString();
        assertThat(token).hasSizeGreaterThanOrEqualTo(43);
        assertThat(challenged.headerValues("Set-Cookie")).isEmpty();
        assertThat(challenged.headerValues("Cache-Control")).anySatisfy(v -> assertThat(v).contains("no-store"));

        Api.Response verified = verify(token, mfa.code(1));

        assertThat(verified.status()).as(verified.toString()).isEqualTo(200);
        JsonNode signedIn = verified.json();
        assertThat(signedIn.path("token_type").asString()).isEqualTo("Bearer");
        assertThat(signedIn.path("expires_in").asLong()).isEqualTo(900);
        assertThat(signedIn.path("user").path("email").asString()).isEqualTo(session.email());
        assertThat(signedIn.path("tenant").path("id").asString()).as("the tenant chosen at login")
                .isEqualTo(second.id().toString());
        assertThat(signedIn.path("mfa_enrollment_required").asBoolean()).isFalse();
        assertThat(verified.headerValues("Set-Cookie")).anySatisfy(c -> assertThat(c)
                .startsWith(COOKIE + "=" + signedIn.path("refresh_token").asString()).containsIgnoringCase("HttpOnly"));
        assertThat(verified.headerValues("Cache-Control")).anySatisfy(v -> assertThat(v).contains("no-store"));
        Session mfaSession = Fixtures.session(signedIn, session.email());
        assertThat(me(mfaSession).path("mfa_enabled").asBoolean()).isTrue();
        assertThat(currentSession(mfaSession).path("mfa").asString()).isEqualTo("totp");
        assertThat(api.post("/api/v1/auth/refresh", null, obj("refresh_token", mfaSession.refreshToken())).status())
                .isEqualTo(200);

        // the token is single use, and the session keeps its MFA level across a tenant switch
        assertProblem(verify(token, mfa.code(0)), 401, "MFA_TOKEN_INVALID");
        Session switched = fixtures.switchTo(mfaSession, first.id());
        assertThat(currentSession(switched).path("mfa").asString()).isEqualTo("totp");
        // a password-only session says so
        assertThat(currentSession(session).path("mfa").isNull()).isTrue();
    }

    @Test
    void aCodeWorksOnceEvenWithinItsWindow() {
        Enrolled mfa = enrolled(member());

        assertThat(verify(challenge(mfa), mfa.code(0)).status()).isEqualTo(200);

        String token = challenge(mfa);
        assertProblem(verify(token, mfa.code(0)), 400, "MFA_CODE_INVALID");
        assertProblem(verify(token, mfa.code(-1)), 400, "MFA_CODE_INVALID"); // spent at confirmation
        Api.Response later = verify(token, mfa.code(1));
        assertThat(later.status()).as("the next step still works with the same token").isEqualTo(200);
    }

    @Test
    void twoRequestsRacingWithOneCodeCannotBothSignIn() {
        Enrolled mfa = enrolled(member());
        String first = challenge(mfa);
        String second = challenge(mfa);

        var a = CompletableFuture.supplyAsync(() -> verify(first, mfa.code(1)));
        var b = CompletableFuture.supplyAsync(() -> verify(second, mfa.code(1)));

        List<Integer> statuses = List.of(a.join().status(), b.join().status());
        assertThat(statuses).containsExactlyInAnyOrder(200, 400);
    }

    @Test
    void aRecoveryCodeCompletesOneLoginOnly() {
        Enrolled mfa = enrolled(member());
        String code = mfa.recoveryCodes().get(0);

        Api.Response used = verifyRecovery(challenge(mfa), code);

        assertThat(used.status()).as(used.toString()).isEqualTo(200);
        Session session = Fixtures.session(used.json(), mfa.session().email());
        assertThat(currentSession(session).path("mfa").asString()).isEqualTo("recovery_code");
        assertProblem(verifyRecovery(challenge(mfa), code), 400, "MFA_CODE_INVALID");
        // typed loosely: upper case, without dashes, with spaces
        String loose = " " + mfa.recoveryCodes().get(1).replace("-", "").toUpperCase(Locale.ROOT) + " ";
        assertThat(verifyRecovery(challenge(mfa), loose).status()).isEqualTo(200);
        assertProblem(verifyRecovery(challenge(mfa), "aaaa-bbbb-cccc-dddd"), 400, "MFA_CODE_INVALID");
        assertProblem(verifyRecovery(challenge(mfa), "not a recovery code"), 400, "MFA_CODE_INVALID");
    }

    @Test
    void fiveWrongCodesSpendTheToken() {
        Enrolled mfa = enrolled(member());
        String token = challenge(mfa);

        for (int i = 0; i < 4; i++) {
            assertProblem(verify(token, mfa.wrong()), 400, "MFA_CODE_INVALID");
        }
        Api.Response last = verifyRecovery(token, "aaaa-bbbb-cccc-dddd");
        assertProblem(last, 400, "MFA_CODE_INVALID");
        assertThat(last.json().path("detail").asString()).contains("No tries are left");

        assertProblem(verify(token, mfa.code(1)), 401, "MFA_TOKEN_INVALID");
        assertThat(verify(challenge(mfa), mfa.code(1)).status()).as("a new login starts afresh").isEqualTo(200);
    }

    @Test
    void tenWrongCodesAcrossLoginsLockTheAccountsSecondStep() {
        Enrolled mfa = enrolled(member());

        for (int login = 0; login < 2; login++) {
            String token = challenge(mfa);
            for (int i = 0; i < 5; i++) {
                assertProblem(verify(token, mfa.wrong()), 400, "MFA_CODE_INVALID");
            }
        }
        Api.Response locked = verify(challenge(mfa), mfa.code(1));

        assertProblem(locked, 429, "TOO_MANY_REQUESTS");
        assertThat(Integer.parseInt(locked.header("Retry-After"))).isPositive();
    }

    @Test
    void unknownExpiredAndForeignTokensAreRefused() {
        Enrolled mfa = enrolled(member());
        assertProblem(verify("no-such-token-" + UUID.randomUUID(), mfa.code(1)), 401, "MFA_TOKEN_INVALID");

        String expiring = challenge(mfa);
        Map<String, Object> row = jdbc.sql("""
                select user_id, tenant_id, extract(epoch from expires_at - created_at)::int as lifetime
                  from platform.mfa_challenges where token_hash = ?
                """).param(sha256(expiring)).query().singleRow();
        assertThat(row.get("user_id")).as("stored by its SHA-256 only").isEqualTo(mfa.session().userId());
        assertThat(row.get("tenant_id")).isEqualTo(mfa.session().tenantId());
        assertThat((Integer) row.get("lifetime")).isBetween(299, 302);
        jdbc.sql("update platform.mfa_challenges set expires_at = now() - interval '1 second' where token_hash = ?")
                .param(sha256(expiring)).update();
        assertProblem(verify(expiring, mfa.code(1)), 401, "MFA_TOKEN_INVALID");

        // bound to the client that logged in: another user agent spends it
        Api.Response challenged = api.send("POST", LOGIN, null, Api.json(obj("email", mfa.session().email(),
                "password", Fixtures.PASSWORD)), Map.of("User-Agent", "first-client/1.0"));
        String bound = challenged.json().path("mfa_token").asString();
        Api.Response elsewhere = api.send("POST", VERIFY, null, Api.json(obj("mfa_token", bound, "code",
                mfa.code(1))), Map.of("User-Agent", "another-client/1.0"));
        assertProblem(elsewhere, 401, "MFA_TOKEN_INVALID");
        Api.Response back = api.send("POST", VERIFY, null, Api.json(obj("mfa_token", bound, "code", mfa.code(1))),
                Map.of("User-Agent", "first-client/1.0"));
        assertProblem(back, 401, "MFA_TOKEN_INVALID");

        // an MFA token is no access token
        assertProblem(api.get(ME, bound), 401, "TOKEN_INVALID");
    }

    // ---------------------------------------------------------------- disabling

    @Test
    void disablingNeedsACurrentCodeAndRemovesTheRecoveryCodes() {
        Enrolled mfa = enrolled(member());
        Session session = mfa.session();

        assertProblem(disable(session, mfa.wrong()), 400, "MFA_CODE_INVALID");
        assertThat(me(session).path("mfa_enabled").asBoolean()).isTrue();

        Api.Response disabled = disable(session, mfa.code(1));

        assertThat(disabled.status()).as(disabled.toString()).isEqualTo(204);
        assertThat(me(session).path("mfa_enabled").asBoolean()).isFalse();
        assertThat(login(session.email(), null).json().has("access_token")).as("password only again").isTrue();
        assertThat(jdbc.sql("select count(*) from platform.mfa_recovery_codes where user_id = ?")
                .param(session.userId()).query(Long.class).single()).isZero();
        assertThat(jdbc.sql("select count(*) from platform.totp_credentials where user_id = ?")
                .param(session.userId()).query(Long.class).single()).isZero();
        assertProblem(disable(session, mfa.code(1)), 409, "MFA_NOT_ACTIVE");
        assertThat(api.post(ENROLL, session.accessToken(), null).status()).as("enrol again").isEqualTo(200);
        assertProblem(disable(session, "123456"), 409, "MFA_NOT_ACTIVE");
    }

    @Test
    void wrongCodesForDisablingCountAgainstTheAccountLikeSignInCodes() {
        Enrolled mfa = enrolled(member());
        Session session = mfa.session();

        for (int i = 0; i < 10; i++) {
            assertProblem(disable(session, mfa.wrong()), 400, "MFA_CODE_INVALID");
        }
        Api.Response locked = disable(session, mfa.code(1));

        assertProblem(locked, 429, "TOO_MANY_REQUESTS");
        assertThat(Integer.parseInt(locked.header("Retry-After"))).isPositive();
        assertThat(me(session).path("mfa_enabled").asBoolean()).as("still on").isTrue();
        assertProblem(regenerate(session, mfa.code(1)), 429, "TOO_MANY_REQUESTS");
        assertProblem(verify(challenge(mfa), mfa.code(1)), 429, "TOO_MANY_REQUESTS");
    }

    // ---------------------------------------------------------------- new recovery codes

    @Test
    void newRecoveryCodesReplaceTheOldOnesGivenACurrentCode() {
        Enrolled mfa = enrolled(member());
        Session session = mfa.session();
        assertProblem(regenerate(session, mfa.wrong()), 400, "MFA_CODE_INVALID");

        Api.Response renewed = regenerate(session, mfa.code(0));

        assertThat(renewed.status()).as(renewed.toString()).isEqualTo(200);
        assertThat(renewed.headerValues("Cache-Control")).anySatisfy(v -> assertThat(v).contains("no-store"));
        List<String> fresh = strings(renewed.json().path("recovery_codes"));
        assertThat(fresh).hasSize(10).doesNotHaveDuplicates().doesNotContainAnyElementsOf(mfa.recoveryCodes());
        assertProblem(regenerate(session, mfa.code(0)), 400, "MFA_CODE_INVALID"); // that code is spent
        assertProblem(verifyRecovery(challenge(mfa), mfa.recoveryCodes().get(0)), 400, "MFA_CODE_INVALID");
        assertThat(verifyRecovery(challenge(mfa), fresh.get(0)).status()).isEqualTo(200);
        assertThat(jdbc.sql("select count(*) from platform.mfa_recovery_codes where user_id = ? and used_at is null")
                .param(session.userId()).query(Long.class).single()).isEqualTo(9);

        Session without = member();
        assertProblem(regenerate(without, "123456"), 409, "MFA_NOT_ACTIVE");
    }

    // ---------------------------------------------------------------- the tenant's requirement

    @Test
    void aTenantRequiringMfaTellsMembersWithoutItToEnrol() {
        TenantRef tenant = fixtures.tenant();
        Session admin = fixtures.userIn(tenant, "tenant_admin");
        Session member = fixtures.userIn(tenant, "member");
        assertThat(tenant.json().path("settings").path("mfa_required").asBoolean()).isFalse();
        assertThat(ok(login(member.email(), null)).path("mfa_enrollment_required").asBoolean()).isFalse();

        assertProblem(api.patch("/api/v1/tenants/" + tenant.id(), member.accessToken(),
                obj("settings", obj("mfa_required", true), "version", 0)), 403, "FORBIDDEN");
        Api.Response required = api.patch("/api/v1/tenants/" + tenant.id(), admin.accessToken(),
                obj("settings", obj("mfa_required", true), "version", tenant.json().path("version").asLong()));

        assertThat(required.status()).as(required.toString()).isEqualTo(200);
        assertThat(required.json().path("settings").path("mfa_required").asBoolean()).isTrue();
        assertThat(required.json().path("name").asString()).isEqualTo(tenant.json().path("name").asString());
        assertThat(api.get("/api/v1/tenants/" + tenant.id(), member.accessToken()).json().path("settings")
                .path("mfa_required").asBoolean()).isTrue();

        // told, not blocked: tokens are issued and other endpoints work
        Api.Response login = login(member.email(), null);
        assertThat(login.status()).as(login.toString()).isEqualTo(200);
        assertThat(login.json().path("mfa_enrollment_required").asBoolean()).isTrue();
        Session told = Fixtures.session(login.json(), member.email());
        assertThat(me(told).path("mfa_enrollment_required").asBoolean()).isTrue();
        assertThat(me(member).path("mfa_enrollment_required").asBoolean()).as("older sessions too").isTrue();
        assertThat(api.get("/api/v1/tenants/" + tenant.id(), told.accessToken()).status()).isEqualTo(200);

        // enrolled: no longer told
        Enrolled mfa = enrolled(told);
        assertThat(me(told).path("mfa_enrollment_required").asBoolean()).isFalse();
        Api.Response verified = verify(challenge(mfa), mfa.code(1));
        assertThat(verified.json().path("mfa_enrollment_required").asBoolean()).isFalse();

        // lifted: nobody is told
        Api.Response lifted = api.patch("/api/v1/tenants/" + tenant.id(), admin.accessToken(),
                obj("settings", obj("mfa_required", false), "version", required.json().path("version").asLong()));
        assertThat(lifted.status()).as(lifted.toString()).isEqualTo(200);
        assertThat(lifted.json().path("settings").path("mfa_required").asBoolean()).isFalse();
        assertThat(me(admin).path("mfa_enrollment_required").asBoolean()).isFalse();

        // other changes leave the setting alone
        Api.Response renamed = api.patch("/api/v1/tenants/" + tenant.id(), admin.accessToken(),
                obj("name", "Renamed", "settings", obj(), "version", lifted.json().path("version").asLong()));
        assertThat(renamed.status()).as(renamed.toString()).isEqualTo(200);
        assertThat(renamed.json().path("settings").path("mfa_required").asBoolean()).isFalse();
    }

    @Test
    void badTenantSettingsAreClearProblems() {
        TenantRef tenant = fixtures.tenant();
        Session admin = fixtures.userIn(tenant, "tenant_admin");
        String path = "/api/v1/tenants/" + tenant.id();
        long version = tenant.json().path("version").asLong();

        Api.Response wrongType = api.patch(path, admin.accessToken(),
                obj("settings", obj("mfa_required", "yes"), "version", version));
        assertProblem(wrongType, 400, "INVALID_TYPE");
        assertThat(errorFields(wrongType)).containsExactly("settings.mfa_required");
        assertProblem(api.patch(path, admin.accessToken(), obj("settings", obj("mfa_required", 1), "version", version)),
                400, "INVALID_TYPE");
        assertProblem(api.patch(path, admin.accessToken(), obj("settings", true, "version", version)), 400,
                "INVALID_TYPE");
        Api.Response unknown = api.patch(path, admin.accessToken(),
                obj("settings", obj("mfa_enforced", true), "version", version));
        assertProblem(unknown, 400, "UNKNOWN_FIELD");
        assertThat(errorFields(unknown)).containsExactly("settings.mfa_enforced");
        assertProblem(api.patch(path, admin.accessToken(), obj("settings", obj("mfa_required", true))), 400,
                "VALIDATION_FAILED");
        assertThat(api.get(path, admin.accessToken()).json().path("settings").path("mfa_required").asBoolean())
                .isFalse();
    }

    // ---------------------------------------------------------------- bad input

    @Test
    void badInputOnTheEnrolmentEndpointsIsAClearProblem() {
        Session session = member();
        for (String path : List.of(CONFIRM, TOTP, RECOVERY_CODES)) {
            String method = path.equals(TOTP) ? "DELETE" : "POST";
            String token = session.accessToken();
            assertProblem(send(method, path, token, "{\"code\": "), 400, "MALFORMED_JSON");
            assertProblem(send(method, path, token, "not json"), 400, "MALFORMED_JSON");
            assertProblem(send(method, path, token, null), 400, "MISSING_BODY");
            Api.Response unknown = send(method, path, token, Api.json(obj("code", "123456", "remember", true)));
            assertProblem(unknown, 400, "UNKNOWN_FIELD");
            assertThat(errorFields(unknown)).containsExactly("remember");
            Api.Response number = send(method, path, token, Api.json(obj("code", 123456)));
            assertProblem(number, 400, "INVALID_TYPE");
            assertThat(errorFields(number)).containsExactly("code");
            assertProblem(send(method, path, token, "[]"), 400, "INVALID_TYPE");
            Api.Response missing = send(method, path, token, "{}");
            assertProblem(missing, 400, "VALIDATION_FAILED");
            assertThat(errorFields(missing)).containsExactly("code");
            for (String malformed : List.of("", "12345", "1234567", "12345a", " 123456", "１２３４５６")) {
                Api.Response bad = send(method, path, token, Api.json(obj("code", malformed)));
                assertProblem(bad, 400, "VALIDATION_FAILED");
                assertThat(errorFields(bad)).containsExactly("code");
            }
            assertProblem(send(method, path, token, Api.json(obj("code", "1".repeat(70 * 1024)))), 413,
                    "PAYLOAD_TOO_LARGE");
            assertProblem(send(method, path, null, Api.json(obj("code", "123456"))), 401, "UNAUTHENTICATED");
            Api.Response plain = api.send(method, path, token, "code=123456", Map.of("Content-Type", "text/plain"));
            if (method.equals("POST")) {
                assertProblem(plain, 415, "UNSUPPORTED_MEDIA_TYPE");
            }
            else {
                // Spring MVC reads no body of another media type on DELETE: the JSON body is missing
                assertProblem(plain, 400, "MISSING_BODY");
            }
        }

        // enrolment takes no input: at most an empty object
        assertProblem(api.post(ENROLL, session.accessToken(), "{"), 400, "MALFORMED_JSON");
        assertProblem(api.post(ENROLL, session.accessToken(), obj("label", "phone")), 400, "UNKNOWN_FIELD");
        assertProblem(api.post(ENROLL, session.accessToken(), "[]"), 400, "INVALID_TYPE");
        assertProblem(api.post(ENROLL, session.accessToken(), "\"x\""), 400, "INVALID_TYPE");
        assertProblem(api.post(ENROLL, session.accessToken(), Api.json(obj("x", "y".repeat(70 * 1024)))), 413,
                "PAYLOAD_TOO_LARGE");
        assertProblem(api.post(ENROLL, null, null), 401, "UNAUTHENTICATED");
        assertProblem(api.get(ENROLL, session.accessToken()), 405, "METHOD_NOT_ALLOWED");
        assertThat(api.post(ENROLL, session.accessToken(), "{}").status()).isEqualTo(200);
    }

    @Test
    void badInputOnVerifyIsAClearProblem() {
        assertProblem(api.post(VERIFY, null, "{\"mfa_token\": "), 400, "MALFORMED_JSON");
        assertProblem(api.send("POST", VERIFY, null, null, Map.of()), 400, "MISSING_BODY");
        assertProblem(api.post(VERIFY, null, "[]"), 400, "INVALID_TYPE");
        Api.Response unknown = api.post(VERIFY, null, obj("mfa_token", "t", "code", "123456", "trust_device", true));
        assertProblem(unknown, 400, "UNKNOWN_FIELD");
        assertThat(errorFields(unknown)).containsExactly("trust_device");
        Api.Response numberToken = api.post(VERIFY, null, obj("mfa_token", 5, "code", "123456"));
        assertProblem(numberToken, 400, "INVALID_TYPE");
        assertThat(errorFields(numberToken)).containsExactly("mfa_token");
        Api.Response numberCode = api.post(VERIFY, null, obj("mfa_token", "t", "code", 123456));
        assertProblem(numberCode, 400, "INVALID_TYPE");
        assertThat(errorFields(numberCode)).containsExactly("code");
        Api.Response missingToken = api.post(VERIFY, null, obj("code", "123456"));
        assertProblem(missingToken, 400, "VALIDATION_FAILED");
        assertThat(errorFields(missingToken)).containsExactly("mfa_token");
        Api.Response neither = api.post(VERIFY, null, obj("mfa_token", "t"));
        assertProblem(neither, 400, "VALIDATION_FAILED");
        assertThat(errorFields(neither)).containsExactly("code");
        Api.Response both = api.post(VERIFY, null, obj("mfa_token", "t", "code", "123456", "recovery_code", "x"));
        assertProblem(both, 400, "VALIDATION_FAILED");
        assertThat(errorFields(both)).containsExactly("recovery_code");
        Api.Response shortCode = api.post(VERIFY, null, obj("mfa_token", "t", "code", "12345"));
        assertProblem(shortCode, 400, "VALIDATION_FAILED");
        assertThat(errorFields(shortCode)).containsExactly("code");
        Api.Response longToken = api.post(VERIFY, null, obj("mfa_token", "t".repeat(201), "code", "123456"));
        assertProblem(longToken, 400, "VALIDATION_FAILED");
        assertThat(errorFields(longToken)).containsExactly("mfa_token");
        Api.Response longRecovery = api.post(VERIFY, null, obj("mfa_token", "t", "recovery_code", "r".repeat(65)));
        assertProblem(longRecovery, 400, "VALIDATION_FAILED");
        assertThat(errorFields(longRecovery)).containsExactly("recovery_code");
        assertProblem(api.post(VERIFY, null, obj("mfa_token", "t".repeat(70 * 1024), "code", "123456")), 413,
                "PAYLOAD_TOO_LARGE");
        assertProblem(api.get(VERIFY, null), 405, "METHOD_NOT_ALLOWED");
    }

    // ---------------------------------------------------------------- audit

    @Test
    void mfaChangesAndLoginsAreAuditedWithoutAnySecret() {
        TenantRef tenant = fixtures.tenant();
        Session session = fixtures.userIn(tenant, "member");
        Enrolled mfa = enrolled(session);
        List<String> secrets = new ArrayList<>(List.of(mfa.secret()));
        secrets.addAll(mfa.recoveryCodes());
        secrets.addAll(mfa.recoveryCodes().stream().map(c -> c.replace("-", "")).toList());
        String token = challenge(session);
        secrets.add(token);
        assertThat(verify(token, mfa.wrong()).status()).isEqualTo(400);
        assertThat(verify(token, mfa.code(0)).status()).isEqualTo(200);
        String recoveryToken = challenge(session);
        secrets.add(recoveryToken);
        assertThat(verifyRecovery(recoveryToken, mfa.recoveryCodes().get(0)).status()).isEqualTo(200);
        String unknownToken = "unknown-" + UUID.randomUUID();
        secrets.add(unknownToken);
        assertThat(verify(unknownToken, "123456").status()).isEqualTo(401);
        assertThat(disable(session, mfa.code(1)).status()).isEqualTo(204);
        List<String> codes = List.of(mfa.code(-1), mfa.code(0), mfa.code(1), mfa.wrong());

        List<Map<String, Object>> events = scopes.inTenant(tenant.id(), () -> jdbc.sql("""
                select action, status, details::text as details from audit_events
                 where tenant_id = ? and actor_id = ? order by seq
                """).param(tenant.id()).param(session.userId()).query().listOfRows());
        assertThat(events).extracting(e -> e.get("action") + " " + e.get("status")).containsSubsequence(
                "mfa.enrolled success", "mfa.enabled success", "auth.mfa_challenged success",
                "auth.mfa_failed failure", "auth.mfa_verified success", "auth.mfa_challenged success",
                "auth.mfa_verified success", "mfa.disabled success");
        assertThat(events).filteredOn(e -> "auth.mfa_failed".equals(e.get("action")))
                .allSatisfy(e -> assertThat((String) e.get("details")).contains("MFA_CODE_INVALID")
                        .contains("\"code\": \"[REDACTED]\"").contains("\"mfa_token\": \"[REDACTED]\""));
        assertThat(events).filteredOn(e -> "auth.mfa_verified".equals(e.get("action")))
                .extracting(e -> (String) e.get("details"))
                .anySatisfy(d -> assertThat(d).contains("\"mfa_method\": \"totp\""))
                .anySatisfy(d -> assertThat(d).contains("\"mfa_method\": \"recovery_code\"")
                        .contains("\"recovery_code\": \"[REDACTED]\""));

        List<String> tenantChain = scopes.inTenant(tenant.id(), () -> jdbc.sql(
                "select e::text from audit_events e where tenant_id = ?").param(tenant.id())
                .query(String.class).list());
        List<String> platformChain = scopes.inTenant(AuditRecord.PLATFORM, () -> jdbc.sql(
                "select e::text from audit_events e where tenant_id = ?").param(AuditRecord.PLATFORM)
                .query(String.class).list());
        assertThat(platformChain).as("the failure with an unknown token").anySatisfy(e -> assertThat(e)
                .contains("auth.mfa_failed").contains("MFA_TOKEN_INVALID"));
        for (String row : concat(tenantChain, platformChain)) {
            for (String value : secrets) {
                assertThat(row).doesNotContainIgnoringCase(value);
            }
            for (String code : codes) {
                assertThat(row).doesNotContain("\"" + code + "\"");
            }
        }
        assertThat(tenantChain.toString() + platformChain).doesNotContain("otpauth");
    }

    // ---------------------------------------------------------------- helpers

    private Session member() {
        return fixtures.userIn(fixtures.tenant(), "member");
    }

    /** Enrols and confirms with the code of the step before now, so this step and the next stay unspent. */
    private Enrolled enrolled(Session session) {
        String secret = enroll(session);
        long step = freshStep();
        Api.Response confirmed = confirm(session, Totp.code(secret, step - 1));
        assertThat(confirmed.status()).as(confirmed.toString()).isEqualTo(200);
        return new Enrolled(session, secret, strings(confirmed.json().path("recovery_codes")), step);
    }

    /**
     * The current time step, after waiting out the end of the step when less than 12 seconds of it are
     * left: the codes of the steps before, at and after it then stay valid for the test's requests.
     */
    private static long freshStep() {
        long intoStep = System.currentTimeMillis() % (Totp.PERIOD_SECONDS * 1000L);
        if (intoStep > 18_000) {
            sleep(Duration.ofMillis(Totp.PERIOD_SECONDS * 1000L - intoStep + 250));
        }
        return Totp.step(Instant.now());
    }

    private String enroll(Session session) {
        Api.Response response = api.post(ENROLL, session.accessToken(), null);
        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        return response.json().path("secret").asString();
    }

    private Api.Response confirm(Session session, String code) {
        return api.post(CONFIRM, session.accessToken(), obj("code", code));
    }

    private Api.Response regenerate(Session session, String code) {
        return api.post(RECOVERY_CODES, session.accessToken(), obj("code", code));
    }

    private Api.Response disable(Session session, String code) {
        return send("DELETE", TOTP, session.accessToken(), Api.json(obj("code", code)));
    }

    private Api.Response send(String method, String path, String token, String body) {
        return api.send(method, path, token, body, Map.of());
    }

    private Api.Response login(String email, UUID tenantId) {
        return api.post(LOGIN, null, tenantId == null ? obj("email", email, "password", Fixtures.PASSWORD)
                : obj("email", email, "password", Fixtures.PASSWORD, "tenant_id", tenantId.toString()));
    }

    private String challenge(Enrolled mfa) {
        return challenge(mfa.session());
    }

    /** Logs in with the password and returns the MFA token. */
    private String challenge(Session session) {
        Api.Response response = login(session.email(), null);
        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        assertThat(response.json().path("mfa_required").asBoolean()).as(response.toString()).isTrue();
        assertThat(response.json().has("access_token")).isFalse();
        return response.json().path("mfa_token").asString();
    }

    private Api.Response verify(String token, String code) {
        return api.post(VERIFY, null, obj("mfa_token", token, "code", code));
    }

    private Api.Response verifyRecovery(String token, String recoveryCode) {
        return api.post(VERIFY, null, obj("mfa_token", token, "recovery_code", recoveryCode));
    }

    private JsonNode me(Session session) {
        Api.Response response = api.get(ME, session.accessToken());
        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        return response.json();
    }

    private static JsonNode ok(Api.Response login) {
        assertThat(login.status()).as(login.toString()).isEqualTo(200);
        return login.json();
    }

    private JsonNode currentSession(Session session) {
        JsonNode items = api.get("/api/v1/auth/sessions", session.accessToken()).json().path("items");
        return StreamSupport.stream(items.spliterator(), false).filter(s -> s.path("current").asBoolean())
                .findFirst().orElseThrow();
    }

    private static String decodeQr(byte[] png) {
        try {
            BufferedImage image = ImageIO.read(new ByteArrayInputStream(png));
            assertThat(image).as("a PNG image").isNotNull();
            int[] pixels = image.getRGB(0, 0, image.getWidth(), image.getHeight(), null, 0, image.getWidth());
            var bitmap = new BinaryBitmap(new HybridBinarizer(
                    new RGBLuminanceSource(image.getWidth(), image.getHeight(), pixels)));
            // the code is drawn by us, square and unrotated: decode it as such rather than searching a photo
            return new QRCodeReader().decode(bitmap, java.util.Map.of(com.google.zxing.DecodeHintType.PURE_BARCODE,
                    Boolean.TRUE)).getText();
        }
        catch (IOException | com.google.zxing.ReaderException e) {
            throw new AssertionError("not a readable QR code", e);
        }
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        }
        catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<String> concat(List<String> a, List<String> b) {
        var all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
