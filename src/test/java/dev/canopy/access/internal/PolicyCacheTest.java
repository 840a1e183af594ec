package dev.canopy.access.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

import dev.canopy.access.Permissions;

/** The compiled-policy cache and the compiler, without the database. */
class PolicyCacheTest {

    private final PermissionIndex index = new PermissionIndex(Permissions.ALL);
    private final UUID tenant = UUID.randomUUID();
    private final PolicyCache.Key key = new PolicyCache.Key(UUID.randomUUID(), tenant, false);

    @Test
    void aCompileThatRacedAChangeIsNeverKept() {
        AtomicReference<List<String>> granted = new AtomicReference<>(List.of("users:list"));
        AtomicInteger compiles = new AtomicInteger();
        AtomicReference<PolicyCache> cache = new AtomicReference<>();
        cache.set(new PolicyCache(k -> {
            List<String> read = granted.get();
            if (compiles.incrementAndGet() == 1) {
                // a change commits and is heard after this compile read the old data
                granted.set(List.of("users:delete"));
                cache.get().advance(tenant);
            }
            return PolicyCompiler.compile(index, List.of(PolicySource.role("r", "r", read)));
        }));

        assertThat(cache.get().policy(key).allows("users:list")).as("the raced compile answers once").isTrue();
        CompiledPolicy next = cache.get().policy(key);
        assertThat(compiles.get()).isEqualTo(2);
        assertThat(next.allows("users:delete")).isTrue();
        assertThat(next.allows("users:list")).isFalse();
        assertThat(cache.get().policy(key)).isSameAs(next);
        assertThat(compiles.get()).as("current entries are reused").isEqualTo(2);
    }

    @Test
    void aHeldEntryIsCurrentUntilItsTenantChanges() {
        PolicyCache cache = new PolicyCache(k -> PolicyCompiler.compile(index,
                List.of(PolicySource.role("r", "r", List.of("users:list")))));
        PolicyCache.Entry entry = cache.entry(key);
        assertThat(entry.current()).isTrue();
        cache.advance(UUID.randomUUID());
        assertThat(entry.current()).as("another tenant's change").isTrue();
        cache.advance(tenant);
        assertThat(entry.current()).isFalse();
        assertThat(cache.entry(key).current()).isTrue();
        cache.forgetAll();
        assertThat(cache.entry(key)).isNotNull();
    }

    @Test
    void entriesWithATimeLimitedGrantAreNeverHeldAndLeaveWhenItRunsOut() throws InterruptedException {
        Instant expires = Instant.now().plusMillis(300);
        AtomicInteger compiles = new AtomicInteger();
        PolicyCache cache = new PolicyCache(k -> {
            compiles.incrementAndGet();
            return PolicyCompiler.compile(index, Instant.now().isBefore(expires)
                    ? List.of(PolicySource.direct("users:list", false, expires)) : List.of());
        });
        assertThat(cache.entry(key).current()).isFalse();
        assertThat(cache.policy(key).allows("users:list")).isTrue();
        Thread.sleep(400);
        assertThat(cache.policy(key).allows("users:list")).isFalse();
        assertThat(compiles.get()).isEqualTo(2);
    }

    @Test
    void denyWinsAndQualifiersFollowTheirPermission() {
        CompiledPolicy policy = PolicyCompiler.compile(index, List.of(
                PolicySource.role("r", "r", List.of("deployments:*", "users:list")),
                PolicySource.direct("deployments:delete:production", true, null),
                PolicySource.direct("users:list", true, null)));
        assertThat(policy.allows("deployments:delete")).isTrue();
        assertThat(policy.allows("deployments:delete:own")).isTrue();
        assertThat(policy.allows("deployments:delete:production")).isFalse();
        assertThat(policy.allows("deployments:create:production")).isTrue();
        assertThat(policy.allows("users:list")).isFalse();
        assertThat(policy.allows("users:read")).isFalse();
        assertThat(policy.names()).contains("deployments:delete", "deployments:create")
                .doesNotContain("deployments:delete:own", "users:list");
        assertThat(index.mask("deployments:*:own")).isNotEqualTo(new long[index.words()]);
        assertThat(index.coversAny("deployments:fly")).isFalse();
        assertThat(index.coversAny("deployments:create:own")).as("create has no :own form").isFalse();
        assertThat(index.coversPlatformLevel("platform:*")).isTrue();
        assertThat(PermissionPattern.parse("Deployments:*")).isEmpty();
        assertThat(PermissionPattern.parse("*:*")).isEmpty();
    }
}
