package dev.canopy.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.UUID;

import org.jose4j.jwa.AlgorithmConstraints.ConstraintType;
import org.jose4j.jwk.EcJwkGenerator;
import org.jose4j.jwk.EllipticCurveJsonWebKey;
import org.jose4j.jwk.HttpsJwks;
import org.jose4j.jwk.JsonWebKey;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.NumericDate;
import org.jose4j.jwt.consumer.InvalidJwtException;
import org.jose4j.jwt.consumer.JwtConsumer;
import org.jose4j.jwt.consumer.JwtConsumerBuilder;
import org.jose4j.keys.EllipticCurves;
import org.jose4j.keys.resolvers.HttpsJwksVerificationKeyResolver;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.canopy.support.Api;
import dev.canopy.support.ApiTest;
import dev.canopy.support.Fixtures.Session;
import dev.canopy.support.Fixtures.TenantRef;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A relying party that knows nothing of Canopy but its discovery document verifies Canopy access
 * tokens with an independent library (jose4j): ES256 only, the published issuer, a 15-minute lifetime.
 */
class JwksVerificationTest extends ApiTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private String issuer;
    private String jwksUri;
    private HttpsJwks jwks;

    @BeforeEach
    void discover() {
        Api.Response discovery = api.get("/.well-known/openid-configuration", null);
        assertThat(discovery.status()).as(discovery.toString()).isEqualTo(200);
        issuer = discovery.json().path("issuer").asString();
        jwksUri = discovery.json().path("jwks_uri").asString();
        jwks = new HttpsJwks(jwksUri);
    }

    @Test
    void discoveryNamesTheIssuerAndTheKeys() {
        JsonNode discovery = api.get("/.well-known/openid-configuration", null).json();

        assertThat(issuer).isEqualTo(api.base());
        assertThat(jwksUri).isEqualTo(issuer + "/.well-known/jwks.json");
        assertThat(discovery.path("id_token_signing_alg_values_supported").toString()).isEqualTo("[\"ES256\"]");
    }

    @Test
    void publishedKeysArePublicP256SigningKeys() throws Exception {
        Api.Response response = api.get("/.well-known/jwks.json", null);
        assertThat(response.status()).isEqualTo(200);
        assertThat(response.text()).doesNotContain("\"d\"");

        assertThat(jwks.getJsonWebKeys()).isNotEmpty().allSatisfy(key -> {
            assertThat(key).isInstanceOf(EllipticCurveJsonWebKey.class);
            assertThat(((EllipticCurveJsonWebKey) key).getCurveName()).isEqualTo(EllipticCurves.P_256);
            assertThat(((EllipticCurveJsonWebKey) key).getPrivateKey()).isNull();
            assertThat(key.getKeyId()).isNotBlank();
            assertThat(key.getUse()).isEqualTo("sig");
            assertThat(key.getAlgorithm()).isEqualTo(AlgorithmIdentifiers.ECDSA_USING_P256_CURVE_AND_SHA256);
        });
    }

    @Test
    void anAccessTokenVerifiesWithOnlyThePublishedDocuments() throws Exception {
        TenantRef tenant = fixtures.tenant();
        Session session = fixtures.userIn(tenant, "member");

        JwtClaims claims = verifier().processToClaims(session.accessToken());

        assertThat(claims.getIssuer()).isEqualTo(issuer);
        assertThat(claims.getSubject()).isEqualTo(session.userId().toString());
        assertThat(claims.getStringClaimValue("tid")).isEqualTo(tenant.id().toString());
        assertThat(UUID.fromString(claims.getStringClaimValue("sid"))).isNotNull();
        assertThat(UUID.fromString(claims.getJwtId())).isNotNull();
        assertThat(claims.getExpirationTime().getValue() - claims.getIssuedAt().getValue()).isEqualTo(900);
        assertThat(claims.getIssuedAt().getValue())
                .isBetween(NumericDate.now().getValue() - 120, NumericDate.now().getValue() + 5);
        assertThat(header(session.accessToken()).path("alg").asString()).isEqualTo("ES256");
        assertThat(header(session.accessToken()).path("typ").asString()).isEqualTo("JWT");
        assertThat(jwks.getJsonWebKeys()).extracting(JsonWebKey::getKeyId)
                .contains(header(session.accessToken()).path("kid").asString());
    }

    @Test
    void everyTokenHasItsOwnIdAndRefreshedTokensVerifyToo() throws Exception {
        Session session = fixtures.userIn(fixtures.tenant(), "viewer");
        Api.Response refreshed = api.post("/api/v1/auth/refresh", null,
                Api.obj("refresh_token", session.refreshToken()));
        assertThat(refreshed.status()).as(refreshed.toString()).isEqualTo(200);
        String next = refreshed.json().path("access_token").asString();

        JwtClaims first = verifier().processToClaims(session.accessToken());
        JwtClaims second = verifier().processToClaims(next);

        assertThat(second.getJwtId()).isNotEqualTo(first.getJwtId());
        assertThat(second.getStringClaimValue("sid")).isEqualTo(first.getStringClaimValue("sid"));
        assertThat(second.getSubject()).isEqualTo(first.getSubject());
        assertThat(second.getExpirationTime().getValue() - second.getIssuedAt().getValue()).isEqualTo(900);
    }

    @Test
    void aTokenWithAModifiedPayloadFailsVerification() {
        Session session = fixtures.userIn(fixtures.tenant(), "member");
        String[] parts = session.accessToken().split("\\.");
        String payload = decode(parts[1]);
        String otherTenant = payload.replace(session.tenantId().toString(), UUID.randomUUID().toString());
        assertThat(otherTenant).isNotEqualTo(payload);

        String tampered = parts[0] + "." + encode(otherTenant) + "." + parts[2];

        assertThatThrownBy(() -> verifier().processToClaims(tampered)).isInstanceOf(InvalidJwtException.class);
    }

    @Test
    void aTokenSignedWithAnotherKeyUnderTheSameKeyIdFailsVerification() throws Exception {
        Session session = fixtures.userIn(fixtures.tenant(), "member");
        EllipticCurveJsonWebKey impostor = EcJwkGenerator.generateJwk(EllipticCurves.P256);
        var jws = new JsonWebSignature();
        jws.setPayload(decode(session.accessToken().split("\\.")[1]));
        jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.ECDSA_USING_P256_CURVE_AND_SHA256);
        jws.setKeyIdHeaderValue(header(session.accessToken()).path("kid").asString());
        jws.setKey(impostor.getPrivateKey());
        String forged = jws.getCompactSerialization();

        assertThatThrownBy(() -> verifier().processToClaims(forged)).isInstanceOf(InvalidJwtException.class);
        assertThat(api.get("/api/v1/auth/me", forged).code()).isEqualTo("TOKEN_INVALID");
    }

    @Test
    void theTokenIsRefusedOnceItsFifteenMinutesAreOver() throws Exception {
        Session session = fixtures.userIn(fixtures.tenant(), "member");
        JwtClaims claims = verifier().processToClaims(session.accessToken());

        NumericDate afterExpiry = NumericDate.fromSeconds(claims.getExpirationTime().getValue() + 61);
        JwtConsumer later = builder().setEvaluationTime(afterExpiry).build();

        assertThatThrownBy(() -> later.processToClaims(session.accessToken())).isInstanceOf(InvalidJwtException.class)
                .satisfies(e -> assertThat(((InvalidJwtException) e).hasExpired()).isTrue());
    }

    @Test
    void aTokenFromAnotherIssuerIsNotAccepted() {
        Session session = fixtures.userIn(fixtures.tenant(), "member");
        JwtConsumer elsewhere = builder().setExpectedIssuer("https://someone-else.example").build();

        assertThatThrownBy(() -> elsewhere.processToClaims(session.accessToken()))
                .isInstanceOf(InvalidJwtException.class);
    }

    /** Verifies the way any relying party would: keys from jwks_uri, ES256 only, the discovered issuer. */
    private JwtConsumer verifier() {
        return builder().build();
    }

    private JwtConsumerBuilder builder() {
        return new JwtConsumerBuilder()
                .setVerificationKeyResolver(new HttpsJwksVerificationKeyResolver(jwks))
                .setJwsAlgorithmConstraints(ConstraintType.PERMIT,
                        AlgorithmIdentifiers.ECDSA_USING_P256_CURVE_AND_SHA256)
                .setExpectedIssuer(issuer)
                .setExpectedType(true, "JWT")
                .setRequireExpirationTime()
                .setRequireIssuedAt()
                .setRequireSubject()
                .setRequireJwtId()
                .setAllowedClockSkewInSeconds(30);
    }

    private static JsonNode header(String jwt) {
        return JSON.readTree(decode(jwt.split("\\.")[0]));
    }

    private static String decode(String base64url) {
        return new String(Base64.getUrlDecoder().decode(base64url), StandardCharsets.UTF_8);
    }

    private static String encode(String json) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }
}
