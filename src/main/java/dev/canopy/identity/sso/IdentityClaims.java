package dev.canopy.identity.sso;

import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * What a verified ID token says about the person: the provider's subject, e-mail (and whether the provider
 * vouches for it), display name and groups; {@code groupsOverage} when the provider left the groups out
 * because there were too many (Entra ID sends a reference instead).
 */
record IdentityClaims(String issuer, String subject, @Nullable String email, @Nullable Boolean emailVerified,
        @Nullable String name, List<String> groups, boolean groupsOverage) {
}
