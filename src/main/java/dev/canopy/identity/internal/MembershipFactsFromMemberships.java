package dev.canopy.identity.internal;

import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.springframework.stereotype.Component;

import dev.canopy.access.MemberCard;
import dev.canopy.access.MembershipFacts;

/** Tells the access module about memberships, which identity owns. */
@Component
class MembershipFactsFromMemberships implements MembershipFacts {

    private final Memberships memberships;
    private final UserAccounts users;

    MembershipFactsFromMemberships(Memberships memberships, UserAccounts users) {
        this.memberships = memberships;
        this.users = users;
    }

    @Override
    public boolean platformAdmin(UUID userId) {
        return users.findById(userId).map(UserAccount::platformAdmin).orElse(false);
    }

    @Override
    public List<String> rolesOf(UUID tenantId, UUID userId) {
        return memberships.find(tenantId, userId).map(Membership::roles).orElse(List.of());
    }

    @Override
    public int holdersOf(UUID tenantId, String roleKey) {
        return memberships.countWithRole(tenantId, roleKey);
    }

    @Override
    public List<MemberCard> describe(UUID tenantId, Collection<UUID> userIds) {
        return memberships.cards(tenantId, userIds);
    }

    @Override
    public Optional<MemberCard> memberByEmail(UUID tenantId, String email) {
        return memberships.cardByEmail(tenantId, email);
    }

    @Override
    public List<MemberCard> members(UUID tenantId, int limit) {
        return memberships.cards(tenantId, limit);
    }
}
