package dev.canopy.access;

import static dev.canopy.support.Api.obj;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

import org.casbin.jcasbin.main.Enforcer;
import org.casbin.jcasbin.model.Model;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Tag;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

import dev.canopy.access.internal.PermissionPattern;
import dev.canopy.platform.db.ChangeBroadcast;
import dev.canopy.platform.db.TenantTransactions;
import dev.canopy.platform.security.Permission;
import dev.canopy.support.Api;
import dev.canopy.support.ApiTest;
import dev.canopy.support.Fixtures.Session;
import dev.canopy.support.Fixtures.TenantRef;

/**
 * Canopy's decision point against jCasbin (RBAC with domains, allow and deny effects) on random worlds:
 * tenants, custom roles with qualified and wildcard permissions, groups, membership roles, direct grants
 * and denies (some expired). The world is built and changed through the HTTP API, Canopy decides from the
 * database through its cache, jCasbin from the equivalent policy; every decision must match. Several
 * rounds of random changes in between also check that the cache never answers from an old policy.
 */
@Tag("full") // slow (engines, second instances, long waits): left to the full build, -P full, which CI runs
class CasbinDifferentialTest extends ApiTest {

    static final String MODEL = CasbinModel.TEXT;


    private static final int TENANTS = 3;
    private static final int USERS_PER_TENANT = 6;
    private static final int ROUNDS = 4;

    @Autowired
    private AccessDecisionPoint decisions;

    @Autowired
    private TenantTransactions scopes;

    @Autowired
    private JdbcClient jdbc;

    @Autowired
    private ChangeBroadcast changes;

    /** What one tenant holds, as the test set it up through the API. */
    private static final class World {
        TenantRef tenant;
        Session admin;
        final Map<UUID, List<String>> memberRoles = new LinkedHashMap<>();
        final Map<String, List<String>> customRoles = new LinkedHashMap<>();
        final Map<String, Set<UUID>> groupMembers = new LinkedHashMap<>();
        final Map<String, Set<String>> groupRoles = new LinkedHashMap<>();
        /** user → pattern → effect ("allow", "deny", or "expired-allow"/"expired-deny" for lapsed ones) */
        final Map<UUID, Map<String, String>> grants = new HashMap<>();
    }

    @Test
    void everyDecisionMatchesJCasbin() {
        long seed = Long.getLong("canopy.differential.seed", System.nanoTime());
        Random random = new Random(seed);
        List<String> patterns = patternPool();
        List<String> forms = formNames();
        List<World> worlds = new ArrayList<>();
        for (int t = 0; t < TENANTS; t++) {
            worlds.add(build(random, patterns));
        }
        int decided = 0;
        int allowed = 0;
        for (int round = 0; round < ROUNDS; round++) {
            Enforcer casbin = casbin(worlds);
            for (World world : worlds) {
                for (World asked : worlds) {
                    for (UUID user : world.memberRoles.keySet()) {
                        for (String form : forms) {
                            boolean canopy = decisions.allows(asked.tenant.id(), user, false, form);
                            boolean reference = casbin.enforce(user.toString(), asked.tenant.id().toString(), form);
                            assertThat(canopy).as("seed %d round %d: %s in %s may %s", seed, round, user,
                                    asked.tenant.slug(), form).isEqualTo(reference);
                            decided++;
                            allowed += canopy ? 1 : 0;
                        }
                    }
                }
            }
            for (World world : worlds) {
                mutate(random, world, patterns);
            }
        }
        assertThat(decided).isGreaterThan(3000);
        // the random worlds must exercise both outcomes substantially, or the comparison proves little
        assertThat(allowed).isBetween(decided / 20, decided - decided / 20);
    }

