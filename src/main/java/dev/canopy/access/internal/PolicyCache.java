package dev.canopy.access.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;

/**
 * Compiled policies per (user, tenant), with a policy version per tenant that every broadcast change of
 * the tenant advances. An entry remembers the version it was compiled under and is compiled again once
 * the version moved on, so a compile that raced a change is never kept. Entries also leave when a
 * time-limited grant they include runs out, and after five minutes at most.
 */
public final class PolicyCache {

    /** A safety net only: changes make entries stale long before this. */
    private static final Duration MAX_AGE = Duration.ofMinutes(5);

    /** Whose policy, where. The hash is computed once: keys are looked up on every check. */
    public static final class Key {

        private final UUID userId;
        private final UUID tenantId;
        private final boolean platformAdmin;
        private final @org.jspecify.annotations.Nullable UUID businessUnitId;
        private final @org.jspecify.annotations.Nullable UUID viaTenantId;
        private final int hash;

        public Key(UUID userId, UUID tenantId, boolean platformAdmin) {
            this(userId, tenantId, platformAdmin, null, null);
        }

        /** The policy for resources of a business unit (tenant-wide sources plus the unit's). */
        public Key(UUID userId, UUID tenantId, boolean platformAdmin,
                @org.jspecify.annotations.Nullable UUID businessUnitId) {
            this(userId, tenantId, platformAdmin, businessUnitId, null);
        }

        /** With {@code viaTenantId}: for a session acting in the tenant through an access grant from there. */
        public Key(UUID userId, UUID tenantId, boolean platformAdmin,
                @org.jspecify.annotations.Nullable UUID businessUnitId,
                @org.jspecify.annotations.Nullable UUID viaTenantId) {
            this.userId = userId;
            this.tenantId = tenantId;
            this.platformAdmin = platformAdmin;
            this.businessUnitId = businessUnitId;
            this.viaTenantId = viaTenantId;
            this.hash = (((userId.hashCode() * 31 + tenantId.hashCode()) * 31 + Boolean.hashCode(platformAdmin)) * 31
                    + java.util.Objects.hashCode(businessUnitId)) * 31 + java.util.Objects.hashCode(viaTenantId);
        }

        public @org.jspecify.annotations.Nullable UUID viaTenantId() {
            return viaTenantId;
        }

        public @org.jspecify.annotations.Nullable UUID businessUnitId() {
            return businessUnitId;
        }

        public UUID userId() {
            return userId;
        }

        public UUID tenantId() {
            return tenantId;
        }

        public boolean platformAdmin() {
            return platformAdmin;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && k.hash == hash && k.platformAdmin == platformAdmin
                    && k.userId.equals(userId) && k.tenantId.equals(tenantId)
                    && java.util.Objects.equals(k.businessUnitId, businessUnitId)
                    && java.util.Objects.equals(k.viaTenantId, viaTenantId);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }

    /**
     * A compiled policy and the tenant's policy version it was compiled under. A holder (a principal's
     * permission set) may keep it and use it while {@link #current()}, without looking it up again.
     */
    public static final class Entry {

        private final CompiledPolicy policy;
        private final AtomicLong tenantVersion;
        private final long compiledAt;
        /** For delegated sessions, the grantee tenant's version too: their role there decides. */
        private final @org.jspecify.annotations.Nullable AtomicLong viaVersion;
        private final long viaCompiledAt;

        Entry(CompiledPolicy policy, AtomicLong tenantVersion, long compiledAt,
                @org.jspecify.annotations.Nullable AtomicLong viaVersion, long viaCompiledAt) {
            this.policy = policy;
            this.tenantVersion = tenantVersion;
            this.compiledAt = compiledAt;
            this.viaVersion = viaVersion;
            this.viaCompiledAt = viaCompiledAt;
        }

        boolean versionsHold() {
            return tenantVersion.get() == compiledAt && (viaVersion == null || viaVersion.get() == viaCompiledAt);
        }

        public CompiledPolicy policy() {
            return policy;
        }

        /** Still the tenant's policy, and not holding a grant that may have run out since. */
        public boolean current() {
            return versionsHold() && policy.expiresAt() == null;
        }
    }

    private final ConcurrentHashMap<UUID, AtomicLong> versions = new ConcurrentHashMap<>();
    private final Cache<Key, Entry> cache = Caffeine.newBuilder()
            .maximumSize(200_000)
            .expireAfter(Expiry.<Key, Entry>writing((key, entry) -> lifetime(entry.policy())))
            .build();
    private final Function<Key, CompiledPolicy> compiler;

    public PolicyCache(Function<Key, CompiledPolicy> compiler) {
        this.compiler = compiler;
    }

    /** The key's current policy: from the cache when compiled under the tenant's current version. */
    public CompiledPolicy policy(Key key) {
        return entry(key).policy();
    }

    /** The key's current entry, compiled again when the tenant's version moved on since. */
    public Entry entry(Key key) {
        Entry entry = cache.getIfPresent(key);
        // time-limited entries are trusted here: the cache itself drops them when their grant runs out
        if (entry != null && entry.versionsHold()) {
            return entry;
        }
        AtomicLong version = versions.computeIfAbsent(key.tenantId(), t -> new AtomicLong());
        long compiledAt = version.get();
        AtomicLong viaVersion = key.viaTenantId() == null ? null
                : versions.computeIfAbsent(key.viaTenantId(), t -> new AtomicLong());
        long viaCompiledAt = viaVersion == null ? 0 : viaVersion.get();
        CompiledPolicy policy = compiler.apply(key);
        entry = new Entry(policy, version, compiledAt, viaVersion, viaCompiledAt);
        cache.put(key, entry);
        return entry;
    }

    /** The tenant's policy changed: every policy compiled for it so far is stale. */
    public void advance(UUID tenantId) {
        versions.computeIfAbsent(tenantId, t -> new AtomicLong()).incrementAndGet();
    }

    /** The user changed in a way that may touch every tenant (e.g. became a platform administrator). */
    public void forgetUser(UUID userId) {
        cache.asMap().keySet().removeIf(k -> k.userId().equals(userId));
    }

    /** Changes may have been missed: nothing cached can be trusted. */
    public void forgetAll() {
        versions.values().forEach(AtomicLong::incrementAndGet);
        cache.invalidateAll();
    }

    public long version(UUID tenantId) {
        AtomicLong version = versions.get(tenantId);
        return version == null ? 0 : version.get();
    }

    private static Duration lifetime(CompiledPolicy policy) {
        if (policy.expiresAt() == null) {
            return MAX_AGE;
        }
        Duration untilExpiry = Duration.between(Instant.now(), policy.expiresAt());
        return untilExpiry.isNegative() ? Duration.ZERO : untilExpiry.compareTo(MAX_AGE) > 0 ? MAX_AGE : untilExpiry;
    }
}
