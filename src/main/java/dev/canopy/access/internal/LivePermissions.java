package dev.canopy.access.internal;

import java.util.AbstractSet;
import java.util.Iterator;
import java.util.UUID;
import java.util.function.Supplier;


/**
 * A principal's permission names as a set that always answers from the current compiled policy: a
 * principal cached for a session sees role, group and grant changes as soon as the policy does. It keeps
 * the cache entry it last got and uses it while the tenant's policy version has not moved (one volatile
 * read), so {@code contains} is a version check, a name-to-slot look-up and a bit test; otherwise it asks
 * the cache again.
 */
public final class LivePermissions extends AbstractSet<String> {

    private final UUID tenantId;
    private final UUID userId;
    private final Supplier<PolicyCache.Entry> entries;
    private volatile PolicyCache.@org.jspecify.annotations.Nullable Entry last;

    public LivePermissions(UUID tenantId, UUID userId, Supplier<PolicyCache.Entry> entries) {
        this.tenantId = tenantId;
        this.userId = userId;
        this.entries = entries;
    }

    public CompiledPolicy policy() {
        PolicyCache.Entry entry = last;
        if (entry == null || !entry.current()) {
            entry = entries.get();
            last = entry;
        }
        return entry.policy();
    }

    public UUID tenantId() {
        return tenantId;
    }

    public UUID userId() {
        return userId;
    }

    @Override
    public boolean contains(Object o) {
        return o instanceof String name && policy().allows(name);
    }

    @Override
    public Iterator<String> iterator() {
        return policy().names().iterator();
    }

    @Override
    public int size() {
        return policy().names().size();
    }

    @Override
    public String toString() {
        return "LivePermissions[" + userId + " in " + tenantId + "]";
    }
}