    private World build(Random random, List<String> patterns) {
        World w = new World();
        w.tenant = fixtures.tenant();
        w.admin = fixtures.userIn(w.tenant, "tenant_admin");
        w.memberRoles.put(w.admin.userId(), List.of("tenant_admin"));
        for (int r = 0; r < 5; r++) {
            List<String> granted = pick(random, patterns, 1 + random.nextInt(6));
            Api.Response created = api.post("/api/v1/roles", w.admin.accessToken(),
                    obj("name", "Role " + r, "permissions", granted));
            assertThat(created.status()).as(created.toString()).isEqualTo(201);
            w.customRoles.put(created.json().path("id").asString(), granted);
        }
        for (int u = 0; u < USERS_PER_TENANT; u++) {
            String email = dev.canopy.support.Fixtures.unique("diff") + "@example.com";
            var added = fixtures.addUser(w.tenant, email, "viewer");
            UUID userId = UUID.fromString(added.path("id").asString());
            w.memberRoles.put(userId, List.of("viewer"));
            setRoles(w, userId, randomRoles(random, w));
        }
        for (int g = 0; g < 3; g++) {
            Api.Response created = api.post("/api/v1/groups", w.admin.accessToken(), obj("name", "Group " + g));
            String group = created.json().path("id").asString();
            w.groupMembers.put(group, new LinkedHashSet<>());
            w.groupRoles.put(group, new LinkedHashSet<>());
            for (String role : pick(random, roleKeys(w), 1 + random.nextInt(3))) {
                addGroupRole(w, group, role);
            }
            for (UUID user : pick(random, new ArrayList<>(w.memberRoles.keySet()), 1 + random.nextInt(4))) {
                addGroupMember(w, group, user);
            }
        }
        for (UUID user : w.memberRoles.keySet()) {
            if (user.equals(w.admin.userId())) {
                continue; // the administrator builds the world and must keep every permission
            }
            for (int i = random.nextInt(5); i > 0; i--) {
                putGrant(w, user, patterns.get(random.nextInt(patterns.size())), random.nextInt(3) == 0);
            }
        }
        plantExpiredGrants(random, w, patterns);
        return w;
    }

    private void mutate(Random random, World w, List<String> patterns) {
        List<UUID> users = new ArrayList<>(w.memberRoles.keySet());
        users.remove(w.admin.userId());
        for (int i = 0; i < 6; i++) {
            UUID user = users.get(random.nextInt(users.size()));
            String group = pick(random, new ArrayList<>(w.groupMembers.keySet()), 1).getFirst();
            switch (random.nextInt(7)) {
                case 0 -> setRoles(w, user, randomRoles(random, w));
                case 1 -> addGroupMember(w, group, user);
                case 2 -> {
                    if (w.groupMembers.get(group).remove(user)) {
                        assertThat(api.delete("/api/v1/groups/" + group + "/members/" + user,
                                w.admin.accessToken()).status()).isEqualTo(204);
                    }
                }
                case 3 -> putGrant(w, user, patterns.get(random.nextInt(patterns.size())), random.nextBoolean());
                case 4 -> {
                    Map<String, String> mine = w.grants.getOrDefault(user, Map.of());
                    if (!mine.isEmpty()) {
                        String pattern = pick(random, new ArrayList<>(mine.keySet()), 1).getFirst();
                        assertThat(api.delete("/api/v1/users/" + user + "/permissions?permission=" + pattern,
                                w.admin.accessToken()).status()).isEqualTo(204);
                        mine.remove(pattern);
                    }
                }
                case 5 -> {
                    String role = pick(random, new ArrayList<>(w.customRoles.keySet()), 1).getFirst();
                    List<String> granted = pick(random, patterns, 1 + random.nextInt(6));
                    long version = api.get("/api/v1/roles/" + role, w.admin.accessToken()).json().path("version")
                            .asLong();
                    assertThat(api.patch("/api/v1/roles/" + role, w.admin.accessToken(),
                            obj("permissions", granted, "version", version)).status()).isEqualTo(200);
                    w.customRoles.put(role, granted);
                }
                default -> {
                    String role = pick(random, roleKeys(w), 1).getFirst();
                    if (w.groupRoles.get(group).remove(role)) {
                        assertThat(api.delete("/api/v1/groups/" + group + "/roles/" + role, w.admin.accessToken())
                                .status()).isEqualTo(204);
                    }
                    else {
                        addGroupRole(w, group, role);
                    }
                }
            }
        }
    }

    /** Grants that lapsed: written straight to the table (the API takes only future times). */
    private void plantExpiredGrants(Random random, World w, List<String> patterns) {
        for (UUID user : w.memberRoles.keySet()) {
            if (random.nextBoolean()) {
                continue;
            }
            String pattern = patterns.get(random.nextInt(patterns.size()));
            if (w.grants.getOrDefault(user, Map.of()).containsKey(pattern)) {
                continue;
            }
            boolean deny = random.nextBoolean();
            scopes.inTenant(w.tenant.id(), () -> {
                jdbc.sql("""
                        insert into user_permissions (tenant_id, user_id, permission, effect, expires_at)
                        values (?, ?, ?, ?, now() - interval '1 minute')
                        """).params(w.tenant.id(), user, pattern, deny ? "deny" : "allow").update();
                changes.publish("policy", w.tenant.id().toString());
            });
            w.grants.computeIfAbsent(user, u -> new HashMap<>()).put(pattern, deny ? "expired-deny" : "expired-allow");
        }
    }

