package dev.canopy.tenancy.internal;

import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.canopy.access.AccessSetup;
import dev.canopy.catalog.CatalogSetup;
import dev.canopy.audit.Actor;
import dev.canopy.audit.AuditRecord;
import dev.canopy.audit.AuditTrail;
import dev.canopy.identity.Accounts;
import dev.canopy.identity.Members;
import dev.canopy.platform.Ids;

/**
 * {@code CANOPY_DEMO_DATA=true} on an empty database: an MSP with two client tenants, a handful of users with
 * different roles in each (passwords generated and printed once) and some audit history, so a first look at the
 * console shows a living platform, with a few groups and a custom role held by a user (set up through the access
 * module's {@link AccessSetup} and identity's {@link Members}: tenancy touches neither's tables).
 */
final class DemoData {

    private static final Logger log = LoggerFactory.getLogger(DemoData.class);
    static final String DOMAIN = "demo.canopy.local";

    /** A demo person: where they belong and with which roles. */
    record Person(String email, String name, Map<String, List<String>> rolesBySlug) {
    }

    /** What was created, for the log and the tests. */
    record Seeded(Map<String, UUID> tenants, Map<String, String> passwords) {
    }

    private final Accounts accounts;
    private final Members members;
    private final TenantRecords tenants;
    private final AuditTrail audit;
    private final AccessSetup access;
    private final CatalogSetup catalog;
    private final SecureRandom random = new SecureRandom();
    private final String prefix;
    private final List<AuditRecord> history = new ArrayList<>();

    /** {@code prefix} goes before every slug and email (empty for real use; tests seed several worlds). */
    DemoData(Accounts accounts, Members members, TenantRecords tenants, AuditTrail audit, AccessSetup access,
            CatalogSetup catalog, String prefix) {
        this.access = access;
        this.catalog = catalog;
        this.accounts = accounts;
        this.members = members;
        this.tenants = tenants;
        this.audit = audit;
        this.prefix = prefix;
    }

    static List<Person> people() {
        return List.of(
                new Person("msp-admin@" + DOMAIN, "Morgan Msp", Map.of("northwind", List.of("tenant_admin"),
                        "contoso", List.of("tenant_admin"), "fabrikam", List.of("tenant_admin"))),
                new Person("alice@" + DOMAIN, "Alice Analyst", Map.of("northwind", List.of("member"),
                        "contoso", List.of("viewer"))),
                new Person("victor@" + DOMAIN, "Victor Viewer", Map.of("northwind", List.of("viewer"))),
                new Person("carol@" + DOMAIN, "Carol Contoso", Map.of("contoso", List.of("tenant_admin"))),
                new Person("dave@" + DOMAIN, "Dave Developer", Map.of("contoso", List.of("member"),
                        "fabrikam", List.of("viewer"))),
                new Person("erin@" + DOMAIN, "Erin Fabrikam", Map.of("fabrikam", List.of("tenant_admin"))));
    }

    /** Seeds the demo world; the caller runs it in the bootstrap's transaction, so it happens once. */
    Seeded seed(UUID platformAdminId, String platformAdminEmail) {
        Instant now = Instant.now();
        var ids = new LinkedHashMap<String, UUID>();
        ids.put("northwind", Ids.newId());
        ids.put("contoso", Ids.newId());
        ids.put("fabrikam", Ids.newId());
        tenants.insert(ids.get("northwind"), "Northwind MSP", prefix + "northwind", null, "eu-west");
        tenants.insert(ids.get("contoso"), "Contoso Retail", prefix + "contoso", ids.get("northwind"), "eu-west");
        tenants.insert(ids.get("fabrikam"), "Fabrikam Health", prefix + "fabrikam", ids.get("northwind"), "us-east");
        var admin = new Actor.UserActor(platformAdminId, platformAdminEmail);
        ids.forEach((slug, id) -> history(id, now.minus(Duration.ofDays(29)), admin, "tenant.created", "tenant",
                id.toString(), Map.of("slug", slug)));

        var passwords = new LinkedHashMap<String, String>();
        var users = new LinkedHashMap<String, UUID>();
        int index = 0;
        for (Person person : people()) {
            String password = password();
            String email = prefix + person.email();
            UUID userId = accounts.createUser(email, person.name(), password);
            passwords.put(email, password);
            users.put(email, userId);
            // in the tenants' order, so the first one (the MSP for its staff) is their primary tenant
            for (var entry : ids.entrySet()) {
                List<String> roles = person.rolesBySlug().get(entry.getKey());
                if (roles == null) {
                    continue;
                }
                UUID tenantId = entry.getValue();
                members.add(tenantId, userId, roles);
                history(tenantId, now.minus(Duration.ofDays(27 - index * 3L)), admin, "user.added", "user",
                        userId.toString(), Map.of("email", email, "roles", roles));
            }
            index++;
        }
        accessControl(ids, users, admin, now);
        templates(ids, users, now);
        activity(ids, users, now);
        // appended in time order, so the chain reads as the history it tells
        history.sort(java.util.Comparator.comparing(AuditRecord::occurredAt));
        history.forEach(audit::append);
        passwords.forEach((email, password) -> log.warn(
                "Demo user {} has the generated password {} - shown only this once", email, password));
        log.info("Demo data: tenants {}, {} users; sign in at / with any of them", ids.keySet(), passwords.size());
        return new Seeded(ids, passwords);
    }

