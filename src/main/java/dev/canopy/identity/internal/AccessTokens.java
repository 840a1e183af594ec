package dev.canopy.identity.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;

import dev.canopy.platform.Ids;

/** Mints access tokens: ES256 JWTs, 15 minutes, naming the user, current tenant and session. */
@Component
public class AccessTokens {

    public static final Duration LIFETIME = Duration.ofMinutes(15);

    private final SigningKeys keys;
    private final Issuer issuer;
    private volatile @Nullable KeySigner signer;

    /** The signer of the current signing key, kept until the key changes. */
    private record KeySigner(ECKey key, Es256Signer signer) {
    }

    AccessTokens(SigningKeys keys, Issuer issuer) {
        this.keys = keys;
        this.issuer = issuer;
    }

    public String mint(UUID userId, UUID tenantId, UUID sessionId) {
        ECKey key = keys.signingKey();
        Instant now = Instant.now();
        var claims = new JWTClaimsSet.Builder()
                .issuer(issuer.current())
                .subject(userId.toString())
                .claim("tid", tenantId.toString())
                .claim("sid", sessionId.toString())
                .jwtID(Ids.newId().toString())
                .issueTime(Date.from(now))
                .expirationTime(Date.from(now.plus(LIFETIME)))
                .build();
        var header = new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(key.getKeyID()).type(JOSEObjectType.JWT).build();
        try {
            var jwt = new SignedJWT(header, claims);
            jwt.sign(signerFor(key));
            return jwt.serialize();
        }
        catch (JOSEException e) {
            throw new IllegalStateException("Cannot sign an access token", e);
        }
    }

    private Es256Signer signerFor(ECKey key) {
        KeySigner current = signer;
        if (current == null || current.key() != key) {
            current = new KeySigner(key, new Es256Signer(key));
            signer = current;
        }
        return current.signer();
    }
}
