package dev.canopy.identity;

import static dev.canopy.support.Api.obj;
import static dev.canopy.support.ApiAssertions.assertEachRejected;
import static dev.canopy.support.ApiAssertions.assertProblem;
import static dev.canopy.support.ApiAssertions.assertProblemShape;
import static dev.canopy.support.ApiAssertions.errorFields;
import static dev.canopy.support.ApiAssertions.ids;
import static dev.canopy.support.ApiAssertions.strings;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import dev.canopy.support.Api;
import dev.canopy.support.ApiAssertions.BadInput;
import dev.canopy.support.ApiTest;
import dev.canopy.support.Fixtures;
import dev.canopy.support.Fixtures.Session;
import dev.canopy.support.Fixtures.TenantRef;
import tools.jackson.databind.JsonNode;

/** {@code /api/v1/users} over real HTTP: members of the current tenant, their roles, and who may change what. */
class UserApiTest extends ApiTest {

    private static final String USERS = "/api/v1/users";
    private static final Set<String> USER_FIELDS = Set.of("id", "email", "full_name", "is_active", "roles",
            "created_at", "joined_at", "version");
    private static final List<String> VIEWER_PERMISSIONS = List.of("cloud_accounts:list", "cloud_accounts:read",
            "deployments:list", "deployments:read", "environments:list", "templates:list", "templates:read",
            "tenants:read", "users:list", "users:read");
    private static final List<String> MEMBER_PERMISSIONS = List.of("cloud_accounts:list", "cloud_accounts:read",
            "cloud_accounts:test", "deployments:list", "deployments:read", "environments:list", "permissions:list",
            "roles:list", "templates:list", "templates:read", "tenants:read", "users:list", "users:read");
    /** Every tenant-level permission of the registry, sorted as {@code /auth/me} lists them. */
    private static final List<String> TENANT_ADMIN_PERMISSIONS = dev.canopy.access.Permissions.ALL.stream()
            .filter(p -> p.level() == dev.canopy.platform.security.Permission.Level.TENANT)
            .map(dev.canopy.platform.security.Permission::name).sorted().toList();

    // --- creating and adding -----------------------------------------------------------------------------

    @Test
    void createsANewUserWhoCanSignIn() {
        TenantRef tenant = fixtures.tenant();
        Session admin = fixtures.userIn(tenant, "tenant_admin");
        String email = email();
        Instant before = Instant.now().minusSeconds(5);

        Api.Response created = api.post(USERS, admin.accessToken(), obj("email", email, "full_name", "  Ada Lovelace  ",
                "password", "an-adequate-password", "roles", List.of("member", "viewer", "member")));

        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        JsonNode json = created.json();
        assertThat(Set.copyOf(json.propertyNames())).isEqualTo(USER_FIELDS);
        UUID id = UUID.fromString(json.path("id").asString());
        assertThat(id.version()).isEqualTo(7);
        assertThat(created.header("Location")).endsWith(USERS + "/" + id);
        assertThat(json.path("email").asString()).isEqualTo(email);
        assertThat(json.path("full_name").asString()).isEqualTo("Ada Lovelace");
        assertThat(json.path("is_active").asBoolean()).isTrue();
        assertThat(strings(json.path("roles"))).containsExactly("member", "viewer");
        assertThat(json.path("version").asLong()).isZero();
        assertThat(Instant.parse(json.path("created_at").asString())).isAfter(before);
        assertThat(Instant.parse(json.path("joined_at").asString())).isAfter(before);
        assertThat(created.text()).doesNotContain("password").doesNotContain("argon");

        Api.Response fetched = api.get(USERS + "/" + id, admin.accessToken());
        assertThat(fetched.status()).isEqualTo(200);
        assertThat(fetched.json()).isEqualTo(json);

        Session user = fixtures.login(email, "an-adequate-password", null);
        assertThat(user.userId()).isEqualTo(id);
        assertThat(user.tenantId()).isEqualTo(tenant.id());
        JsonNode me = api.get("/api/v1/auth/me", user.accessToken()).json();
        assertThat(strings(me.path("permissions"))).containsExactlyElementsOf(MEMBER_PERMISSIONS);
        assertThat(me.path("memberships").get(0).path("is_primary").asBoolean()).isTrue();
    }

    @Test
    void aUserCreatedWithoutAPasswordCannotSignInYet() {
        TenantRef tenant = fixtures.tenant();
        Session admin = fixtures.userIn(tenant, "tenant_admin");
        String email = email();
        Api.Response created = api.post(USERS, admin.accessToken(), obj("email", email, "full_name", "Invited",
                "roles", List.of("viewer")));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        assertProblem(login(email, "", null), 400, "VALIDATION_FAILED");
        assertProblem(login(email, "whatever-password-1", null), 401, "INVALID_CREDENTIALS");
    }

    @Test
    void addsAnExistingUserByEmailWithoutTouchingTheirAccount() {
        TenantRef home = fixtures.tenant();
        TenantRef other = fixtures.tenant();
        Session otherAdmin = fixtures.userIn(other, "tenant_admin");
        String email = email();
        JsonNode original = fixtures.addUser(home, email, "member");

        Api.Response added = api.post(USERS, otherAdmin.accessToken(), obj("email", email.toUpperCase(), "full_name",
                "Somebody Else", "password", "a-different-password-9", "roles", List.of("viewer")));

        assertThat(added.status()).as(added.toString()).isEqualTo(201);
        assertThat(added.json().path("id")).isEqualTo(original.path("id"));
        assertThat(added.json().path("email").asString()).isEqualTo(email);
        assertThat(added.json().path("full_name").asString()).isEqualTo(original.path("full_name").asString());
        assertThat(added.json().path("version").asLong()).isEqualTo(original.path("version").asLong());
        assertThat(strings(added.json().path("roles"))).containsExactly("viewer");
        // the password did not change, and the first tenant stays the primary one
        assertProblem(login(email, "a-different-password-9", other.id()), 401, "INVALID_CREDENTIALS");
        Session inOther = fixtures.login(email, Fixtures.PASSWORD, other.id());
        JsonNode me = api.get("/api/v1/auth/me", inOther.accessToken()).json();
        assertThat(me.path("memberships").size()).isEqualTo(2);
        assertThat(membershipOf(me, home.id()).path("is_primary").asBoolean()).isTrue();
        assertThat(membershipOf(me, other.id()).path("is_primary").asBoolean()).isFalse();
        assertThat(strings(me.path("permissions"))).containsExactlyElementsOf(VIEWER_PERMISSIONS);
        assertThat(fixtures.login(email, Fixtures.PASSWORD, null).tenantId()).isEqualTo(home.id());
    }

