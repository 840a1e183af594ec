package dev.canopy.access;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;

import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Service;

import dev.canopy.access.internal.AccessGrant;
import dev.canopy.access.internal.AccessGrants;
import dev.canopy.platform.db.IndependentTransaction;
import dev.canopy.platform.db.TenantTransactions;

/**
 * MSP delegation as the identity module sees it: whether a user working in one tenant may act in a client
 * tenant through an access grant, and which grant a delegated session works under. Each tenant's data is
 * read in that tenant's own scope.
 */
@Service
public class Delegations {

    /**
     * A user's way into a client tenant: the grant, the role it gives, the tenant they come from and when the
     * grant ends ({@code null}: when revoked).
     */
    public record Delegation(UUID grantId, UUID clientTenantId, UUID viaTenantId, String roleKey,
            @Nullable Instant expiresAt) {
    }

    private final AccessGrants grants;
    private final MembershipFacts memberships;
    private final TenantTransactions scopes;
    private final IndependentTransaction independent;

    Delegations(AccessGrants grants, MembershipFacts memberships, TenantTransactions scopes,
            IndependentTransaction independent) {
        this.grants = grants;
        this.memberships = memberships;
        this.scopes = scopes;
        this.independent = independent;
    }

    /** Every grant in force under which the user, a member of {@code viaTenantId}, may act in the client. */
    public List<Delegation> available(UUID clientTenantId, UUID userId, UUID viaTenantId) {
        List<AccessGrant> toVia = independent.run(() -> scopes.inTenant(clientTenantId,
                () -> grants.live(clientTenantId))).stream()
                .filter(g -> g.granteeTenantId().equals(viaTenantId) && g.live(Instant.now()))
                .toList();
        if (toVia.isEmpty()) {
            return List.of();
        }
        List<String> roles = independent.run(() -> scopes.inTenant(viaTenantId,
                () -> memberships.rolesOf(viaTenantId, userId)));
        return usable(toVia, clientTenantId, viaTenantId, roles).toList();
    }

    /**
     * The first grant in force under which the user may act in the client coming from one of
     * {@code viaTenantIds} (their own tenants, in order of preference): the client's grants are read once.
     */
    public Optional<Delegation> availableFromAny(UUID clientTenantId, UUID userId, List<UUID> viaTenantIds) {
        List<AccessGrant> live = independent.run(() -> scopes.inTenant(clientTenantId,
                () -> grants.live(clientTenantId)));
        for (UUID via : viaTenantIds) {
            if (live.stream().noneMatch(g -> g.granteeTenantId().equals(via))) {
                continue;
            }
            List<String> roles = independent.run(() -> scopes.inTenant(via, () -> memberships.rolesOf(via, userId)));
            Optional<Delegation> found = usable(live, clientTenantId, via, roles).findFirst();
            if (found.isPresent()) {
                return found;
            }
        }
        return Optional.empty();
    }

    /**
     * The client tenants the user, a member of {@code viaTenantId}, may act in through grants in force to it
     * (at most {@code limit}), one delegation each.
     */
    public List<Delegation> clientsReachable(UUID viaTenantId, UUID userId, int limit) {
        return independent.run(() -> {
            List<UUID> grantors = scopes.inTenant(viaTenantId, () -> grants.grantorsTo(viaTenantId));
            if (grantors.isEmpty()) {
                return List.<Delegation>of();
            }
            List<String> roles = scopes.inTenant(viaTenantId, () -> memberships.rolesOf(viaTenantId, userId));
            return grantors.stream()
                    .flatMap(client -> usable(scopes.inTenant(client, () -> grants.live(client)), client, viaTenantId,
                            roles).limit(1))
                    .limit(limit)
                    .toList();
        });
    }

    /** The client's grants that are in force, name the via tenant and one of the user's roles there. */
    private static Stream<Delegation> usable(List<AccessGrant> clientGrants, UUID clientTenantId,
            UUID viaTenantId, List<String> roles) {
        Instant now = Instant.now();
        return clientGrants.stream()
                .filter(g -> g.granteeTenantId().equals(viaTenantId) && g.live(now) && roles.contains(g.granteeRole()))
                .map(g -> new Delegation(g.id(), clientTenantId, viaTenantId, g.roleKey(), g.expiresAt()));
    }

    /** Records, in the caller's transaction, that a new session in the client works under the delegation. */
    public void startSession(Delegation delegation, UUID sessionId) {
        scopes.inTenant(delegation.clientTenantId(), () -> grants.recordSession(delegation.clientTenantId(),
                sessionId, delegation.grantId(), delegation.viaTenantId()));
    }

    /** The tenant a delegated session comes from, while some grant still lets the user in from there. */
    public Optional<UUID> viaTenantOf(UUID clientTenantId, UUID sessionId, UUID userId) {
        return independent.run(() -> scopes.inTenant(clientTenantId, () -> grants.ofSession(clientTenantId, sessionId)))
                .map(AccessGrants.SessionDelegation::viaTenantId)
                .filter(via -> !available(clientTenantId, userId, via).isEmpty());
    }
}
