package dev.canopy.access;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.springframework.stereotype.Component;

/** Decides what a principal may do in a tenant from the roles it holds there. */
@Component
public class AccessDecisionPoint {

    /**
     * Effective permission names for a user in one tenant: those of the membership's roles there, plus
     * everything when the user is a platform administrator. Unknown role keys grant nothing.
     */
    public Set<String> effectivePermissions(List<String> membershipRoles, boolean platformAdmin) {
        var roles = new ArrayList<BuiltInRole>();
        membershipRoles.forEach(key -> BuiltInRole.assignable(key).ifPresent(roles::add));
        if (platformAdmin) {
            roles.add(BuiltInRole.PLATFORM_ADMIN);
        }
        return Set.copyOf(BuiltInRole.permissionsOf(roles));
    }
}
