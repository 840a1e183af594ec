package dev.canopy.console;

import static dev.canopy.support.Api.obj;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import dev.canopy.support.ApiTest;
import dev.canopy.support.Fixtures;
import dev.canopy.support.Fixtures.Session;
import dev.canopy.support.Fixtures.TenantRef;

/**
 * The console's access pages over real HTTP: custom roles (create, edit with the version, delete, the API's
 * rules and escalation), assigning them on the user page, groups with members and roles, business units; bad
 * input, other tenants' ids, missing permissions and missing CSRF tokens.
 */
class ConsoleAccessPagesTest extends ApiTest {

    private static final Pattern VERSION = Pattern.compile("name=\"version\" value=\"(\\d+)\"");
    private static final Pattern ROLE_PATH = Pattern.compile("^/roles/([0-9a-f-]{36})$");
    private static final Pattern GROUP_PATH = Pattern.compile("^/groups/([0-9a-f-]{36})$");
    private static final Pattern UNIT_PATH = Pattern.compile("^/business-units/([0-9a-f-]{36})$");

    /** A fresh tenant with a tenant administrator signed into the console. */
    private record World(TenantRef tenant, String adminEmail, ConsoleClient browser) {

        Session api(Fixtures fixtures) {
            return fixtures.login(adminEmail, Fixtures.PASSWORD, tenant.id());
        }
    }

    private World world() {
        var tenant = fixtures.tenant();
        String email = Fixtures.unique("access-admin") + "@example.com";
        fixtures.addUser(tenant, email, "tenant_admin");
        return new World(tenant, email, new ConsoleClient(port).signIn(email, Fixtures.PASSWORD));
    }

    private static String idIn(ConsoleClient.Page page, Pattern path) {
        assertThat(page.status()).as(page.body()).isIn(302, 303);
        var m = path.matcher(page.location());
        assertThat(m.find()).as(page.location()).isTrue();
        return m.group(1);
    }

    private static String version(String body) {
        var m = VERSION.matcher(body);
        assertThat(m.find()).as("a version field").isTrue();
        return m.group(1);
    }

    private String customRoleViaApi(Session admin, String name, String... permissions) {
        var created = api.post("/api/v1/roles", admin.accessToken(), obj("name", name, "description", "",
                "permissions", List.of(permissions)));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        return created.json().path("id").asString();
    }

    @Test
    void anAdministratorCreatesEditsAndDeletesACustomRole() {
        var w = world();
        var browser = w.browser();
        String empty = browser.get("/roles").body();
        assertThat(empty).contains("Create a custom role").contains("no custom role yet");
        String form = browser.get("/roles/new").body();
        assertThat(form).contains("value=\"users:list\"").contains("User Management")
                .contains("List the members of the current tenant").contains("value=\"deployments:create:production\"")
                .doesNotContain("value=\"platform:tenants_manage\"");

        var created = browser.post("/roles", "name", "Support desk", "description", "Answers members' questions",
                "permissions", "users:list", "permissions", "users:read");
        String id = idIn(created, ROLE_PATH);
        String page = browser.get("/roles/" + id + "?saved=created").body();
        assertThat(page).contains("The role is created.").contains("Support desk")
                .contains("value=\"users:read\" checked");
        assertThat(browser.get("/roles").body()).contains("Support desk").contains("Custom")
                .contains("Answers members&#39; questions").doesNotContain("no custom role yet");
        assertThat(browser.get("/roles?filter=members").body()).contains("users:list");
        var apiRole = api.get("/api/v1/roles/" + id, w.api(fixtures).accessToken()).json();
        assertThat(apiRole.path("permissions").toString()).contains("users:list").contains("users:read");

        String version = version(page);
        var saved = browser.post("/roles/" + id, "name", "Support desk EU", "description", "Europe",
                "permissions", "users:list", "permissions", "audit:read", "version", version);
        assertThat(saved.status()).as(saved.body()).isIn(302, 303);
        assertThat(browser.get("/roles/" + id).body()).contains("Support desk EU").contains("value=\"audit:read\" checked")
                .doesNotContain("value=\"users:read\" checked");
        var stale = browser.post("/roles/" + id, "name", "Support desk old", "description", "",
                "permissions", "users:list", "version", version);
        assertThat(stale.status()).isEqualTo(409);
        assertThat(stale.body()).contains("changed by someone else").contains("value=\"Support desk old\"");

        browser.get("/roles/" + id);
        var deleted = browser.post("/roles/" + id + "/delete");
        assertThat(deleted.status()).isIn(302, 303);
        assertThat(deleted.location()).isEqualTo("/roles");
        assertThat(browser.get("/roles?deleted=Support+desk+EU").body()).contains("is deleted");
        assertThat(browser.get("/roles/" + id).status()).isEqualTo(404);

        var audit = api.get("/api/v1/audit-events?action=role.", w.api(fixtures).accessToken()).json().path("items");
        var actions = new ArrayList<String>();
        audit.forEach(e -> actions.add(e.path("action").asString()));
        assertThat(actions).contains("role.created", "role.updated", "role.deleted");
    }

