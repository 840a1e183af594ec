package dev.canopy.identity.sso;

import java.util.List;

/** The parts of a provider's OIDC discovery document that a login uses. */
record ProviderMetadata(String issuer, String authorizationEndpoint, String tokenEndpoint, String jwksUri,
        List<String> idTokenSigningAlgorithms, List<String> tokenEndpointAuthMethods,
        List<String> codeChallengeMethods) {

    /** How the client secret is presented at the token endpoint: Basic unless the provider only takes it posted. */
    boolean secretPosted() {
        return !tokenEndpointAuthMethods.isEmpty() && !tokenEndpointAuthMethods.contains("client_secret_basic")
                && tokenEndpointAuthMethods.contains("client_secret_post");
    }
}