    @Test
    void refusesToAddAMemberTwice() {
        TenantRef tenant = fixtures.tenant();
        Session admin = fixtures.userIn(tenant, "tenant_admin");
        String email = email();
        JsonNode existing = fixtures.addUser(tenant, email, "viewer");

        for (String spelling : List.of(email, email.toUpperCase())) {
            Api.Response again = api.post(USERS, admin.accessToken(), obj("email", spelling, "full_name", "Twice",
                    "roles", List.of("tenant_admin")));
            assertProblem(again, 409, "ALREADY_A_MEMBER");
        }
        JsonNode after = api.get(USERS + "/" + existing.path("id").asString(), admin.accessToken()).json();
        assertThat(after).isEqualTo(existing);
    }

    @Test
    void refusesUnknownRolesAndThePlatformRole() {
        TenantRef tenant = fixtures.tenant();
        Session admin = fixtures.userIn(tenant, "tenant_admin");
        TenantRef elsewhere = fixtures.tenant();
        String existingEmail = email();
        fixtures.addUser(elsewhere, existingEmail, "member");

        List<String> newEmails = new ArrayList<>();
        for (List<String> roles : List.of(List.of("bogus"), List.of("member", "bogus"), List.of("platform_admin"),
                List.of("Member"), List.of("tenant_admin", "platform_admin"))) {
            String newEmail = email();
            newEmails.add(newEmail);
            for (String email : List.of(newEmail, existingEmail)) {
                Api.Response response = api.post(USERS, admin.accessToken(), obj("email", email, "full_name", "Role",
                        "password", Fixtures.PASSWORD, "roles", roles));
                assertProblem(response, 400, "UNKNOWN_ROLE");
                int bad = roles.indexOf(roles.stream().filter(r -> !Set.of("member", "tenant_admin").contains(r))
                        .findFirst().orElseThrow());
                assertThat(errorFields(response)).containsExactly("roles[" + bad + "]");
                assertThat(ids(api.get(USERS + "?search=" + email, admin.accessToken()))).as(email).isEmpty();
            }
        }
        // nothing was half-written: no account for the new emails, no membership for the existing user
        for (String email : newEmails) {
            assertProblem(login(email, Fixtures.PASSWORD, null), 401, "INVALID_CREDENTIALS");
        }
        JsonNode me = api.get("/api/v1/auth/me", fixtures.login(existingEmail, Fixtures.PASSWORD, null).accessToken())
                .json();
        assertThat(me.path("memberships").size()).isEqualTo(1);
    }

    @Test
    void enforcesThePasswordPolicyOnNewUsers() {
        TenantRef tenant = fixtures.tenant();
        Session admin = fixtures.userIn(tenant, "tenant_admin");
        for (String password : List.of("short-pass1", "", "p".repeat(1025))) {
            String email = email();
            Api.Response response = api.post(USERS, admin.accessToken(), obj("email", email, "full_name", "Weak",
                    "password", password, "roles", List.of("member")));
            assertProblem(response, 400, "VALIDATION_FAILED");
            assertThat(errorFields(response)).containsExactly("password");
            assertThat(ids(api.get(USERS + "?search=" + email, admin.accessToken()))).isEmpty();
        }
        String email = email();
        Api.Response twelve = api.post(USERS, admin.accessToken(), obj("email", email, "full_name", "Twelve",
                "password", "exactly-12ch", "roles", List.of("member")));
        assertThat(twelve.status()).as(twelve.toString()).isEqualTo(201);
        assertThat(fixtures.login(email, "exactly-12ch", tenant.id()).userId().toString())
                .isEqualTo(twelve.json().path("id").asString());
    }

    // --- reading -----------------------------------------------------------------------------------------

    @Test
    void listsSearchesFiltersAndPagesTheTenantsMembers() {
        TenantRef tenant = fixtures.tenant();
        Session admin = fixtures.userIn(tenant, "tenant_admin");
        String token = Fixtures.unique("qz");
        List<UUID> viewers = new ArrayList<>();
        List<UUID> all = new ArrayList<>(List.of(admin.userId()));
        for (int i = 0; i < 3; i++) {
            viewers.add(create(admin, token + "-v" + i + "@example.com", "Viewer Number " + i, "viewer"));
        }
        UUID percent = create(admin, email(), "Percent 100% Person " + token, "member");
        UUID underscore = create(admin, email(), "Under_Score " + token, "member");
        all.addAll(viewers);
        all.add(percent);
        all.add(underscore);
        TenantRef other = fixtures.tenant();
        String outsider = email();
        fixtures.addUser(other, outsider, "member");

        Api.Response everyone = api.get(USERS, admin.accessToken());
        assertThat(Set.copyOf(everyone.json().propertyNames())).isEqualTo(Set.of("items", "next_cursor"));
        assertThat(ids(everyone)).containsExactlyElementsOf(sorted(all));
        everyone.json().path("items")
                .forEach(item -> assertThat(Set.copyOf(item.propertyNames())).isEqualTo(USER_FIELDS));
        assertThat(everyone.json().path("next_cursor").isNull()).isTrue();

        List<UUID> paged = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            Api.Response page = api.get(USERS + "?limit=2" + (cursor == null ? "" : "&cursor=" + cursor),
                    admin.accessToken());
            List<UUID> items = ids(page);
            assertThat(items).hasSizeLessThanOrEqualTo(2);
            paged.addAll(items);
            JsonNode next = page.json().path("next_cursor");
            cursor = next.isNull() ? null : next.asString();
            pages++;
        }
        while (cursor != null && pages < 10);
        assertThat(pages).isEqualTo(3);
        assertThat(paged).containsExactlyElementsOf(sorted(all));

