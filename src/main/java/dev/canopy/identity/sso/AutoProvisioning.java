package dev.canopy.identity.sso;

import java.util.List;
import java.util.Map;

/**
 * Who may sign in through the provider and with which roles (seed 004's field names): accounts are created
 * at first login when {@code enabled}; e-mail domains and groups, when listed, restrict every SSO login;
 * {@code groupRoleMapping} gives roles from groups ({@code defaultRole} when none matches) and is applied
 * again at every login when {@code syncAttributesOnLogin}.
 */
record AutoProvisioning(boolean enabled, String defaultRole, List<String> allowedEmailDomains,
        List<String> allowedGroups, Map<String, String> groupRoleMapping, boolean syncAttributesOnLogin) {

    static final String DEFAULT_ROLE = "viewer";

    static AutoProvisioning off() {
        return new AutoProvisioning(false, DEFAULT_ROLE, List.of(), List.of(), Map.of(), true);
    }
}
