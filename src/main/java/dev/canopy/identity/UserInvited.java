package dev.canopy.identity;

import java.util.List;
import java.util.UUID;

import dev.canopy.platform.events.DomainEvent;
import dev.canopy.platform.events.EventSubject;
import dev.canopy.platform.events.EventType;

/** Someone was invited to join the tenant with {@code roles}; the invitation expires unless accepted. */
@EventType("user.invited")
public record UserInvited(UUID tenantId, UUID invitationId, String email, List<String> roles, UUID invitedBy)
        implements DomainEvent {

    @Override
    public EventSubject subject() {
        return new EventSubject("invitation", invitationId, email);
    }
}