    private static Enforcer casbin(List<World> worlds) {
        Enforcer enforcer = new Enforcer(Model.newModelFromString(MODEL));
        enforcer.enableLog(false);
        List<List<String>> policies = new ArrayList<>();
        List<List<String>> links = new ArrayList<>();
        for (World w : worlds) {
            String dom = w.tenant.id().toString();
            for (BuiltInRole role : BuiltInRole.values()) {
                role.permissions().forEach(p -> policies.add(List.of("role:" + role.key(), dom, regex(p.name()),
                        "allow")));
            }
            w.customRoles.forEach((id, granted) -> granted.forEach(p -> policies.add(List.of("role:" + id, dom,
                    regex(p), "allow"))));
            w.memberRoles.forEach((user, roles) -> roles.forEach(r -> links.add(List.of(user.toString(),
                    "role:" + r, dom))));
            w.groupMembers.forEach((group, members) -> members.forEach(m -> links.add(List.of(m.toString(),
                    "group:" + group, dom))));
            w.groupRoles.forEach((group, roles) -> roles.forEach(r -> links.add(List.of("group:" + group,
                    "role:" + r, dom))));
            w.grants.forEach((user, mine) -> mine.forEach((pattern, effect) -> {
                if (!effect.startsWith("expired")) {
                    policies.add(List.of(user.toString(), dom, regex(pattern), effect));
                }
            }));
        }
        if (!policies.isEmpty()) {
            enforcer.addPolicies(policies);
        }
        if (!links.isEmpty()) {
            enforcer.addGroupingPolicies(links);
        }
        return enforcer;
    }

    static String regex(String pattern) {
        return PermissionPattern.parse(pattern).orElseThrow().toRegex();
    }

    private void setRoles(World w, UUID user, List<String> roles) {
        long version = api.get("/api/v1/users/" + user, w.admin.accessToken()).json().path("version").asLong();
        Api.Response changed = api.patch("/api/v1/users/" + user, w.admin.accessToken(),
                obj("roles", roles, "version", version));
        assertThat(changed.status()).as(changed.toString()).isEqualTo(200);
        w.memberRoles.put(user, roles);
    }

    private void addGroupRole(World w, String group, String role) {
        assertThat(api.post("/api/v1/groups/" + group + "/roles/" + role, w.admin.accessToken(), null).status())
                .isEqualTo(204);
        w.groupRoles.get(group).add(role);
    }

    private void addGroupMember(World w, String group, UUID user) {
        assertThat(api.post("/api/v1/groups/" + group + "/members/" + user, w.admin.accessToken(), null).status())
                .isEqualTo(204);
        w.groupMembers.get(group).add(user);
    }

    private void putGrant(World w, UUID user, String pattern, boolean deny) {
        Api.Response put = api.post("/api/v1/users/" + user + "/permissions", w.admin.accessToken(),
                obj("permission", pattern, "effect", deny ? "deny" : "allow", "expires_at",
                        Instant.now().plusSeconds(3600).toString()));
        assertThat(put.status()).as(put.toString()).isEqualTo(201);
        w.grants.computeIfAbsent(user, u -> new HashMap<>()).put(pattern, deny ? "deny" : "allow");
    }

    private static List<String> randomRoles(Random random, World w) {
        List<String> pool = new ArrayList<>(List.of("member", "viewer"));
        pool.addAll(w.customRoles.keySet());
        return pick(random, pool, 1 + random.nextInt(3));
    }

    private static List<String> roleKeys(World w) {
        List<String> keys = new ArrayList<>(List.of("member", "viewer"));
        keys.addAll(w.customRoles.keySet());
        return keys;
    }

    private static <T> List<T> pick(Random random, List<T> pool, int count) {
        List<T> copy = new ArrayList<>(pool);
        java.util.Collections.shuffle(copy, random);
        return List.copyOf(copy.subList(0, Math.min(count, copy.size())));
    }

    /** Every registered tenant-level form, plus wildcards over resources and qualifiers. */
    static List<String> patternPool() {
        Set<String> pool = new TreeSet<>();
        for (Permission p : Permissions.ALL) {
            if (p.level() != Permission.Level.TENANT) {
                continue;
            }
            pool.add(p.name());
            String resource = p.name().split(":")[0];
            pool.add(resource + ":*");
            for (String q : p.qualifiers()) {
                pool.add(p.name() + ":" + q);
                pool.add(resource + ":*:" + q);
            }
        }
        return List.copyOf(pool);
    }

    /** Every permission form the registry knows, platform-level ones included. */
    static List<String> formNames() {
        List<String> forms = new ArrayList<>();
        for (Permission p : Permissions.ALL) {
            forms.add(p.name());
            p.qualifiers().forEach(q -> forms.add(p.name() + ":" + q));
        }
        return forms;
    }
}