    @Test
    void theRoleFormRefusesBadInputWithFieldErrorsAndChangesNothing() {
        var w = world();
        var browser = w.browser();
        browser.get("/roles/new");
        var missing = browser.post("/roles", "permissions", "users:list");
        assertThat(missing.status()).isEqualTo(422);
        assertThat(missing.body()).contains("id=\"name-error\"").contains("value=\"users:list\" checked");
        var blank = browser.post("/roles", "name", "   ", "permissions", "users:list");
        assertThat(blank.status()).isEqualTo(422);
        assertThat(blank.body()).contains("id=\"name-error\"");
        var longName = browser.post("/roles", "name", "n".repeat(101));
        assertThat(longName.status()).isEqualTo(422);
        assertThat(longName.body()).contains("id=\"name-error\"");
        var longDescription = browser.post("/roles", "name", "Fine", "description", "d".repeat(501));
        assertThat(longDescription.status()).isEqualTo(422);
        assertThat(longDescription.body()).contains("id=\"description-error\"");
        var longPermission = browser.post("/roles", "name", "Fine", "permissions", "p".repeat(201));
        assertThat(longPermission.status()).isEqualTo(422);
        assertThat(longPermission.body()).contains("id=\"permissions-error\"");
        var unknown = browser.post("/roles", "name", "Fine", "permissions", "emperor:rule");
        assertThat(unknown.status()).isEqualTo(400);
        assertThat(unknown.body()).contains("id=\"permissions-error\"").contains("is not a registered permission");
        var platform = browser.post("/roles", "name", "Fine", "permissions", "platform:tenants_manage");
        assertThat(platform.status()).isEqualTo(400);
        assertThat(platform.body()).contains("platform-level permission");
        var noCsrf = browser.postRaw("/roles", "name", "Sneaky", "permissions", "users:list");
        assertThat(noCsrf.status()).isEqualTo(403);
        String admin = w.api(fixtures).accessToken();
        assertThat(api.get("/api/v1/roles", admin).json().path("items").toString()).doesNotContain("Sneaky")
                .doesNotContain("Fine");

        String id = customRoleViaApi(w.api(fixtures), "Taken", "users:list");
        browser.get("/roles/new");
        var taken = browser.post("/roles", "name", "Taken", "permissions", "users:list");
        assertThat(taken.status()).isEqualTo(409);
        assertThat(taken.body()).contains("id=\"name-error\"").contains("already has a role with that name");
        browser.get("/roles/" + id);
        assertThat(browser.post("/roles/" + id, "name", "Taken", "permissions", "users:list").status())
                .as("no version").isEqualTo(400);
        assertThat(browser.post("/roles/" + id, "name", "Taken", "version", "abc").status()).isEqualTo(400);

        var builtIn = browser.get("/roles/tenant_admin");
        assertThat(builtIn.status()).isEqualTo(200);
        assertThat(builtIn.body()).contains("Built-in roles cannot be changed").doesNotContain("Save role");
        assertThat(browser.post("/roles/tenant_admin", "name", "Mine", "version", "0").status()).isEqualTo(409);
        assertThat(browser.post("/roles/tenant_admin/delete").status()).isEqualTo(409);
        assertThat(browser.get("/roles/platform_admin").status()).isEqualTo(404);

        // another tenant's role is not found, wherever it is named
        var other = world();
        String foreign = customRoleViaApi(other.api(fixtures), "Foreign", "users:list");
        browser.get("/roles");
        assertThat(browser.get("/roles/" + foreign).status()).isEqualTo(404);
        browser.get("/roles");
        assertThat(browser.post("/roles/" + foreign, "name", "Mine", "version", "0").status()).isEqualTo(404);
        assertThat(browser.post("/roles/" + foreign + "/delete").status()).isEqualTo(404);
        assertThat(browser.get("/roles/not-a-role").status()).isEqualTo(404);
        assertThat(api.get("/api/v1/roles/" + foreign, other.api(fixtures).accessToken()).json().path("name")
                .asString()).isEqualTo("Foreign");
    }

