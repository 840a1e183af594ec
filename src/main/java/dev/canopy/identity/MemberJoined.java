package dev.canopy.identity;

import java.util.List;
import java.util.UUID;

import org.jspecify.annotations.Nullable;

import dev.canopy.platform.events.DomainEvent;
import dev.canopy.platform.events.EventActor;
import dev.canopy.platform.events.EventSubject;
import dev.canopy.platform.events.EventType;

/** A person accepted an invitation and became a member of the tenant with {@code roles}. */
@EventType("member.joined")
public record MemberJoined(UUID tenantId, UUID userId, String email, List<String> roles,
        @Nullable UUID invitationId) implements DomainEvent {

    @Override
    public EventSubject subject() {
        return new EventSubject("user", userId, email);
    }

    @Override
    public EventActor actor() {
        return new EventActor("user", userId, email);
    }
}
