package dev.canopy.tenancy;

import java.util.UUID;

import org.jspecify.annotations.Nullable;

import dev.canopy.platform.events.DomainEvent;
import dev.canopy.platform.events.EventSubject;
import dev.canopy.platform.events.EventType;

/**
 * A tenant came to exist. Published inside the transaction that inserts it, so listeners that set up the
 * tenant's own data (its environments, say) commit or roll back with it.
 */
@EventType("tenant.created")
public record TenantCreated(UUID tenantId, String slug, @Nullable UUID parentTenantId) implements DomainEvent {

    @Override
    public EventSubject subject() {
        return new EventSubject("tenant", tenantId, slug);
    }
}