    @Test
    void nobodyGivesPermissionsTheyDoNotHoldThroughTheRoleForm() {
        var w = world();
        String limited = customRoleViaApi(w.api(fixtures), "Role maker", "roles:list", "roles:create", "roles:update",
                "users:list");
        String email = Fixtures.unique("role-maker") + "@example.com";
        fixtures.addUser(w.tenant(), email, limited);
        var browser = new ConsoleClient(port).signIn(email, Fixtures.PASSWORD);
        String form = browser.get("/roles/new").body();
        assertThat(form).contains("not yours to give");
        var escalation = browser.post("/roles", "name", "Auditor", "permissions", "users:list", "permissions",
                "audit:read");
        assertThat(escalation.status()).isEqualTo(403);
        assertThat(escalation.body()).contains("You cannot give permissions you do not hold: audit:read")
                .contains("value=\"Auditor\"");
        var fine = browser.post("/roles", "name", "Lister", "permissions", "users:list");
        assertThat(fine.status()).isIn(302, 303);
        // the header names the custom role, not its id
        assertThat(browser.get("/").body()).contains("data-testid=\"current-role\">Role maker");
    }

    @Test
    void withoutPermissionsThePagesAndButtonsAreNotThereAndTheServerRefuses() {
        var w = world();
        String roleId = customRoleViaApi(w.api(fixtures), "Some role", "users:list");
        var group = api.post("/api/v1/groups", w.api(fixtures).accessToken(), obj("name", "Some group"));
        String groupId = group.json().path("id").asString();
        String email = Fixtures.unique("member") + "@example.com";
        fixtures.addUser(w.tenant(), email, "member");
        var member = new ConsoleClient(port).signIn(email, Fixtures.PASSWORD);
        String dashboard = member.get("/").body();
        assertThat(dashboard).contains("href=\"/roles\"").doesNotContain("href=\"/groups\"")
                .doesNotContain("href=\"/business-units\"").doesNotContain("data-testid=\"tile-Groups\"");
        String roles = member.get("/roles").body();
        assertThat(roles).contains("Some role").doesNotContain("Create a custom role");
        assertThat(member.get("/roles/" + roleId).body()).doesNotContain("Save role").doesNotContain("Delete role");
        assertThat(member.get("/roles/new").status()).isEqualTo(403);
        assertThat(member.get("/groups").status()).isEqualTo(403);
        assertThat(member.get("/groups/" + groupId).status()).isEqualTo(403);
        assertThat(member.get("/business-units").status()).isEqualTo(403);
        member.get("/roles");
        assertThat(member.post("/roles", "name", "Mine", "permissions", "users:list").status()).isEqualTo(403);
        assertThat(member.post("/roles/" + roleId + "/delete").status()).isEqualTo(403);
        assertThat(member.post("/groups", "name", "Mine").status()).isEqualTo(403);
        assertThat(member.post("/groups/" + groupId + "/delete").status()).isEqualTo(403);
        assertThat(member.post("/business-units", "code", "X", "name", "X").status()).isEqualTo(403);
        assertThat(api.get("/api/v1/groups/" + groupId, w.api(fixtures).accessToken()).status()).isEqualTo(200);

        String admin = w.browser().get("/").body();
        assertThat(admin).contains("href=\"/groups\"").contains("href=\"/business-units\"")
                .contains("data-testid=\"tile-Groups\"");
    }

