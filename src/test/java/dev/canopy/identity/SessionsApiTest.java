package dev.canopy.identity;

import static dev.canopy.support.Api.obj;
import static dev.canopy.support.ApiAssertions.assertProblem;
import static dev.canopy.support.ApiAssertions.errorFields;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.UUID;
import java.util.stream.StreamSupport;

import org.junit.jupiter.api.Test;

import dev.canopy.support.ApiTest;
import dev.canopy.support.Fixtures;
import dev.canopy.support.Fixtures.Session;
import tools.jackson.databind.JsonNode;

/** Your own sessions: listing them, ending one or all, and changing the password. */
class SessionsApiTest extends ApiTest {

    private static final String SESSIONS = "/api/v1/auth/sessions";
    private static final String ME = "/api/v1/auth/me";

    @Test
    void listsOwnLiveSessionsAndMarksTheCurrentOne() {
        Session first = signedInMember();
        Session second = fixtures.login(first.email(), Fixtures.PASSWORD, null);
        fixtures.userIn(fixtures.tenant(), "member"); // someone else's session must not show

        JsonNode items = api.get(SESSIONS, second.accessToken()).json().path("items");

        assertThat(ids(items)).contains(sid(first), sid(second)).allMatch(id -> !id.isBlank());
        assertThat(StreamSupport.stream(items.spliterator(), false).filter(s -> s.path("current").asBoolean())
                .map(s -> s.path("id").asString())).containsExactly(sid(second));
        assertThat(items.get(0).path("user_agent").asString()).isNotBlank();
    }

    @Test
    void endingAnotherSessionRefusesItsTokensAtOnce() {
        Session first = signedInMember();
        Session second = fixtures.login(first.email(), Fixtures.PASSWORD, null);

        var ended = api.delete(SESSIONS + "/" + sid(first), second.accessToken());

        assertThat(ended.status()).as(ended.toString()).isEqualTo(204);
        assertProblem(api.get(ME, first.accessToken()), 401, "SESSION_REVOKED");
        assertThat(api.post("/api/v1/auth/refresh", null, obj("refresh_token", first.refreshToken())).status())
                .isEqualTo(401);
        assertThat(api.get(ME, second.accessToken()).status()).isEqualTo(200);
        assertThat(ids(api.get(SESSIONS, second.accessToken()).json().path("items"))).doesNotContain(sid(first));
    }

    @Test
    void someoneElsesSessionIsNotFound() {
        Session mine = signedInMember();
        Session theirs = fixtures.userIn(fixtures.tenant(), "member");

        assertProblem(api.delete(SESSIONS + "/" + sid(theirs), mine.accessToken()), 404, "SESSION_NOT_FOUND");
        assertProblem(api.delete(SESSIONS + "/" + UUID.randomUUID(), mine.accessToken()), 404, "SESSION_NOT_FOUND");
        assertProblem(api.delete(SESSIONS + "/not-a-uuid", mine.accessToken()), 400, "VALIDATION_FAILED");
        assertThat(api.get(ME, theirs.accessToken()).status()).isEqualTo(200);
    }

    @Test
    void logoutAllEndsEverySessionIncludingThisOne() {
        Session first = signedInMember();
        Session second = fixtures.login(first.email(), Fixtures.PASSWORD, null);

        assertThat(api.post("/api/v1/auth/logout-all", second.accessToken(), null).status()).isEqualTo(204);

        assertProblem(api.get(ME, first.accessToken()), 401, "SESSION_REVOKED");
        assertProblem(api.get(ME, second.accessToken()), 401, "SESSION_REVOKED");
    }

    @Test
    void changingThePasswordEndsEveryOtherSession() {
        Session other = signedInMember();
        Session current = fixtures.login(other.email(), Fixtures.PASSWORD, null);
        String newPassword = "an-entirely-new-passphrase-7";

        var changed = api.post("/api/v1/auth/password", current.accessToken(),
                obj("current_password", Fixtures.PASSWORD, "new_password", newPassword));

        assertThat(changed.status()).as(changed.toString()).isEqualTo(204);
        assertProblem(api.get(ME, other.accessToken()), 401, "SESSION_REVOKED");
        assertThat(api.get(ME, current.accessToken()).status()).isEqualTo(200);
        assertProblem(api.post("/api/v1/auth/login", null, obj("email", other.email(), "password", Fixtures.PASSWORD)),
                401, "INVALID_CREDENTIALS");
        assertThat(fixtures.login(other.email(), newPassword, null).accessToken()).isNotBlank();
    }

    @Test
    void aPasswordChangeNeedsTheCurrentPasswordAndAGoodNewOne() {
        Session session = signedInMember();
        String path = "/api/v1/auth/password";

        var wrong = api.post(path, session.accessToken(), obj("current_password", "not-my-password-at-all",
                "new_password", "an-entirely-new-passphrase-7"));
        assertProblem(wrong, 400, "VALIDATION_FAILED");
        assertThat(errorFields(wrong)).containsExactly("current_password");
        var tooShort = api.post(path, session.accessToken(), obj("current_password", Fixtures.PASSWORD,
                "new_password", "short"));
        assertThat(errorFields(tooShort)).containsExactly("new_password");
        var same = api.post(path, session.accessToken(), obj("current_password", Fixtures.PASSWORD,
                "new_password", Fixtures.PASSWORD));
        assertThat(errorFields(same)).containsExactly("new_password");
        assertProblem(api.post(path, session.accessToken(), obj("current_password", Fixtures.PASSWORD)), 400,
                "VALIDATION_FAILED");
        assertProblem(api.post(path, session.accessToken(), obj("current_password", Fixtures.PASSWORD,
                "new_password", "an-entirely-new-passphrase-7", "extra", 1)), 400, "UNKNOWN_FIELD");
        assertProblem(api.post(path, session.accessToken(), "{\"current_password\":"), 400, "MALFORMED_JSON");
        assertProblem(api.post(path, null, obj("current_password", "x", "new_password", "y")), 401,
                "UNAUTHENTICATED");

        assertThat(fixtures.login(session.email(), Fixtures.PASSWORD, null).accessToken()).as("unchanged")
                .isNotBlank();
    }

    private Session signedInMember() {
        return fixtures.userIn(fixtures.tenant(), "member");
    }

    private static String sid(Session session) {
        String payload = session.accessToken().split("\\.")[1];
        String json = new String(java.util.Base64.getUrlDecoder().decode(payload));
        return json.replaceAll(".*\"sid\":\"([^\"]+)\".*", "$1");
    }

    private static List<String> ids(JsonNode items) {
        return StreamSupport.stream(items.spliterator(), false).map(s -> s.path("id").asString()).toList();
    }
}
