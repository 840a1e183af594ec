package dev.canopy.identity.web;

import java.util.List;
import java.util.Map;

import org.springframework.http.CacheControl;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

import dev.canopy.identity.internal.Issuer;
import dev.canopy.identity.internal.SigningKeys;

/** Publishes what anyone needs to verify a Canopy access token: the discovery document and the keys. */
@RestController
class WellKnownController {

    private final SigningKeys keys;
    private final Issuer issuer;

    WellKnownController(SigningKeys keys, Issuer issuer) {
        this.keys = keys;
        this.issuer = issuer;
    }

    @GetMapping("/.well-known/openid-configuration")
    Map<String, Object> discovery() {
        String base = issuer.current();
        return Map.of("issuer", base,
                "jwks_uri", base + "/.well-known/jwks.json",
                "token_endpoint", base + "/api/v1/auth/login",
                "response_types_supported", List.of("token"),
                "subject_types_supported", List.of("public"),
                "id_token_signing_alg_values_supported", List.of("ES256"),
                "claims_supported", List.of("iss", "sub", "tid", "sid", "jti", "iat", "exp"));
    }

    @GetMapping("/.well-known/jwks.json")
    ResponseEntity<Map<String, Object>> jwks() {
        return ResponseEntity.ok().cacheControl(CacheControl.maxAge(java.time.Duration.ofMinutes(5)))
                .body(keys.publicKeys().toJSONObject(true));
    }
}