    @Test
    void aCustomRoleIsOfferedOnTheUserPageAndShownByNameOnTheUsersList() {
        var w = world();
        var browser = w.browser();
        var user = fixtures.addUser(w.tenant(), Fixtures.unique("assignee") + "@example.com", "viewer");
        String userId = user.path("id").asString();
        browser.get("/roles/new");
        String roleId = idIn(browser.post("/roles", "name", "Billing clerk", "permissions", "users:list"), ROLE_PATH);

        String edit = browser.get("/users/" + userId).body();
        assertThat(edit).contains("value=\"" + roleId + "\"").contains("Billing clerk").contains("Custom");
        var saved = browser.post("/users/" + userId + "/roles", "roles", "viewer", "roles", roleId, "version",
                version(edit));
        assertThat(saved.status()).isEqualTo(200);
        assertThat(saved.body()).contains("The roles are saved.");
        String list = browser.get("/users").body();
        assertThat(list).contains(">Billing clerk<").doesNotContain(">" + roleId + "<");
        assertThat(browser.get("/users?role=" + roleId).body()).contains(user.path("email").asString());

        // a role of another tenant is no role here
        String foreign = customRoleViaApi(world().api(fixtures), "Foreign", "users:list");
        String again = browser.get("/users/" + userId).body();
        var refused = browser.post("/users/" + userId + "/roles", "roles", foreign, "version", version(again));
        assertThat(refused.status()).isEqualTo(400);
        assertThat(refused.body()).contains("is not a role of this tenant");

        // held directly, the role cannot be deleted
        browser.get("/roles/" + roleId);
        var inUse = browser.post("/roles/" + roleId + "/delete");
        assertThat(inUse.status()).isEqualTo(409);
        assertThat(inUse.body()).contains("Members hold this role");

        var audit = api.get("/api/v1/audit-events?action=user.updated", w.api(fixtures).accessToken()).json();
        assertThat(audit.path("items").toString()).contains(roleId);
    }

    @Test
    void groupsAreCreatedFilledWithMembersAndRolesAndDeleted() {
        var w = world();
        var browser = w.browser();
        String empty = browser.get("/groups").body();
        assertThat(empty).contains("This tenant has no groups yet").contains("Create a group");
        assertThat(browser.get("/").body()).contains("data-testid=\"tile-Groups\"");

        String id = idIn(browser.post("/groups", "name", "Night shift", "description", "Weekend on-call"), GROUP_PATH);
        String detail = browser.get("/groups/" + id + "?saved=created").body();
        assertThat(detail).contains("The group is created.").contains("Night shift").contains("No one is in this group");
        var person = fixtures.addUser(w.tenant(), Fixtures.unique("night") + "@example.com", "viewer");
        String personEmail = person.path("email").asString();
        assertThat(browser.get("/groups/" + id).body()).contains("value=\"" + personEmail + "\"");

        var added = browser.post("/groups/" + id + "/members", "email", personEmail.toUpperCase());
        assertThat(added.status()).isIn(302, 303);
        assertThat(browser.get("/groups/" + id).body()).contains("data-testid=\"group-member\"").contains(personEmail);
        String roleId = customRoleViaApi(w.api(fixtures), "Night operator", "users:list", "users:read");
        var role = browser.post("/groups/" + id + "/roles", "role", roleId);
        assertThat(role.status()).isIn(302, 303);
        String filled = browser.get("/groups/" + id).body();
        assertThat(filled).contains("data-testid=\"group-role\"").contains("Night operator");
        assertThat(browser.get("/groups").body()).contains("Night shift").contains("Night operator");
        // members now hold the group's role
        var apiGroup = api.get("/api/v1/groups/" + id, w.api(fixtures).accessToken()).json();
        assertThat(apiGroup.path("members").toString()).contains(person.path("id").asString());
        assertThat(apiGroup.path("roles").toString()).contains(roleId);

        String personId = person.path("id").asString();
        assertThat(browser.post("/groups/" + id + "/members/" + personId + "/remove").status()).isIn(302, 303);
        browser.get("/groups/" + id); // as a browser follows the redirect, taking the page's fresh CSRF token
        assertThat(browser.post("/groups/" + id + "/roles/" + roleId + "/remove").status()).isIn(302, 303);
        assertThat(browser.get("/groups/" + id).body()).doesNotContain("data-testid=\"group-member\"")
                .contains("No one is in this group").contains("gives no role yet");

        String renamedPage = browser.get("/groups/" + id).body();
        var renamed = browser.post("/groups/" + id, "name", "Night crew", "description", "", "version",
                version(renamedPage));
        assertThat(renamed.status()).isIn(302, 303);
        browser.get("/groups/" + id);
        var stale = browser.post("/groups/" + id, "name", "Night owls", "description", "", "version",
                version(renamedPage));
        assertThat(stale.status()).isEqualTo(409);

        browser.get("/groups/" + id);
        var deleted = browser.post("/groups/" + id + "/delete");
        assertThat(deleted.status()).isIn(302, 303);
        assertThat(browser.get("/groups/" + id).status()).isEqualTo(404);
        var audit = api.get("/api/v1/audit-events?action=group.", w.api(fixtures).accessToken()).json().toString();
        assertThat(audit).contains("group.created").contains("group.member_added").contains("group.role_added")
                .contains("group.member_removed").contains("group.deleted");
    }

