package dev.canopy.access.internal;

import java.util.AbstractSet;
import java.util.Iterator;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * A principal's permission names as a set that always answers from the current compiled policy: a
 * principal cached for a session sees role, group and grant changes as soon as the policy does.
 * {@code contains} is one cache look-up and one bit test.
 */
public final class LivePermissions extends AbstractSet<String> {

    private final UUID tenantId;
    private final UUID userId;
    private final Supplier<CompiledPolicy> policy;

    public LivePermissions(UUID tenantId, UUID userId, Supplier<CompiledPolicy> policy) {
        this.tenantId = tenantId;
        this.userId = userId;
        this.policy = policy;
    }

    public CompiledPolicy policy() {
        return policy.get();
    }

    public UUID tenantId() {
        return tenantId;
    }

    public UUID userId() {
        return userId;
    }

    @Override
    public boolean contains(Object o) {
        return o instanceof String name && policy.get().allows(name);
    }

    @Override
    public Iterator<String> iterator() {
        return policy.get().names().iterator();
    }

    @Override
    public int size() {
        return policy.get().names().size();
    }

    @Override
    public String toString() {
        return "LivePermissions[" + userId + " in " + tenantId + "]";
    }
}
