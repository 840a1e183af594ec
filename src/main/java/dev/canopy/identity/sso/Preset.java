package dev.canopy.identity.sso;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Known providers: what they need to build the issuer, and the claims they send. {@code GENERIC} is any
 * OIDC provider given by its issuer.
 */
enum Preset {

    /** Microsoft Entra ID (Azure AD) v2.0 endpoints of one directory. */
    ENTRA_ID(List.of("openid", "profile", "email"), "groups", "email"),
    /** A Keycloak realm: the issuer is the realm URL, {@code https://host/realms/<realm>}. */
    KEYCLOAK(List.of("openid", "profile", "email"), "groups", "email"),
    /** Google accounts (Workspace domains); Google sends no groups. */
    GOOGLE(List.of("openid", "profile", "email"), "groups", "email"),
    GENERIC(List.of("openid", "profile", "email"), "groups", "email");

    static final String GOOGLE_ISSUER = "https://accounts.google.com";
    static final String ENTRA_ISSUER = "https://login.microsoftonline.com/%s/v2.0";

    private final List<String> scopes;
    private final String groupsClaim;
    private final String emailClaim;

    Preset(List<String> scopes, String groupsClaim, String emailClaim) {
        this.scopes = scopes;
        this.groupsClaim = groupsClaim;
        this.emailClaim = emailClaim;
    }

    String key() {
        return name().toLowerCase(Locale.ROOT);
    }

    List<String> scopes() {
        return scopes;
    }

    String groupsClaim() {
        return groupsClaim;
    }

    String emailClaim() {
        return emailClaim;
    }

    static Optional<Preset> of(String key) {
        return Arrays.stream(values()).filter(p -> p.key().equals(key)).findFirst();
    }
}
