package dev.canopy.identity.sso;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

import dev.canopy.support.Api;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import no.nav.security.mock.oauth2.OAuth2Config;
import no.nav.security.mock.oauth2.http.MockWebServerWrapper;
import no.nav.security.mock.oauth2.token.OAuth2TokenProvider;
import no.nav.security.mock.oauth2.http.OAuth2HttpRequest;
import no.nav.security.mock.oauth2.http.OAuth2HttpResponse;
import no.nav.security.mock.oauth2.http.Route;
import okhttp3.Headers;
import no.nav.security.mock.oauth2.token.DefaultOAuth2TokenCallback;

/**
 * A real OIDC provider in the test JVM (mock-oauth2-server: discovery, JWKS, authorize and token endpoints,
 * PKCE, nonce, single-use codes). Each tenant gets an issuer of its own; what the next sign-in at an issuer
 * says about the person is queued with {@link #nextSignIn} (queue one only for a sign-in that reaches the token
 * endpoint: the provider takes queued answers in order and falls back to a default for other issuers).
 */
public final class OidcProviderFixture {

    public static final String CLIENT_ID = "canopy-test-client";

    private static MockOAuth2Server server;

    private OidcProviderFixture() {
    }

    public static synchronized MockOAuth2Server server() {
        if (server == null) {
            server = new MockOAuth2Server(new OAuth2Config(false, null, null, false, new OAuth2TokenProvider(),
                    Set.of(), new MockWebServerWrapper()), new TokenOverride());
            server.start();
            Runtime.getRuntime().addShutdownHook(new Thread(server::shutdown));
        }
        return server;
    }

    public static String issuer(String issuerId) {
        String url = server().issuerUrl(issuerId).toString();
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    /** The person the next sign-in at the issuer is: subject, e-mail, name and groups, for this client. */
    public static void nextSignIn(String issuerId, String subject, String email, List<String> groups) {
        nextSignIn(issuerId, subject, List.of(CLIENT_ID), Map.of("email", email, "name", "Person " + subject,
                "groups", groups), 3600);
    }

    /**
     * The provider's next answer, whatever the request, is a token response with an ID token it signed with the
     * issuer's keys for the given audience and claims: for tokens the provider would not make by itself.
     */
    static void nextTokenResponse(String issuerId, String subject, List<String> audience, Map<String, Object> claims) {
        String idToken = server().issueToken(issuerId, CLIENT_ID, new DefaultOAuth2TokenCallback(issuerId, subject,
                "JWT", audience, claims, 3600)).serialize();
        NEXT_TOKEN_RESPONSE.set(Map.entry("/" + issuerId + "/token", Api.json(Map.of("id_token", idToken,
                "access_token", "opaque", "token_type", "Bearer", "expires_in", 3600))));
    }

    private static final AtomicReference<Map.Entry<String, String>> NEXT_TOKEN_RESPONSE = new AtomicReference<>();

    /** Answers the next token request at one issuer with a prepared body, once. */
    private static final class TokenOverride implements Route {

        @Override
        public boolean match(OAuth2HttpRequest request) {
            var next = NEXT_TOKEN_RESPONSE.get();
            return next != null && request.getUrl().encodedPath().equals(next.getKey());
        }

        @Override
        public OAuth2HttpResponse invoke(OAuth2HttpRequest request) {
            String body = NEXT_TOKEN_RESPONSE.getAndSet(null).getValue();
            return new OAuth2HttpResponse(Headers.of("Content-Type", "application/json"), 200, body, null);
        }
    }

    static void nextSignIn(String issuerId, String subject, List<String> audience, Map<String, Object> claims,
            long expirySeconds) {
        server().enqueueCallback(new DefaultOAuth2TokenCallback(issuerId, subject, "JWT", audience, claims,
                expirySeconds));
    }
}
