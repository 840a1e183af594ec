package dev.canopy.access.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.casbin.jcasbin.main.CachedEnforcer;
import org.casbin.jcasbin.main.Enforcer;
import org.casbin.jcasbin.model.Model;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import dev.canopy.access.internal.CompiledPolicy;
import dev.canopy.access.internal.LivePermissions;
import dev.canopy.access.internal.PermissionIndex;
import dev.canopy.access.internal.PermissionPattern;
import dev.canopy.access.internal.PolicyCache;
import dev.canopy.access.internal.PolicyCompiler;
import dev.canopy.access.internal.PolicySource;
import dev.canopy.platform.security.Permission;

/**
 * The decision point against jCasbin on the same decisions. A registry of 300 permissions; a principal
 * holding 20 roles of 15 permission patterns each (wildcards among them), two direct grants and a deny.
 * jCasbin gets the equivalent RBAC-with-domains policy (the differential test's model), padded with
 * other tenants' roles to 10,000 policy lines. Run with {@code AccessBenchmarkRun} (see docs/benchmarks.md).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = { "-Xmx1g" })
public class AccessBenchmarks {

    static final int PERMISSIONS = 300;
    static final int ROLES = 20;
    static final int PATTERNS_PER_ROLE = 15;
    static final int POLICY_LINES = 10_000;

    /** The registry, the principal's sources, a warm cache and both jCasbin enforcers. */
    @State(Scope.Benchmark)
    public static class World {

        List<Permission> registry;
        PermissionIndex index;
        List<PolicySource> sources;
        PolicyCache cache;
        PolicyCache.Key key;
        LivePermissions live;
        CompiledPolicy compiled;
        String asked;
        int askedSlot;
        Enforcer enforcer;
        CachedEnforcer cachedEnforcer;

        @Setup(Level.Trial)
        public void setUp() {
            Random random = new Random(42);
            registry = new ArrayList<>();
            List<String> resources = new ArrayList<>();
            for (int r = 0; r < PERMISSIONS / 10; r++) {
                resources.add("res_" + letters(r));
            }
            for (String resource : resources) {
                for (int a = 0; a < 10; a++) {
                    registry.add(new Permission(resource + ":act_" + letters(a), "Benchmark permission", "Bench",
                            Permission.Level.TENANT));
                }
            }
            index = new PermissionIndex(registry);
            sources = new ArrayList<>();
            List<List<String>> rolePatterns = new ArrayList<>();
            for (int r = 0; r < ROLES; r++) {
                List<String> patterns = new ArrayList<>();
                for (int p = 0; p < PATTERNS_PER_ROLE; p++) {
                    patterns.add(p == 0 ? resources.get(random.nextInt(resources.size())) + ":*"
                            : registry.get(random.nextInt(registry.size())).name());
                }
                rolePatterns.add(patterns);
                sources.add(PolicySource.role("role_" + r, "Role " + r, patterns));
            }
            String granted1 = registry.get(random.nextInt(registry.size())).name();
            String granted2 = registry.get(random.nextInt(registry.size())).name();
            String denied = registry.get(random.nextInt(registry.size())).name();
            sources.add(PolicySource.direct(granted1, false, null));
            sources.add(PolicySource.direct(granted2, false, null));
            sources.add(PolicySource.direct(denied, true, null));

            // the permission asked: one the last role grants, and not the denied one
            asked = rolePatterns.get(ROLES - 1).get(PATTERNS_PER_ROLE - 1);
            if (asked.equals(denied)) {
                asked = rolePatterns.get(ROLES - 1).get(PATTERNS_PER_ROLE - 2);
            }
            askedSlot = index.slot(asked);
            key = new PolicyCache.Key(UUID.randomUUID(), UUID.randomUUID(), false);
            cache = new PolicyCache(k -> PolicyCompiler.compile(index, sources));
            live = new LivePermissions(key.tenantId(), key.userId(), () -> cache.entry(key));
            compiled = cache.policy(key);
            if (!compiled.allows(askedSlot) || !live.contains(asked)) {
                throw new IllegalStateException("the asked permission must be allowed");
            }

            Model model = Model.newModelFromString(dev.canopy.access.CasbinModel.TEXT);
            enforcer = new Enforcer(model);
            enforcer.enableLog(false);
            cachedEnforcer = new CachedEnforcer(Model.newModelFromString(dev.canopy.access.CasbinModel.TEXT));
            cachedEnforcer.enableLog(false);
            List<List<String>> policies = new ArrayList<>();
            List<List<String>> links = new ArrayList<>();
            String user = "alice";
            String dom = "tenant_0";
            for (int r = 0; r < ROLES; r++) {
                links.add(List.of(user, "role_" + r, dom));
                for (String pattern : rolePatterns.get(r)) {
                    policies.add(List.of("role_" + r, dom, regex(pattern), "allow"));
                }
            }
            policies.add(List.of(user, dom, regex(granted1), "allow"));
            policies.add(List.of(user, dom, regex(granted2), "allow"));
            policies.add(List.of(user, dom, regex(denied), "deny"));
            // other tenants' roles, as on a platform with many tenants
            for (int i = 0; policies.size() < POLICY_LINES; i++) {
                String otherDom = "tenant_" + (1 + i / 300);
                policies.add(List.of("role_" + (i % ROLES), otherDom,
                        regex(registry.get(random.nextInt(registry.size())).name()), "allow"));
            }
            enforcer.addPolicies(policies);
            enforcer.addGroupingPolicies(links);
            cachedEnforcer.addPolicies(policies);
            cachedEnforcer.addGroupingPolicies(links);
            if (!enforcer.enforce(user, dom, asked) || !cachedEnforcer.enforce(user, dom, asked)
                    || enforcer.enforce(user, dom, denied)) {
                throw new IllegalStateException("jCasbin must decide as Canopy does");
            }
        }
    }

    /** The principal's check as every endpoint makes it: cache look-up, name to slot, bit test. */
    @Benchmark
    public boolean canopyCachedCheckByName(World w) {
        return w.live.contains(w.asked);
    }

    /** A check through the cache by (user, tenant) key, as for a principal not held: Caffeine look-up, bit test. */
    @Benchmark
    public boolean canopyCacheLookupCheck(World w) {
        return w.cache.policy(w.key).allows(w.askedSlot);
    }

    /** The bit test alone, on a policy already in hand. */
    @Benchmark
    public boolean canopyBitTest(World w) {
        return w.compiled.allows(w.askedSlot);
    }

    /** Compiling the 20-role principal (23 sources, 303 patterns) over the 300-permission registry. */
    @Benchmark
    public CompiledPolicy canopyColdCompile(World w) {
        return PolicyCompiler.compile(w.index, w.sources);
    }

    /** The same compile with a fresh registry index: every pattern's mask computed, none remembered. */
    @Benchmark
    public CompiledPolicy canopyColdCompileFreshIndex(World w) {
        return PolicyCompiler.compile(new PermissionIndex(w.registry), w.sources);
    }

    @Benchmark
    public boolean casbinEnforce(World w) {
        return w.enforcer.enforce("alice", "tenant_0", w.asked);
    }

    /** jCasbin's cached enforcer asked the same request again: a hit. */
    @Benchmark
    public boolean casbinCachedEnforceHit(World w) {
        return w.cachedEnforcer.enforce("alice", "tenant_0", w.asked);
    }

    static String regex(String pattern) {
        return PermissionPattern.parse(pattern).orElseThrow().toRegex();
    }

    static String letters(int n) {
        return "" + (char) ('a' + n / 26) + (char) ('a' + n % 26);
    }
}