    @Test
    void groupFormsRefuseBadInputAndOtherTenantsGroupsAreNotFound() {
        var w = world();
        var browser = w.browser();
        browser.get("/groups");
        var missing = browser.post("/groups", "description", "no name");
        assertThat(missing.status()).isEqualTo(422);
        assertThat(missing.body()).contains("id=\"name-error\"").contains("no name");
        assertThat(browser.post("/groups", "name", "g".repeat(101)).status()).isEqualTo(422);
        assertThat(browser.post("/groups", "name", "Fine", "description", "d".repeat(501)).body())
                .contains("id=\"description-error\"");
        var badUnit = browser.post("/groups", "name", "Fine", "business_unit_id", "not-a-unit");
        assertThat(badUnit.status()).isEqualTo(422);
        assertThat(badUnit.body()).contains("id=\"business_unit_id-error\"");
        var unknownUnit = browser.post("/groups", "name", "Fine", "business_unit_id", UUID.randomUUID().toString());
        assertThat(unknownUnit.status()).isEqualTo(422);
        assertThat(browser.postRaw("/groups", "name", "No token").status()).isEqualTo(403);
        assertThat(api.get("/api/v1/groups", w.api(fixtures).accessToken()).json().path("items")).isEmpty();

        String id = idIn(browser.post("/groups", "name", "Taken"), GROUP_PATH);
        browser.get("/groups");
        var taken = browser.post("/groups", "name", "Taken");
        assertThat(taken.status()).isEqualTo(409);
        assertThat(taken.body()).contains("id=\"name-error\"");

        browser.get("/groups/" + id);
        var noEmail = browser.post("/groups/" + id + "/members", "email", "");
        assertThat(noEmail.status()).isEqualTo(422);
        assertThat(noEmail.body()).contains("id=\"email-error\"");
        var outsider = world();
        var stranger = browser.post("/groups/" + id + "/members", "email", outsider.adminEmail());
        assertThat(stranger.status()).isEqualTo(422);
        assertThat(stranger.body()).contains("is not a member of this tenant");
        assertThat(browser.post("/groups/" + id + "/members", "email", "x".repeat(400)).status()).isEqualTo(422);
        var noRole = browser.post("/groups/" + id + "/roles", "role", "emperor");
        assertThat(noRole.status()).isEqualTo(422);
        assertThat(noRole.body()).contains("id=\"role-error\"");
        String foreignRole = customRoleViaApi(outsider.api(fixtures), "Foreign", "users:list");
        assertThat(browser.post("/groups/" + id + "/roles", "role", foreignRole).status()).isEqualTo(422);
        assertThat(browser.post("/groups/" + id + "/members/" + UUID.randomUUID() + "/remove").status())
                .isEqualTo(404);

        var foreign = api.post("/api/v1/groups", outsider.api(fixtures).accessToken(), obj("name", "Foreign group"));
        String foreignId = foreign.json().path("id").asString();
        assertThat(browser.get("/groups/" + foreignId).status()).isEqualTo(404);
        assertThat(browser.get("/groups/nonsense").status()).isEqualTo(404);
        browser.get("/groups");
        assertThat(browser.post("/groups/" + foreignId + "/delete").status()).isEqualTo(404);
        assertThat(browser.post("/groups/" + foreignId + "/members", "email", w.adminEmail()).status()).isEqualTo(404);
        assertThat(browser.post("/groups/" + foreignId + "/roles", "role", "viewer").status()).isEqualTo(404);
        assertThat(browser.post("/groups/" + foreignId, "name", "Mine", "version", "0").status()).isEqualTo(404);
        assertThat(api.get("/api/v1/groups/" + foreignId, outsider.api(fixtures).accessToken()).json().path("name")
                .asString()).isEqualTo("Foreign group");
    }

    @Test
    void theGroupListIsPaginated() {
        var w = world();
        String admin = w.api(fixtures).accessToken();
        for (int i = 0; i < 26; i++) {
            assertThat(api.post("/api/v1/groups", admin, obj("name", "Group " + i)).status()).isEqualTo(201);
        }
        String first = w.browser().get("/groups").body();
        assertThat(first.split("data-testid=\"group-row\"", -1)).hasSize(26);
        var next = Pattern.compile("href=\"(/groups\\?cursor=[^\"]+)\"").matcher(first);
        assertThat(next.find()).isTrue();
        String second = w.browser().get(next.group(1).replace("&amp;", "&")).body();
        assertThat(second.split("data-testid=\"group-row\"", -1)).hasSize(2);
        assertThat(second).doesNotContain("Next page");
        assertThat(w.browser().get("/groups?cursor=not-a-cursor").status()).isEqualTo(400);
    }

