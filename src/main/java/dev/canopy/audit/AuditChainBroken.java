package dev.canopy.audit;

import java.util.UUID;

import org.jspecify.annotations.Nullable;

import dev.canopy.platform.events.DomainEvent;
import dev.canopy.platform.events.EventActor;
import dev.canopy.platform.events.EventSubject;
import dev.canopy.platform.events.EventType;

/**
 * A verification found a tenant's audit chain broken: a row was changed, removed or inserted behind
 * Canopy's back. {@code firstBrokenId} is the first event that does not verify, or null when the chain
 * ends short of its recorded head. {@code tenantId} is {@link AuditRecord#PLATFORM} for the platform chain.
 */
@EventType("audit.chain_broken")
public record AuditChainBroken(UUID tenantId, @Nullable UUID firstBrokenId) implements DomainEvent {

    @Override
    public EventSubject subject() {
        return new EventSubject("audit_chain", tenantId, null);
    }

    @Override
    public EventActor actor() {
        return EventActor.system("audit-verification");
    }
}
