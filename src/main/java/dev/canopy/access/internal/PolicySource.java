package dev.canopy.access.internal;

import java.time.Instant;
import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * One reason a principal may (or may not) do things in a tenant: a role held directly, a role held
 * through a group, a direct grant or deny, or being a platform administrator. Explanations quote it.
 */
public record PolicySource(Kind kind, String id, String name, @Nullable String groupId, @Nullable String groupName,
        @Nullable String businessUnitId, List<String> patterns, @Nullable Instant expiresAt) {

    /** Where the source comes from. Only {@code DENY} takes permissions away. */
    public enum Kind {
        ROLE, GROUP_ROLE, BUSINESS_UNIT_ROLE, DELEGATED_ROLE, GRANT, DENY, PLATFORM_ADMIN;

        public String json() {
            return name().toLowerCase();
        }
    }

    public PolicySource {
        patterns = List.copyOf(patterns);
    }

    public boolean deny() {
        return kind == Kind.DENY;
    }

    public static PolicySource role(String id, String name, List<String> patterns) {
        return new PolicySource(Kind.ROLE, id, name, null, null, null, patterns, null);
    }

    public static PolicySource groupRole(String id, String name, String groupId, String groupName,
            @Nullable String businessUnitId, List<String> patterns) {
        return new PolicySource(Kind.GROUP_ROLE, id, name, groupId, groupName, businessUnitId, patterns, null);
    }

    /** The role a member holds in a business unit, applying to that unit's resources only. */
    public static PolicySource businessUnitRole(String id, String name, String businessUnitId,
            List<String> patterns) {
        return new PolicySource(Kind.BUSINESS_UNIT_ROLE, id, name, null, null, businessUnitId, patterns, null);
    }

    /** A role held through an access grant to the tenant the user comes from (MSP delegation). */
    public static PolicySource delegatedRole(String id, String name, String grantId, String viaTenantId,
            List<String> patterns) {
        return new PolicySource(Kind.DELEGATED_ROLE, id, name + " (access grant " + grantId + " to tenant "
                + viaTenantId + ")", null, null, null, patterns, null);
    }

    public static PolicySource direct(String permission, boolean deny, @Nullable Instant expiresAt) {
        return new PolicySource(deny ? Kind.DENY : Kind.GRANT, permission, permission, null, null, null,
                List.of(permission), expiresAt);
    }

    public static PolicySource platformAdmin() {
        return new PolicySource(Kind.PLATFORM_ADMIN, "platform_admin", "Platform administrator", null, null, null,
                List.of(), null);
    }
}
