package dev.canopy.access;

import java.util.UUID;

/** Who a member of a tenant is, as pages about groups and business units name them. */
public record MemberCard(UUID userId, String email, String fullName) {
}
