package dev.canopy.identity.sso;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.TreeSet;

import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;

import dev.canopy.platform.web.ApiException;

/**
 * Who may sign in through a tenant's provider, and with which roles: small rules over the verified claims
 * and the tenant's {@link AutoProvisioning}. A refusal is an {@link ApiException} with its own code.
 */
final class ProvisioningRules {

    private ProvisioningRules() {
    }

    /** The e-mail the login goes by, or why there is none that can be used. */
    static String email(IdentityClaims claims, String emailClaim) {
        String email = claims.email();
        if (email == null || !email.matches("[^@\\s]{1,64}@[^@\\s]{1,253}") || email.length() > 320) {
            throw refused(HttpStatus.FORBIDDEN, "SSO_EMAIL_MISSING", "The provider sent no usable e-mail address in "
                    + "the claim '" + emailClaim + "'; ask your administrator to release it to Canopy.");
        }
        if (Boolean.FALSE.equals(claims.emailVerified())) {
            throw refused(HttpStatus.FORBIDDEN, "SSO_EMAIL_UNVERIFIED",
                    "The provider says the e-mail address " + email + " is not verified.");
        }
        return email.toLowerCase(Locale.ROOT);
    }

    /** Refuses unless the e-mail domain and groups are among those allowed (empty lists allow all). */
    static void requireAllowed(AutoProvisioning rules, String email, IdentityClaims claims) {
        String domain = email.substring(email.lastIndexOf('@') + 1);
        if (!rules.allowedEmailDomains().isEmpty() && !rules.allowedEmailDomains().contains(domain)) {
            throw refused(HttpStatus.FORBIDDEN, "SSO_DOMAIN_NOT_ALLOWED", "Sign-ins from the e-mail domain '"
                    + domain + "' are not allowed in this tenant.");
        }
        boolean needsGroups = !rules.allowedGroups().isEmpty() || !rules.groupRoleMapping().isEmpty();
        if (claims.groupsOverage() && needsGroups) {
            throw refused(HttpStatus.FORBIDDEN, "SSO_GROUPS_OVERAGE", "The provider left your groups out of the ID "
                    + "token because there are too many; ask your administrator to emit only the groups assigned to "
                    + "the application.");
        }
        if (!rules.allowedGroups().isEmpty() && claims.groups().stream().noneMatch(rules.allowedGroups()::contains)) {
            throw refused(HttpStatus.FORBIDDEN, "SSO_GROUP_NOT_ALLOWED",
                    "You are in none of the groups allowed to sign in to this tenant.");
        }
    }

    /** The roles the groups give through the mapping, sorted; the default role when no group is mapped. */
    static List<String> roles(AutoProvisioning rules, List<String> groups) {
        var roles = new TreeSet<String>();
        groups.forEach(group -> Optional.ofNullable(rules.groupRoleMapping().get(group)).ifPresent(roles::add));
        if (roles.isEmpty()) {
            roles.add(rules.defaultRole());
        }
        return List.copyOf(roles);
    }

    static ApiException refused(HttpStatus status, String code, String detail) {
        return new ApiException(status, code, detail);
    }

    static @Nullable String domainOf(@Nullable String email) {
        return email == null || email.indexOf('@') < 0 ? null
                : email.substring(email.lastIndexOf('@') + 1).toLowerCase(Locale.ROOT);
    }
}
