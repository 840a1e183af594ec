package dev.canopy.access.console;

import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.springframework.stereotype.Component;

import dev.canopy.access.MemberCard;
import dev.canopy.access.MembershipFacts;
import dev.canopy.platform.db.TenantTransactions;

/** Members of the current tenant by name and email, from identity (which owns them), in the tenant's scope. */
@Component
class MemberNames {

    /** How many members a picker suggests; anyone else is still found by typing their email. */
    static final int SUGGESTIONS = 200;

    private final MembershipFacts memberships;
    private final TenantTransactions scopes;

    MemberNames(MembershipFacts memberships, TenantTransactions scopes) {
        this.memberships = memberships;
        this.scopes = scopes;
    }

    List<MemberCard> describe(UUID tenantId, Collection<UUID> userIds) {
        return scopes.inTenant(tenantId, () -> memberships.describe(tenantId, userIds));
    }

    Optional<MemberCard> byEmail(UUID tenantId, String email) {
        return scopes.inTenant(tenantId, () -> memberships.memberByEmail(tenantId, email));
    }

    /** Members to suggest, leaving out those already there. */
    List<MemberCard> suggestions(UUID tenantId, Collection<UUID> already) {
        return scopes.inTenant(tenantId, () -> memberships.members(tenantId, SUGGESTIONS)).stream()
                .filter(card -> !already.contains(card.userId())).toList();
    }
}