    /** A custom role held by a user, and a group in each tenant with members and roles. */
    private void accessControl(Map<String, UUID> ids, Map<String, UUID> users, Actor.UserActor admin, Instant now) {
        UUID contoso = ids.get("contoso");
        String operator = access.createRole(contoso, "Cloud operator",
                "Connects, checks and maintains the tenant's cloud accounts", List.of("cloud_accounts:list",
                        "cloud_accounts:read", "cloud_accounts:create", "cloud_accounts:update", "cloud_accounts:test"));
        history(contoso, now.minus(Duration.ofDays(12)), admin, "role.created", "role", operator,
                Map.of("name", "Cloud operator"));
        UUID dave = users.get(prefix + "dave@" + DOMAIN);
        members.giveRole(contoso, dave, operator);
        history(contoso, now.minus(Duration.ofDays(11)), admin, "user.updated", "user", dave.toString(),
                Map.of("roles", List.of("member", operator)));
        group(ids.get("northwind"), "MSP operations", "Staff who look after the client tenants day to day",
                List.of(users.get(prefix + "msp-admin@" + DOMAIN), users.get(prefix + "alice@" + DOMAIN)),
                List.of("member"), admin, now.minus(Duration.ofDays(10)));
        group(contoso, "Store IT", "The stores' IT team: runs the cloud accounts",
                List.of(users.get(prefix + "carol@" + DOMAIN), dave), List.of(operator), admin,
                now.minus(Duration.ofDays(9)));
        group(ids.get("fabrikam"), "Clinical apps", "Reads the clinical applications' set-up",
                List.of(users.get(prefix + "erin@" + DOMAIN), dave), List.of("viewer"), admin,
                now.minus(Duration.ofDays(8)));
        // Fabrikam lets the MSP's members look in without joining it: Alice sees it in her switcher "via" Northwind
        UUID fabrikam = ids.get("fabrikam");
        UUID grant = access.grantAccess(fabrikam, ids.get("northwind"), "viewer", "member", admin.id());
        history(fabrikam, now.minus(Duration.ofDays(7)), admin, "access_grant.created", "tenant", fabrikam.toString(),
                Map.of("access_grant_id", grant.toString(), "grantee_tenant_id", ids.get("northwind").toString(),
                        "role_id", "viewer", "grantee_role", "member"));
    }

    /** Northwind's golden VM shared with its clients, and Contoso's own locked web shop with a conditional form. */
    private void templates(Map<String, UUID> ids, Map<String, UUID> users, Instant now) {
        String morgan = prefix + "msp-admin@" + DOMAIN;
        UUID vm = catalog.publish(ids.get("northwind"), users.get(morgan), morgan, "Linux VM (golden image)",
                "A hardened Debian virtual machine with the MSP's monitoring agent", "ansible",
                List.of("vm", "linux"), false, DemoTemplates.goldenVm(), true);
        history(ids.get("northwind"), now.minus(Duration.ofDays(6)), new Actor.UserActor(users.get(morgan), morgan),
                "template.created", "template", vm.toString(), Map.of("driver", "ansible"));
        String carol = prefix + "carol@" + DOMAIN;
        UUID shop = catalog.publish(ids.get("contoso"), users.get(carol), carol, "Web shop",
                "The store front on Kubernetes: container image or a managed VM", "kubernetes",
                List.of("web", "retail"), true, DemoTemplates.webShop(), false);
        history(ids.get("contoso"), now.minus(Duration.ofDays(5)), new Actor.UserActor(users.get(carol), carol),
                "template.created", "template", shop.toString(), Map.of("driver", "kubernetes", "locked", true));
    }

    private void group(UUID tenantId, String name, String description, List<UUID> people, List<String> roles,
            Actor admin, Instant at) {
        UUID groupId = access.createGroup(tenantId, name, description, people, roles);
        history(tenantId, at, admin, "group.created", "group", groupId.toString(), Map.of("name", name));
        people.forEach(userId -> history(tenantId, at.plus(Duration.ofMinutes(5)), admin, "group.member_added",
                "group", groupId.toString(), Map.of("user_id", userId.toString())));
    }

    /** Sign-ins spread over the last four weeks, so the dashboard's chart has something to show. */
    private void activity(Map<String, UUID> ids, Map<String, UUID> users, Instant now) {
        var emails = new ArrayList<>(users.keySet());
        for (int day = 25; day >= 0; day--) {
            for (var entry : ids.entrySet()) {
                int events = 1 + random.nextInt(4);
                for (int i = 0; i < events; i++) {
                    String email = emails.get(random.nextInt(emails.size()));
                    history(entry.getValue(), now.minus(Duration.ofDays(day)).minus(Duration.ofMinutes(
                            random.nextInt(600))), new Actor.UserActor(users.get(email), email), "auth.login", "session",
                            null, Map.of());
                }
            }
        }
    }

    private void history(UUID tenantId, Instant at, Actor actor, String action, String resourceType,
            String resourceId, Map<String, Object> details) {
        var marked = new LinkedHashMap<String, Object>(details);
        marked.put("demo", true);
        history.add(new AuditRecord(tenantId, at, actor, action, resourceType, resourceId, true, null, null,
                "canopy demo data", null, marked));
    }

    private String password() {
        String alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
        var password = new StringBuilder();
        for (int i = 0; i < 20; i++) {
            password.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return password.toString();
    }
}
