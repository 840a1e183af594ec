package dev.canopy.identity.sso;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/** How people sign in to a tenant: password only, its identity provider only, or either. */
enum AuthMode {
    LOCAL, SSO, BOTH;

    String key() {
        return name().toLowerCase(Locale.ROOT);
    }

    boolean ssoAllowed() {
        return this != LOCAL;
    }

    boolean passwordAllowed() {
        return this != SSO;
    }

    static Optional<AuthMode> of(String key) {
        return Arrays.stream(values()).filter(m -> m.key().equals(key)).findFirst();
    }
}