        assertThat(ids(api.get(USERS + "?role=viewer", admin.accessToken())))
                .containsExactlyElementsOf(sorted(viewers));
        Api.Response firstViewers = api.get(USERS + "?role=viewer&limit=2", admin.accessToken());
        assertThat(ids(firstViewers)).containsExactlyElementsOf(sorted(viewers).subList(0, 2));
        Api.Response lastViewer = api.get(USERS + "?role=viewer&limit=2&cursor="
                + firstViewers.json().path("next_cursor").asString(), admin.accessToken());
        assertThat(ids(lastViewer)).containsExactly(sorted(viewers).get(2));
        assertThat(lastViewer.json().path("next_cursor").isNull()).isTrue();
        assertThat(ids(api.get(USERS + "?role=tenant_admin", admin.accessToken()))).containsExactly(admin.userId());
        assertThat(ids(api.get(USERS + "?role=bogus", admin.accessToken()))).isEmpty();

        // search is case-insensitive over email and name, with % and _ taken literally
        assertThat(ids(api.get(USERS + "?search=" + token.toUpperCase() + "-V1", admin.accessToken())))
                .containsExactly(viewers.get(1));
        assertThat(ids(api.get(USERS + "?search=viewer%20number", admin.accessToken())))
                .containsExactlyElementsOf(sorted(viewers));
        assertThat(ids(api.get(USERS + "?search=%25", admin.accessToken()))).containsExactly(percent);
        assertThat(ids(api.get(USERS + "?search=_", admin.accessToken()))).containsExactly(underscore);
        assertThat(ids(api.get(USERS + "?search=" + token + "&role=member", admin.accessToken())))
                .containsExactlyInAnyOrder(percent, underscore);
        assertThat(ids(api.get(USERS + "?search=%20", admin.accessToken()))).hasSize(all.size());
        assertThat(ids(api.get(USERS + "?search=" + outsider, admin.accessToken()))).isEmpty();
    }

    @Test
    void listRejectsBadParameters() {
        TenantRef tenant = fixtures.tenant();
        Session admin = fixtures.userIn(tenant, "tenant_admin");
        Map<String, String> cases = Map.of("?limit=0", "limit", "?limit=201", "limit", "?cursor=***", "cursor",
                "?cursor=bm90LWEtdXVpZA", "cursor", "?search=" + "s".repeat(201), "search", "?role=" + "r".repeat(65),
                "role");
        cases.forEach((query, field) -> {
            Api.Response response = api.get(USERS + query, admin.accessToken());
            assertProblem(response, 400, "VALIDATION_FAILED");
            assertThat(errorFields(response)).as(query).containsExactly(field);
        });
        assertProblem(api.get(USERS + "?search=a%00b", admin.accessToken()), 400, "INVALID_VALUE");
        assertProblem(api.get(USERS + "?role=a%00b", admin.accessToken()), 400, "INVALID_VALUE");
        Api.Response notANumber = api.get(USERS + "?limit=ten", admin.accessToken());
        assertThat(notANumber.status()).isEqualTo(400);
        assertProblemShape(notANumber);
        assertThat(api.get(USERS + "?limit=200", admin.accessToken()).status()).isEqualTo(200);
    }

    @Test
    void usersOfOtherTenantsAreInvisible() {
        TenantRef tenant = fixtures.tenant();
        Session admin = fixtures.userIn(tenant, "tenant_admin");
        TenantRef other = fixtures.tenant();
        Session otherAdmin = fixtures.userIn(other, "tenant_admin");
        JsonNode stranger = fixtures.addUser(other, email(), "member");
        String strangerPath = USERS + "/" + stranger.path("id").asString();

        Api.Response hidden = api.get(strangerPath, admin.accessToken());
        Api.Response missing = api.get(USERS + "/" + UUID.randomUUID(), admin.accessToken());
        assertProblem(hidden, 404, "USER_NOT_FOUND");
        assertProblem(missing, 404, "USER_NOT_FOUND");
        assertThat(hidden.json().path("detail")).isEqualTo(missing.json().path("detail"));
        assertProblem(api.get(USERS + "/" + otherAdmin.userId(), admin.accessToken()), 404, "USER_NOT_FOUND");

        assertProblem(api.patch(strangerPath, admin.accessToken(), obj("roles", List.of("viewer"), "version", 0)), 404,
                "USER_NOT_FOUND");
        assertProblem(api.patch(strangerPath, admin.accessToken(), obj("full_name", "Renamed", "version", 0)), 404,
                "USER_NOT_FOUND");
        assertProblem(api.delete(strangerPath, admin.accessToken()), 404, "USER_NOT_FOUND");
        assertProblem(api.delete(USERS + "/" + UUID.randomUUID(), admin.accessToken()), 404, "USER_NOT_FOUND");
        assertThat(api.get(strangerPath, otherAdmin.accessToken()).json()).isEqualTo(stranger);

        for (String bad : List.of("not-a-uuid", "42")) {
            for (Api.Response response : List.of(api.get(USERS + "/" + bad, admin.accessToken()),
                    api.patch(USERS + "/" + bad, admin.accessToken(), obj("full_name", "x", "version", 0)),
                    api.delete(USERS + "/" + bad, admin.accessToken()))) {
                assertThat(response.status()).as(response.toString()).isEqualTo(400);
                assertProblemShape(response);
            }
        }
    }

    // --- changing ----------------------------------------------------------------------------------------

    @Test
    void roleChangesApplyOnTheMembersNextRequest() {
        TenantRef tenant = fixtures.tenant();
        Session admin = fixtures.userIn(tenant, "tenant_admin");
        Session member = fixtures.userIn(tenant, "member");
        assertThat(permissions(member)).containsExactlyElementsOf(MEMBER_PERMISSIONS);
        assertThat(api.get("/api/v1/roles", member.accessToken()).status()).isEqualTo(200);

        Api.Response demoted = patchUser(admin, member.userId(), obj("roles", List.of("viewer"), "version", 0));
        assertThat(demoted.status()).as(demoted.toString()).isEqualTo(200);
        assertThat(strings(demoted.json().path("roles"))).containsExactly("viewer");
        assertThat(demoted.json().path("version").asLong()).isEqualTo(1);

        // the same access token now carries the new role's permissions
        assertThat(permissions(member)).containsExactlyElementsOf(VIEWER_PERMISSIONS);
        assertProblem(api.get("/api/v1/roles", member.accessToken()), 403, "FORBIDDEN");
        assertThat(strings(membershipOf(api.get("/api/v1/auth/me", member.accessToken()).json(), tenant.id())
                .path("roles"))).containsExactly("viewer");

        Api.Response promoted = patchUser(admin, member.userId(),
                obj("roles", List.of("tenant_admin", "member"), "version", 1));
        assertThat(promoted.status()).as(promoted.toString()).isEqualTo(200);
        assertThat(permissions(member)).containsExactlyElementsOf(TENANT_ADMIN_PERMISSIONS);
        Api.Response addedByPromoted = api.post(USERS, member.accessToken(), obj("email", email(), "full_name",
                "Hired", "roles", List.of("viewer")));
        assertThat(addedByPromoted.status()).as(addedByPromoted.toString()).isEqualTo(201);
    }

    @Test
    void changesNameAndStatusOfAUserOnlyInThisTenant() {
        TenantRef tenant = fixtures.tenant();
        Session admin = fixtures.userIn(tenant, "tenant_admin");
        Session user = fixtures.userIn(tenant, "member");

        Api.Response renamed = patchUser(admin, user.userId(), obj("full_name", "Grace Hopper", "version", 0));
        assertThat(renamed.status()).as(renamed.toString()).isEqualTo(200);
        assertThat(renamed.json().path("full_name").asString()).isEqualTo("Grace Hopper");
        assertThat(renamed.json().path("version").asLong()).isEqualTo(1);
        assertThat(strings(renamed.json().path("roles"))).containsExactly("member");
        assertThat(api.get("/api/v1/auth/me", user.accessToken()).json().path("user").path("full_name").asString())
                .isEqualTo(renamed.json().path("full_name").asString());

        Api.Response deactivated = patchUser(admin, user.userId(), obj("is_active", false, "version", 1));
        assertThat(deactivated.status()).as(deactivated.toString()).isEqualTo(200);
        assertThat(deactivated.json().path("is_active").asBoolean()).isFalse();
        assertProblem(api.get("/api/v1/auth/me", user.accessToken()), 401, "SESSION_REVOKED");
        assertProblem(login(user.email(), Fixtures.PASSWORD, null), 401, "INVALID_CREDENTIALS");

        Api.Response reactivated = patchUser(admin, user.userId(), obj("is_active", true, "version", 2));
        assertThat(reactivated.json().path("is_active").asBoolean()).isTrue();
        assertThat(fixtures.login(user.email(), Fixtures.PASSWORD, null).tenantId()).isEqualTo(tenant.id());
    }

    @Test
    void patchNeedsTheCurrentVersionAndChangesNothingWhenStale() {
        TenantRef tenant = fixtures.tenant();
        Session admin = fixtures.userIn(tenant, "tenant_admin");
        Session user = fixtures.userIn(tenant, "member");
        Api.Response first = patchUser(admin, user.userId(), obj("full_name", "First", "version", 0));
        assertThat(first.status()).isEqualTo(200);

        assertProblem(patchUser(admin, user.userId(), obj("full_name", "Second", "version", 0)), 409,
                "VERSION_CONFLICT");
        assertProblem(patchUser(admin, user.userId(), obj("roles", List.of("viewer"), "version", 0)), 409,
                "VERSION_CONFLICT");
        assertProblem(patchUser(admin, user.userId(), obj("is_active", false, "version", 7)), 409,
                "VERSION_CONFLICT");
        Api.Response missing = patchUser(admin, user.userId(), obj("roles", List.of("viewer")));
        assertProblem(missing, 400, "VALIDATION_FAILED");
        assertThat(errorFields(missing)).containsExactly("version");

        assertThat(api.get(USERS + "/" + user.userId(), admin.accessToken()).json()).isEqualTo(first.json());
        assertThat(permissions(user)).containsExactlyElementsOf(MEMBER_PERMISSIONS);
    }

    @Test
    void accountsOfUsersInOtherTenantsAreManagedElsewhere() {
        TenantRef tenant = fixtures.tenant();
        Session admin = fixtures.userIn(tenant, "tenant_admin");
        Session user = fixtures.userIn(tenant, "member");
        TenantRef other = fixtures.tenant();
        fixtures.addUser(other, user.email(), "viewer");
        JsonNode before = api.get(USERS + "/" + user.userId(), admin.accessToken()).json();
        long version = before.path("version").asLong();

        assertProblem(patchUser(admin, user.userId(), obj("full_name", "Not Yours", "version", version)), 403,
                "USER_MANAGED_ELSEWHERE");
        assertProblem(patchUser(admin, user.userId(), obj("is_active", false, "version", version)), 403,
                "USER_MANAGED_ELSEWHERE");
        assertProblem(patchUser(admin, user.userId(),
                obj("roles", List.of("viewer"), "full_name", "Not Yours", "version", version)), 403,
                "USER_MANAGED_ELSEWHERE");
        assertThat(api.get(USERS + "/" + user.userId(), admin.accessToken()).json()).isEqualTo(before);
        assertThat(api.get("/api/v1/auth/me", user.accessToken()).status()).isEqualTo(200);

        // roles in this tenant are still this tenant's to change
        Api.Response roles = patchUser(admin, user.userId(), obj("roles", List.of("viewer"), "version", version));
        assertThat(roles.status()).as(roles.toString()).isEqualTo(200);
        assertThat(strings(roles.json().path("roles"))).containsExactly("viewer");

        // a platform administrator may change the account itself
        Session platform = fixtures.switchTo(fixtures.platformAdmin(), tenant.id());
        Api.Response renamed = patchUser(platform, user.userId(), obj("full_name", "Platform Renamed", "version",
                version + 1));
        assertThat(renamed.status()).as(renamed.toString()).isEqualTo(200);
        assertThat(renamed.json().path("full_name").asString()).isEqualTo("Platform Renamed");
        assertThat(api.get("/api/v1/auth/me", user.accessToken()).json().path("user").path("full_name").asString())
                .isEqualTo("Platform Renamed");
    }

    @Test
    void aTenantKeepsItsLastAdministrator() {
        TenantRef tenant = fixtures.tenant();
        Session admin = fixtures.userIn(tenant, "tenant_admin");

        assertProblem(patchUser(admin, admin.userId(), obj("roles", List.of("member"), "version", 0)), 409,
                "LAST_ADMIN");
        assertProblem(api.delete(USERS + "/" + admin.userId(), admin.accessToken()), 409, "LAST_ADMIN");
        JsonNode unchanged = api.get(USERS + "/" + admin.userId(), admin.accessToken()).json();
        assertThat(strings(unchanged.path("roles"))).containsExactly("tenant_admin");
        assertThat(unchanged.path("version").asLong()).isZero();
        // keeping tenant_admin among other roles is fine
        Api.Response widened = patchUser(admin, admin.userId(), obj("roles", List.of("member", "tenant_admin"),
                "version", 0));
        assertThat(widened.status()).as(widened.toString()).isEqualTo(200);

        Session second = fixtures.userIn(tenant, "tenant_admin");
        Api.Response stepsDown = patchUser(second, admin.userId(), obj("roles", List.of("member"), "version", 1));
        assertThat(stepsDown.status()).as(stepsDown.toString()).isEqualTo(200);
        assertProblem(patchUser(admin, second.userId(), obj("roles", List.of("member"), "version", 0)), 403,
                "FORBIDDEN");
        assertProblem(patchUser(second, second.userId(), obj("roles", List.of("viewer"), "version", 0)), 409,
                "LAST_ADMIN");
        assertProblem(api.delete(USERS + "/" + second.userId(), second.accessToken()), 409, "LAST_ADMIN");
        assertProblem(patchUser(second, second.userId(), obj("is_active", false, "version", 0)), 409,
                "LAST_ADMIN");
    }

    @Test
    void tenantAdministratorsCannotChangeAPlatformAdministratorsAccount() {
        TenantRef tenant = fixtures.tenant();
        Session admin = fixtures.userIn(tenant, "tenant_admin");
        Session platform = fixtures.switchTo(fixtures.platformAdmin(), tenant.id());
        JsonNode added = api.post(USERS, platform.accessToken(), obj("email", ApiTest.ADMIN_EMAIL, "full_name",
                "ignored", "roles", List.of("member"))).json();

        assertProblem(patchUser(admin, platform.userId(), obj("is_active", false, "version",
                added.path("version").asLong())), 403, "USER_MANAGED_ELSEWHERE");
    }

    // --- removing ----------------------------------------------------------------------------------------

    @Test
    void removingAMemberEndsOnlyThatMembership() {
        TenantRef first = fixtures.tenant();
        TenantRef second = fixtures.tenant();
        TenantRef third = fixtures.tenant();
        Session firstAdmin = fixtures.userIn(first, "tenant_admin");
        Session secondAdmin = fixtures.userIn(second, "tenant_admin");
        Session user = fixtures.userIn(first, "member");
        fixtures.addUser(second, user.email(), "viewer");
        fixtures.addUser(third, user.email(), "member");
        JsonNode inSecond = api.get(USERS + "/" + user.userId(), secondAdmin.accessToken()).json();

        Api.Response removed = api.delete(USERS + "/" + user.userId(), firstAdmin.accessToken());
        assertThat(removed.status()).as(removed.toString()).isEqualTo(204);
        assertThat(removed.text()).isEmpty();

        assertProblem(api.get("/api/v1/auth/me", user.accessToken()), 403, "NOT_A_MEMBER");
        assertProblem(api.get(USERS, user.accessToken()), 403, "NOT_A_MEMBER");
        assertProblem(api.get(USERS + "/" + user.userId(), firstAdmin.accessToken()), 404, "USER_NOT_FOUND");
        assertThat(ids(api.get(USERS, firstAdmin.accessToken()))).doesNotContain(user.userId());
        assertProblem(api.delete(USERS + "/" + user.userId(), firstAdmin.accessToken()), 404, "USER_NOT_FOUND");
        assertThat(api.get(USERS + "/" + user.userId(), secondAdmin.accessToken()).json()).isEqualTo(inSecond);
        assertProblem(login(user.email(), Fixtures.PASSWORD, first.id()), 403, "NOT_A_MEMBER");

        // the next membership became the primary one
        Session again = fixtures.login(user.email(), Fixtures.PASSWORD, null);
        assertThat(again.tenantId()).isEqualTo(second.id());
        JsonNode me = api.get("/api/v1/auth/me", again.accessToken()).json();
        assertThat(me.path("memberships").size()).isEqualTo(2);
        assertThat(membershipOf(me, first.id())).isNull();
        assertThat(membershipOf(me, second.id()).path("is_primary").asBoolean()).isTrue();
        assertThat(membershipOf(me, third.id()).path("is_primary").asBoolean()).isFalse();

        // rejoining adds a non-primary membership
        Api.Response rejoined = api.post(USERS, firstAdmin.accessToken(), obj("email", user.email(), "full_name",
                "Back", "roles", List.of("viewer")));
        assertThat(rejoined.status()).as(rejoined.toString()).isEqualTo(201);
        JsonNode meAfter = api.get("/api/v1/auth/me", again.accessToken()).json();
        assertThat(membershipOf(meAfter, first.id()).path("is_primary").asBoolean()).isFalse();
        assertThat(membershipOf(meAfter, second.id()).path("is_primary").asBoolean()).isTrue();
    }

    @Test
    void removingTheOnlyMembershipLeavesTheUserWithoutATenant() {
        TenantRef tenant = fixtures.tenant();
        Session admin = fixtures.userIn(tenant, "tenant_admin");
        Session user = fixtures.userIn(tenant, "viewer");
        assertThat(api.delete(USERS + "/" + user.userId(), admin.accessToken()).status()).isEqualTo(204);
        assertProblem(login(user.email(), Fixtures.PASSWORD, null), 403, "NO_TENANT");
        assertProblem(api.get(USERS, user.accessToken()), 403, "NOT_A_MEMBER");
    }

    // --- permissions -------------------------------------------------------------------------------------

    @Test
    void viewersAndMembersReadButCannotChangeUsers() {
        TenantRef tenant = fixtures.tenant();
        Session admin = fixtures.userIn(tenant, "tenant_admin");
        JsonNode target = fixtures.addUser(tenant, email(), "member");
        String targetPath = USERS + "/" + target.path("id").asString();
        for (String role : List.of("viewer", "member")) {
            Session user = fixtures.userIn(tenant, role);
            assertThat(api.get(USERS, user.accessToken()).status()).isEqualTo(200);
            assertThat(api.get(targetPath, user.accessToken()).json()).isEqualTo(target);

            String email = email();
            assertProblem(api.post(USERS, user.accessToken(), obj("email", email, "full_name", "Nope", "roles",
                    List.of("tenant_admin"))), 403, "FORBIDDEN");
            assertProblem(api.patch(targetPath, user.accessToken(), obj("roles", List.of("tenant_admin"), "version",
                    0)), 403, "FORBIDDEN");
            assertProblem(api.patch(USERS + "/" + user.userId(), user.accessToken(),
                    obj("roles", List.of("tenant_admin"), "version", 0)), 403, "FORBIDDEN");
            assertProblem(api.delete(targetPath, user.accessToken()), 403, "FORBIDDEN");
            assertThat(ids(api.get(USERS + "?search=" + email, admin.accessToken()))).isEmpty();
        }
        assertThat(api.get(targetPath, admin.accessToken()).json()).isEqualTo(target);
    }

    // --- bad input ---------------------------------------------------------------------------------------

    @Test
    void createRejectsBadInputWithoutWritingAnything() {
        TenantRef tenant = fixtures.tenant();
        Session admin = fixtures.userIn(tenant, "tenant_admin");
        record Case(String body, String code, List<String> fields, String email) {
        }
        List<Case> cases = new ArrayList<>();
        String e1 = email();
        cases.add(new Case("{\"email\": \"" + e1 + "\", \"full_name\": \"X\"", "MALFORMED_JSON", List.of(), e1));
        cases.add(new Case("<user/>", "MALFORMED_JSON", List.of(), null));
        for (String field : List.of("is_active", "is_platform_admin", "id", "tenant_id")) {
            String e = email();
            cases.add(new Case(Api.json(valid(e, field, true)), "UNKNOWN_FIELD", List.of(field), e));
        }
        String e2 = email();
        cases.add(new Case(Api.json(valid(e2, "full_name", 5)), "INVALID_TYPE", List.of("full_name"), e2));
        cases.add(new Case(Api.json(valid(email(), "email", 5)), "INVALID_TYPE", List.of("email"), null));
        String e3 = email();
        cases.add(new Case(Api.json(valid(e3, "roles", "member")), "INVALID_TYPE", List.of("roles"), e3));
        String e4 = email();
        cases.add(new Case(Api.json(valid(e4, "roles", List.of(5))), "INVALID_TYPE", List.of("roles[0]"), e4));
        String e5 = email();
        cases.add(new Case(Api.json(valid(e5, "roles", Map.of("member", true))), "INVALID_TYPE", List.of("roles"),
                e5));
        String e6 = email();
        cases.add(new Case(Api.json(valid(e6, "password", 123456789012345L)), "INVALID_TYPE", List.of("password"),
                e6));
        cases.add(new Case("[]", "INVALID_TYPE", List.of("$"), null));
        cases.add(new Case("{}", "VALIDATION_FAILED", List.of("email", "full_name", "roles"), null));
        String e7 = email();
        cases.add(new Case(Api.json(obj("email", e7, "roles", List.of("member"))), "VALIDATION_FAILED",
                List.of("full_name"), e7));
        String e8 = email();
        cases.add(new Case(Api.json(obj("email", e8, "full_name", "No Roles")), "VALIDATION_FAILED",
                List.of("roles"), e8));
        String e9 = email();
        cases.add(new Case("{\"email\": \"" + e9 + "\", \"full_name\": null, \"roles\": null}", "VALIDATION_FAILED",
                List.of("full_name", "roles"), e9));
        String longEmail = "a".repeat(60) + "@" + "b".repeat(60) + "." + "c".repeat(60) + "." + "d".repeat(60) + "."
                + "e".repeat(60) + "." + "f".repeat(16) + ".example.com";
        assertThat(longEmail.length()).isGreaterThan(320);
        cases.add(new Case(Api.json(valid(longEmail, "email", longEmail)), "VALIDATION_FAILED", List.of("email"),
                longEmail));
        for (String bad : List.of("not-an-email", "a@", "@example.com", "a b@example.com", "")) {
            cases.add(new Case(Api.json(valid(email(), "email", bad)), "VALIDATION_FAILED", List.of("email"), null));
        }
        String e10 = email();
        cases.add(new Case(Api.json(valid(e10, "full_name", "n".repeat(201))), "VALIDATION_FAILED",
                List.of("full_name"), e10));
        String e11 = email();
        cases.add(new Case(Api.json(valid(e11, "full_name", "   ")), "VALIDATION_FAILED", List.of("full_name"), e11));
        String e12 = email();
        cases.add(new Case(Api.json(valid(e12, "roles", List.of())), "VALIDATION_FAILED", List.of("roles"), e12));
        String e13 = email();
        cases.add(new Case(Api.json(valid(e13, "roles", Collections.nCopies(21, "member"))), "VALIDATION_FAILED",
                List.of("roles"), e13));
        String e14 = email();
        cases.add(new Case(Api.json(valid(e14, "roles", List.of("member", ""))), "VALIDATION_FAILED",
                List.of("roles[1]"), e14));
        String e15 = email();
        cases.add(new Case(Api.json(valid(e15, "roles", List.of("member", "x".repeat(65)))), "VALIDATION_FAILED",
                List.of("roles[1]"), e15));
        String e17 = email();
        cases.add(new Case(Api.json(valid(e17, "full_name", "Nul\u0000Byte")), "INVALID_VALUE", List.of(), e17));
        String e16 = email();
        cases.add(new Case(Api.json(valid(e16, "roles", List.of("member", "bogus"))), "UNKNOWN_ROLE",
                List.of("roles[1]"), e16));

        for (Case c : cases) {
            Api.Response response = api.post(USERS, admin.accessToken(), c.body());
            assertProblem(response, 400, c.code());
            if (!c.fields().isEmpty()) {
                assertThat(errorFields(response).stream().distinct()).as(c.body())
                        .containsExactlyInAnyOrderElementsOf(c.fields());
                response.json().path("errors").forEach(e -> assertThat(e.path("message").asString()).isNotBlank());
            }
            if (c.email() != null) {
                assertThat(ids(api.get(USERS + "?search=" + c.email().substring(0, Math.min(60, c.email().length())),
                        admin.accessToken()))).as("nothing created for " + c.body()).isEmpty();
                assertProblem(login(c.email(), Fixtures.PASSWORD, null), c.email().length() > 320 ? 400 : 401,
                        c.email().length() > 320 ? "VALIDATION_FAILED" : "INVALID_CREDENTIALS");
            }
        }
        assertProblem(api.send("POST", USERS, admin.accessToken(), "", Map.of("Content-Type", "application/json")), 400,
                "MISSING_BODY");
        assertProblem(api.send("POST", USERS, admin.accessToken(), "email=x", Map.of("Content-Type",
                "application/x-www-form-urlencoded")), 415, "UNSUPPORTED_MEDIA_TYPE");
        assertThat(ids(api.get(USERS, admin.accessToken()))).containsExactly(admin.userId());
    }

    @Test
    void createAcceptsValuesAtTheLimits() {
        TenantRef tenant = fixtures.tenant();
        Session admin = fixtures.userIn(tenant, "tenant_admin");
        String name = "N".repeat(200);
        List<String> roles = new ArrayList<>(Collections.nCopies(18, "viewer"));
        roles.add("member");
        roles.add("tenant_admin");
        Api.Response created = api.post(USERS, admin.accessToken(), obj("email", email(), "full_name", name,
                "password", "p".repeat(1024), "roles", roles));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        assertThat(created.json().path("full_name").asString()).isEqualTo(name);
        assertThat(strings(created.json().path("roles"))).containsExactly("viewer", "member", "tenant_admin");
    }

    @Test
    void patchRejectsBadInputAndLeavesTheUserUnchanged() {
        TenantRef tenant = fixtures.tenant();
        Session admin = fixtures.userIn(tenant, "tenant_admin");
        Session user = fixtures.userIn(tenant, "member");
        String path = USERS + "/" + user.userId();
        JsonNode before = api.get(path, admin.accessToken()).json();
        List<BadInput> cases = List.of(
                new BadInput("{\"full_name\": \"x\", \"version\": 0", "MALFORMED_JSON", List.of()),
                new BadInput("{\"full_name\": 'x', \"version\": 0}", "MALFORMED_JSON", List.of()),
                new BadInput(Api.json(obj("email", "new@example.com", "version", 0)), "UNKNOWN_FIELD", List.of("email")),
                new BadInput(Api.json(obj("password", "a-new-password-123", "version", 0)), "UNKNOWN_FIELD",
                        List.of("password")),
                new BadInput(Api.json(obj("is_platform_admin", true, "version", 0)), "UNKNOWN_FIELD",
                        List.of("is_platform_admin")),
                new BadInput(Api.json(obj("full_name", 5, "version", 0)), "INVALID_TYPE", List.of("full_name")),
                new BadInput(Api.json(obj("is_active", "yes", "version", 0)), "INVALID_TYPE", List.of("is_active")),
                new BadInput(Api.json(obj("is_active", "false", "version", 0)), "INVALID_TYPE", List.of("is_active")),
                new BadInput(Api.json(obj("is_active", 0, "version", 0)), "INVALID_TYPE", List.of("is_active")),
                new BadInput(Api.json(obj("roles", "viewer", "version", 0)), "INVALID_TYPE", List.of("roles")),
                new BadInput(Api.json(obj("roles", List.of(true), "version", 0)), "INVALID_TYPE", List.of("roles[0]")),
                new BadInput(Api.json(obj("full_name", "x", "version", "x")), "INVALID_TYPE", List.of("version")),
                new BadInput(Api.json(obj("full_name", "x", "version", 0.5)), "INVALID_TYPE", List.of("version")),
                new BadInput("\"text\"", "INVALID_TYPE", List.of("$")),
                new BadInput(Api.json(obj("full_name", "x")), "VALIDATION_FAILED", List.of("version")),
                new BadInput(Api.json(obj("full_name", "", "version", 0)), "VALIDATION_FAILED", List.of("full_name")),
                new BadInput(Api.json(obj("full_name", " \t ", "version", 0)), "VALIDATION_FAILED", List.of("full_name")),
                new BadInput(Api.json(obj("full_name", "n".repeat(201), "version", 0)), "VALIDATION_FAILED",
                        List.of("full_name")),
                new BadInput(Api.json(obj("roles", List.of(), "version", 0)), "VALIDATION_FAILED", List.of("roles")),
                new BadInput(Api.json(obj("roles", Collections.nCopies(21, "viewer"), "version", 0)), "VALIDATION_FAILED",
                        List.of("roles")),
                new BadInput(Api.json(obj("roles", List.of(" "), "version", 0)), "VALIDATION_FAILED", List.of("roles[0]")),
                new BadInput(Api.json(obj("roles", List.of("viewer", "owner"), "version", 0)), "UNKNOWN_ROLE",
                        List.of("roles[1]")),
                new BadInput(Api.json(obj("roles", List.of("platform_admin"), "version", 0)), "UNKNOWN_ROLE",
                        List.of("roles[0]")),
                new BadInput(Api.json(obj("full_name", "Nul\u0000Byte", "version", 0)), "INVALID_VALUE", List.of()));

        assertEachRejected(body -> api.patch(path, admin.accessToken(), body), cases);
        assertProblem(api.send("PATCH", path, admin.accessToken(), "", Map.of("Content-Type", "application/json")),
                400, "MISSING_BODY");
        assertThat(api.get(path, admin.accessToken()).json()).isEqualTo(before);
        assertThat(permissions(user)).containsExactlyElementsOf(MEMBER_PERMISSIONS);
    }

    @Test
    void unauthenticatedCallersAreRefused() {
        assertProblem(api.get(USERS, null), 401, "UNAUTHENTICATED");
        assertProblem(api.post(USERS, null, obj("email", email(), "full_name", "X", "roles", List.of("member"))), 401,
                "UNAUTHENTICATED");
    }

    // --- helpers -----------------------------------------------------------------------------------------

    private static String email() {
        return Fixtures.unique("user") + "@example.com";
    }

    /** A valid create body with one field replaced or added. */
    private static Map<String, Object> valid(String email, String field, Object value) {
        Map<String, Object> body = obj("email", email, "full_name", "Valid Name", "password", Fixtures.PASSWORD,
                "roles", List.of("member"));
        body.put(field, value);
        return body;
    }

    private UUID create(Session admin, String email, String fullName, String... roles) {
        Api.Response response = api.post(USERS, admin.accessToken(), obj("email", email, "full_name", fullName,
                "password", Fixtures.PASSWORD, "roles", List.of(roles)));
        assertThat(response.status()).as(response.toString()).isEqualTo(201);
        return UUID.fromString(response.json().path("id").asString());
    }

    @Test
    void whoeverManagesUsersCannotGiveRolesBeyondTheirOwnPermissions() {
        TenantRef tenant = fixtures.tenant();
        Session admin = fixtures.userIn(tenant, "tenant_admin");
        Session other = fixtures.userIn(tenant, "tenant_admin");
        Session member = fixtures.userIn(tenant, "viewer");
        String peopleManager = api.post("/api/v1/roles", admin.accessToken(), obj("name", "People manager",
                "permissions", List.of("users:list", "users:read", "users:create", "users:update"))).json()
                .path("id").asString();
        Session manager = fixtures.userIn(tenant, peopleManager);

        // giving more than they hold: refused, and nothing changes
        JsonNode before = api.get(USERS + "/" + member.userId(), admin.accessToken()).json();
        assertProblem(patchUser(manager, member.userId(), obj("roles", List.of("tenant_admin"), "version",
                before.path("version").asLong())), 403, "PERMISSION_ESCALATION");
        assertProblem(patchUser(manager, manager.userId(), obj("roles", List.of(peopleManager, "member"), "version",
                0)), 403, "PERMISSION_ESCALATION");
        assertThat(api.get(USERS + "/" + member.userId(), admin.accessToken()).json()).isEqualTo(before);
        assertProblem(api.post(USERS, manager.accessToken(), obj("email", Fixtures.unique("new") + "@example.com",
                "full_name", "New", "roles", List.of("tenant_admin"))), 403, "PERMISSION_ESCALATION");
        assertProblem(api.post("/api/v1/invitations", manager.accessToken(), obj("email",
                Fixtures.unique("invited") + "@example.com", "roles", List.of("tenant_admin"))), 403,
                "PERMISSION_ESCALATION");

        // what they hold they may give, and roles a member already has may stay
        Api.Response given = patchUser(manager, member.userId(), obj("roles", List.of(peopleManager), "version",
                before.path("version").asLong()));
        assertThat(given.status()).as(given.toString()).isEqualTo(200);
        long version = api.get(USERS + "/" + other.userId(), admin.accessToken()).json().path("version").asLong();
        Api.Response kept = patchUser(manager, other.userId(), obj("roles", List.of("tenant_admin", peopleManager),
                "version", version));
        assertThat(kept.status()).as(kept.toString()).isEqualTo(200);
    }

    private Api.Response patchUser(Session by, UUID userId, Object body) {
        return api.patch(USERS + "/" + userId, by.accessToken(), body);
    }

    private Api.Response login(String email, String password, UUID tenantId) {
        return api.post("/api/v1/auth/login", null, tenantId == null ? obj("email", email, "password", password)
                : obj("email", email, "password", password, "tenant_id", tenantId.toString()));
    }

    private List<String> permissions(Session session) {
        Api.Response me = api.get("/api/v1/auth/me", session.accessToken());
        assertThat(me.status()).as(me.toString()).isEqualTo(200);
        return strings(me.json().path("permissions"));
    }

    private static List<UUID> sorted(List<UUID> ids) {
        return ids.stream().sorted().toList();
    }

    private static JsonNode membershipOf(JsonNode me, UUID tenantId) {
        for (JsonNode m : me.path("memberships")) {
            if (m.path("tenant").path("id").asString().equals(tenantId.toString())) {
                return m;
            }
        }
        return null;
    }
}