    @Test
    void businessUnitsAreCreatedWithMembersAndGroupsAndDeleted() {
        var w = world();
        var browser = w.browser();
        assertThat(browser.get("/business-units").body()).contains("no business units yet");
        var badCode = browser.post("/business-units", "code", "no spaces allowed", "name", "Finance");
        assertThat(badCode.status()).isEqualTo(422);
        assertThat(badCode.body()).contains("id=\"code-error\"").contains("value=\"Finance\"");
        var noName = browser.post("/business-units", "code", "FIN");
        assertThat(noName.status()).isEqualTo(422);
        assertThat(noName.body()).contains("id=\"name-error\"");
        assertThat(browser.post("/business-units", "code", "FIN", "name", "n".repeat(101)).status()).isEqualTo(422);
        var strangerOwner = browser.post("/business-units", "code", "FIN", "name", "Finance", "owner_email",
                "nobody-" + UUID.randomUUID() + "@example.com");
        assertThat(strangerOwner.status()).isEqualTo(422);
        assertThat(strangerOwner.body()).contains("id=\"owner_email-error\"");
        assertThat(browser.postRaw("/business-units", "code", "FIN", "name", "Finance").status()).isEqualTo(403);

        String id = idIn(browser.post("/business-units", "code", "FIN", "name", "Finance", "owner_email",
                w.adminEmail()), UNIT_PATH);
        browser.get("/business-units");
        var taken = browser.post("/business-units", "code", "fin", "name", "Finance again");
        assertThat(taken.status()).isEqualTo(409);
        assertThat(taken.body()).contains("id=\"code-error\"");

        var person = fixtures.addUser(w.tenant(), Fixtures.unique("fin") + "@example.com", "viewer");
        String unitPage = browser.get("/business-units/" + id + "?saved=created").body();
        assertThat(unitPage).contains("The business unit is created.").contains("Owner: User " + w.adminEmail())
                .contains("No group is scoped to this unit");
        var badMember = browser.post("/business-units/" + id + "/members", "email", person.path("email").asString(),
                "role", "emperor");
        assertThat(badMember.status()).isEqualTo(422);
        assertThat(badMember.body()).contains("id=\"role-error\"");
        var member = browser.post("/business-units/" + id + "/members", "email", person.path("email").asString(),
                "role", "member");
        assertThat(member.status()).isIn(302, 303);
        assertThat(browser.get("/business-units/" + id).body()).contains("data-testid=\"unit-member\"")
                .contains(person.path("email").asString()).contains(">Member<");

        String groupId = idIn(browser.post("/groups", "name", "Finance leads", "business_unit_id", id), GROUP_PATH);
        assertThat(browser.get("/business-units/" + id).body()).contains("data-testid=\"unit-group\"")
                .contains("Finance leads");
        assertThat(browser.get("/groups").body()).contains("Finance");
        assertThat(browser.get("/business-units").body()).contains("data-testid=\"unit-row\"").contains("FIN");

        var outsider = world();
        var foreign = api.post("/api/v1/business-units", outsider.api(fixtures).accessToken(),
                obj("code", "OTHER", "name", "Other"));
        String foreignId = foreign.json().path("id").asString();
        assertThat(browser.get("/business-units/" + foreignId).status()).isEqualTo(404);
        browser.get("/business-units");
        assertThat(browser.post("/business-units/" + foreignId + "/delete").status()).isEqualTo(404);
        assertThat(browser.post("/business-units/" + foreignId + "/members", "email", w.adminEmail(), "role",
                "member").status()).isEqualTo(404);
        assertThat(browser.get("/business-units/42").status()).isEqualTo(404);

        browser.get("/business-units/" + id);
        assertThat(browser.post("/business-units/" + id + "/members/" + person.path("id").asString() + "/remove")
                .status()).isIn(302, 303);
        browser.get("/business-units/" + id);
        var deleted = browser.post("/business-units/" + id + "/delete");
        assertThat(deleted.status()).as(deleted.body()).isIn(302, 303);
        assertThat(browser.get("/business-units/" + id).status()).isEqualTo(404);
        assertThat(browser.get("/groups/" + groupId).status()).as("its groups go with it").isEqualTo(404);
        assertThat(api.get("/api/v1/business-units/" + foreignId, outsider.api(fixtures).accessToken()).status())
                .isEqualTo(200);
    }
}
