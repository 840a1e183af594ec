package dev.canopy.access;

import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Membership facts the access module needs but does not own; the identity module implements it.
 * Methods run inside the caller's tenant transaction.
 */
public interface MembershipFacts {

    /** The role keys the user holds through their membership in the tenant; empty when not a member. */
    List<String> rolesOf(UUID tenantId, UUID userId);

    /** Whether the user is a platform administrator (and so holds every permission everywhere). */
    boolean platformAdmin(UUID userId);

    /** How many members hold the role directly. */
    int holdersOf(UUID tenantId, String roleKey);

    /** The members among the given users, named; users who are not members are left out. */
    List<MemberCard> describe(UUID tenantId, Collection<UUID> userIds);

    /** The member with this email (compared case-insensitively), if the tenant has one. */
    Optional<MemberCard> memberByEmail(UUID tenantId, String email);

    /** Up to {@code limit} members ordered by name, for pickers. */
    List<MemberCard> members(UUID tenantId, int limit);
}
