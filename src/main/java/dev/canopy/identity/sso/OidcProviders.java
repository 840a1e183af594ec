package dev.canopy.identity.sso;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URL;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.DefaultResourceRetriever;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;

import dev.canopy.platform.web.ApiException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Talks to OIDC providers: discovery, JWKS, the token endpoint, and ID token verification (signature
 * from the provider's keys, {@code iss}, {@code aud}/{@code azp}, {@code exp}/{@code nbf} with a minute
 * of clock skew, {@code nonce}). Every failure is an {@link ApiException} whose detail says what is wrong.
 */
@Component
class OidcProviders {

    static final Duration CLOCK_SKEW = Duration.ofSeconds(60);
    private static final Logger log = LoggerFactory.getLogger(OidcProviders.class);
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final int MAX_DOCUMENT_BYTES = 512 * 1024;
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    /** Asymmetric algorithms only: {@code none} and HMAC (keyed with the client secret) are never accepted. */
    private static final Set<String> ACCEPTED_ALGORITHMS = Set.of("RS256", "RS384", "RS512", "PS256", "PS384",
            "PS512", "ES256", "ES384", "ES512", "EdDSA");

    private final HttpClient http = HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(5))
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
    private final Cache<String, ProviderMetadata> metadata = Caffeine.newBuilder()
            .expireAfterWrite(Duration.ofMinutes(10)).maximumSize(10_000).build();
    private final Cache<String, JWKSource<SecurityContext>> keySources = Caffeine.newBuilder()
            .expireAfterAccess(Duration.ofHours(1)).maximumSize(10_000).build();
    private final boolean allowHttp;

    OidcProviders(@Value("${canopy.sso.allow-http-issuers:false}") boolean allowHttp) {
        this.allowHttp = allowHttp;
    }

    /** Whether the URL may be used to reach a provider: https, or http only where allowed (local tests). */
    @Nullable String problemWithUrl(String url) {
        URI uri;
        try {
            uri = new URI(url);
        }
        catch (java.net.URISyntaxException e) {
            return "is not a URL";
        }
        if (uri.getHost() == null || uri.getRawQuery() != null || uri.getRawFragment() != null
                || uri.getRawUserInfo() != null) {
            return "must be an absolute URL with a host and without query, fragment or user info";
        }
        if ("http".equals(uri.getScheme()) && !allowHttp) {
            // a local Keycloak or test provider is the usual reason: say which setting lets it in
            return "must be an https URL (http issuers need CANOPY_SSO_ALLOW_HTTP_ISSUERS=true, for local"
                    + " providers only)";
        }
        if (!"https".equals(uri.getScheme()) && !"http".equals(uri.getScheme())) {
            return "must be an https URL";
        }
        return null;
    }

    /** The provider's discovery document, cached for ten minutes unless {@code fresh}. */
    ProviderMetadata discover(String issuer, boolean fresh) {
        if (!fresh) {
            ProviderMetadata known = metadata.getIfPresent(issuer);
            if (known != null) {
                return known;
            }
        }
        String url = issuer + "/.well-known/openid-configuration";
        JsonNode doc = getJson(url, "discovery document");
        String declared = text(doc, "issuer");
        if (!issuer.equals(declared)) {
            throw misconfigured("The discovery document at " + url + " declares the issuer '" + declared
                    + "', not '" + issuer + "': configure exactly the provider's issuer.");
        }
        var found = new ProviderMetadata(declared, endpoint(doc, "authorization_endpoint"),
                endpoint(doc, "token_endpoint"), endpoint(doc, "jwks_uri"),
                strings(doc, "id_token_signing_alg_values_supported"),
                strings(doc, "token_endpoint_auth_methods_supported"),
                strings(doc, "code_challenge_methods_supported"));
        if (found.idTokenSigningAlgorithms().stream().noneMatch(ACCEPTED_ALGORITHMS::contains)) {
            throw misconfigured("The provider signs ID tokens with " + found.idTokenSigningAlgorithms()
                    + "; Canopy accepts only asymmetric signatures (RS256, ES256, PS256, EdDSA, ...).");
        }
        if (!found.tokenEndpointAuthMethods().isEmpty()
                && !found.tokenEndpointAuthMethods().contains("client_secret_basic")
                && !found.tokenEndpointAuthMethods().contains("client_secret_post")) {
            throw misconfigured("The token endpoint takes no client secret (it supports "
                    + found.tokenEndpointAuthMethods() + "); Canopy is a confidential client.");
        }
        metadata.put(issuer, found);
        return found;
    }

    /** The provider's current signing keys, fetched now. */
    JWKSet keys(ProviderMetadata provider) {
        try {
            return JWKSet.parse(getText(provider.jwksUri(), "JWKS"));
        }
        catch (ParseException e) {
            throw misconfigured("The JWKS at " + provider.jwksUri() + " is not a JSON Web Key Set.");
        }
    }

    /** Exchanges the authorization code for tokens and returns the ID token. */
    String exchange(ProviderMetadata provider, String clientId, String clientSecret, String code, String redirectUri,
            String codeVerifier) {
        var form = new LinkedHashMap<String, String>();
        form.put("grant_type", "authorization_code");
        form.put("code", code);
        form.put("redirect_uri", redirectUri);
        form.put("code_verifier", codeVerifier);
        var request = HttpRequest.newBuilder(URI.create(provider.tokenEndpoint()))
                .timeout(TIMEOUT)
                .header("Accept", "application/json")
                .header("Content-Type", "application/x-www-form-urlencoded");
        if (provider.secretPosted()) {
            form.put("client_id", clientId);
            form.put("client_secret", clientSecret);
        }
        else {
            // RFC 6749 2.3.1: both parts form-encoded before Basic encoding
            String credentials = encode(clientId) + ":" + encode(clientSecret);
            request.header("Authorization", "Basic "
                    + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8)));
        }
        String body = form.entrySet().stream().map(e -> encode(e.getKey()) + "=" + encode(e.getValue()))
                .collect(Collectors.joining("&"));
        Fetched response = send(request.POST(HttpRequest.BodyPublishers.ofString(body)).build(), "token endpoint");
        JsonNode json = parse(response.body(), "token response");
        if (response.status() != 200) {
            String error = json == null ? "" : json.path("error").asString("");
            if ("invalid_grant".equals(error)) {
                throw new ApiException(HttpStatus.BAD_REQUEST, "SSO_CODE_INVALID", "The provider refused the "
                        + "authorization code (invalid_grant): it was already used, has expired or was not issued "
                        + "for this login. Sign in again.");
            }
            if ("invalid_client".equals(error) || "unauthorized_client".equals(error)) {
                throw misconfigured("The provider refused Canopy's client credentials (" + error
                        + "): check client_id and client_secret.");
            }
            throw new ApiException(HttpStatus.BAD_GATEWAY, "SSO_PROVIDER_ERROR", "The provider's token endpoint "
                    + "answered " + response.status() + (error.isEmpty() ? "" : " (" + safe(error) + ")") + ".");
        }
        String idToken = json == null ? "" : json.path("id_token").asString("");
        if (idToken.isEmpty()) {
            throw new ApiException(HttpStatus.BAD_GATEWAY, "SSO_PROVIDER_ERROR",
                    "The provider's token response has no id_token: is the openid scope granted?");
        }
        return idToken;
    }

    /** Verifies the ID token and reads the person's claims from it. */
    IdentityClaims verify(ProviderMetadata provider, String idToken, String clientId, String nonce,
            String emailClaim, String groupsClaim) {
        JWTClaimsSet claims;
        try {
            var processor = new DefaultJWTProcessor<SecurityContext>();
            Set<JWSAlgorithm> algorithms = provider.idTokenSigningAlgorithms().stream()
                    .filter(ACCEPTED_ALGORITHMS::contains).map(JWSAlgorithm::parse).collect(Collectors.toSet());
            processor.setJWSKeySelector(new JWSVerificationKeySelector<>(algorithms, keySource(provider)));
            processor.setJWTClaimsSetVerifier(null); // checked below, each with its own words
            claims = processor.process(idToken, null);
        }
        catch (ParseException e) {
            throw tokenInvalid("The ID token is not a signed JWT.");
        }
        catch (BadJOSEException e) {
            throw tokenInvalid("The ID token's signature does not verify with the provider's keys ("
                    + safe(e.getMessage()) + ").");
        }
        catch (JOSEException e) {
            log.warn("ID token of {} could not be verified: {}", provider.issuer(), e.getMessage());
            throw new ApiException(HttpStatus.BAD_GATEWAY, "SSO_PROVIDER_UNAVAILABLE",
                    "The provider's signing keys could not be fetched.");
        }
        Instant now = Instant.now();
        if (!provider.issuer().equals(claims.getIssuer())) {
            throw tokenInvalid("The ID token was issued by '" + safe(claims.getIssuer()) + "', not by '"
                    + provider.issuer() + "'.");
        }
        List<String> audience = claims.getAudience();
        if (audience == null || !audience.contains(clientId)) {
            throw tokenInvalid("The ID token is for another audience " + audience + ", not for client '" + clientId
                    + "'.");
        }
        String azp = claim(claims, "azp");
        if ((audience.size() > 1 || azp != null) && !clientId.equals(azp)) {
            throw tokenInvalid("The ID token was issued to another authorized party ('" + safe(azp) + "').");
        }
        Date exp = claims.getExpirationTime();
        if (exp == null || !now.isBefore(exp.toInstant().plus(CLOCK_SKEW))) {
            throw tokenInvalid("The ID token has expired" + (exp == null ? " (it has no exp)." : " (at " + exp.toInstant()
                    + ")."));
        }
        Date nbf = claims.getNotBeforeTime();
        if (nbf != null && now.plus(CLOCK_SKEW).isBefore(nbf.toInstant())) {
            throw tokenInvalid("The ID token is not valid before " + nbf.toInstant() + ".");
        }
        if (claims.getIssueTime() == null) {
            throw tokenInvalid("The ID token has no iat.");
        }
        if (!nonce.equals(claim(claims, "nonce"))) {
            throw tokenInvalid("The ID token's nonce does not match this login: it was issued for another one.");
        }
        String subject = claims.getSubject();
        if (subject == null || subject.isEmpty() || subject.length() > 255) {
            throw tokenInvalid("The ID token's sub is missing or longer than 255 characters.");
        }
        Object verified = claims.getClaim("email_verified");
        return new IdentityClaims(provider.issuer(), subject, claim(claims, emailClaim),
                verified instanceof Boolean b ? b : verified instanceof String s ? Boolean.valueOf(s) : null,
                claim(claims, "name"), groups(claims.getClaim(groupsClaim)), overage(claims, groupsClaim));
    }

    private JWKSource<SecurityContext> keySource(ProviderMetadata provider) {
        return keySources.get(provider.jwksUri(), uri -> {
            try {
                // cached, refreshed when an unknown key id shows up (key rotation), rate limited
                return JWKSourceBuilder.<SecurityContext>create(new URL(uri),
                        new DefaultResourceRetriever((int) TIMEOUT.toMillis(), (int) TIMEOUT.toMillis(),
                                MAX_DOCUMENT_BYTES)).retrying(false).build();
            }
            catch (java.net.MalformedURLException e) {
                throw misconfigured("The provider's jwks_uri is not a URL.");
            }
        });
    }

    private static List<String> groups(@Nullable Object value) {
        if (value instanceof String single) {
            return List.of(single);
        }
        if (value instanceof List<?> list) {
            var groups = new ArrayList<String>();
            list.forEach(g -> {
                if (g instanceof String s) {
                    groups.add(s);
                }
            });
            return List.copyOf(groups);
        }
        return List.of();
    }

    /** Entra ID puts {@code _claim_names: {groups: ...}} instead of the groups when a user has too many. */
    private static boolean overage(JWTClaimsSet claims, String groupsClaim) {
        return claims.getClaim("_claim_names") instanceof Map<?, ?> names && names.containsKey(groupsClaim);
    }

    private static @Nullable String claim(JWTClaimsSet claims, String name) {
        Object value = claims.getClaim(name);
        return value instanceof String s ? s : null;
    }

    private JsonNode getJson(String url, String what) {
        JsonNode json = parse(getText(url, what), what);
        if (json == null || !json.isObject()) {
            throw misconfigured("The " + what + " at " + url + " is not a JSON object.");
        }
        return json;
    }

    private String getText(String url, String what) {
        String problem = problemWithUrl(url);
        if (problem != null) {
            throw misconfigured("The " + what + " URL " + url + " " + problem + ".");
        }
        Fetched response = send(HttpRequest.newBuilder(URI.create(url)).timeout(TIMEOUT)
                .header("Accept", "application/json").GET().build(), what);
        if (response.status() != 200) {
            throw misconfigured("The " + what + " at " + url + " answered HTTP " + response.status() + ".");
        }
        return response.body();
    }

    private record Fetched(int status, String body) {
    }

    private Fetched send(HttpRequest request, String what) {
        try {
            HttpResponse<InputStream> response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream in = response.body()) {
                byte[] body = in.readNBytes(MAX_DOCUMENT_BYTES + 1);
                if (body.length > MAX_DOCUMENT_BYTES) {
                    throw misconfigured("The provider's " + what + " is larger than " + MAX_DOCUMENT_BYTES + " bytes.");
                }
                return new Fetched(response.statusCode(), new String(body, StandardCharsets.UTF_8));
            }
        }
        catch (IOException e) {
            log.warn("The provider's {} at {} could not be reached: {}", what, request.uri(), e.toString());
            throw new ApiException(HttpStatus.BAD_GATEWAY, "SSO_PROVIDER_UNAVAILABLE", "The provider's " + what
                    + " at " + request.uri() + " could not be reached (" + e.getClass().getSimpleName() + ").");
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException(HttpStatus.SERVICE_UNAVAILABLE, "UNAVAILABLE", "Interrupted.");
        }
    }

    private static @Nullable JsonNode parse(String body, String what) {
        try {
            return JSON.readTree(body);
        }
        catch (RuntimeException e) {
            return null;
        }
    }

    private String endpoint(JsonNode doc, String field) {
        String url = text(doc, field);
        if (url == null) {
            throw misconfigured("The discovery document has no " + field + ".");
        }
        String problem = problemWithUrl(url);
        if (problem != null) {
            throw misconfigured("The discovery document's " + field + " " + problem + ".");
        }
        return url;
    }

    private static @Nullable String text(JsonNode doc, String field) {
        JsonNode value = doc.get(field);
        return value != null && value.isString() ? value.asString() : null;
    }

    private static List<String> strings(JsonNode doc, String field) {
        var values = new ArrayList<String>();
        JsonNode array = doc.get(field);
        if (array != null && array.isArray()) {
            array.forEach(v -> {
                if (v.isString()) {
                    values.add(v.asString());
                }
            });
        }
        return List.copyOf(values);
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    /** Provider-given text in our answers: short and printable. */
    static String safe(@Nullable String text) {
        if (text == null) {
            return "";
        }
        String printable = text.replaceAll("[^\\x20-\\x7E]", "?");
        return printable.length() > 200 ? printable.substring(0, 200) + "..." : printable;
    }

    static ApiException misconfigured(String detail) {
        return new ApiException(HttpStatus.BAD_GATEWAY, "SSO_PROVIDER_MISCONFIGURED", detail);
    }

    static ApiException tokenInvalid(String detail) {
        return new ApiException(HttpStatus.UNAUTHORIZED, "SSO_TOKEN_INVALID", detail);
    }
}
