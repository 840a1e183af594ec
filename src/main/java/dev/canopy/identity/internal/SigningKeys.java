package dev.canopy.identity.internal;

import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;

import dev.canopy.platform.Ids;
import dev.canopy.secrets.SecretBinding;
import dev.canopy.secrets.Secrets;

/**
 * The ES256 keys tokens are signed with, kept in the database so every instance signs and verifies
 * with the same set. The newest unretired key signs; all unretired keys verify and are published. The
 * private JWK is stored sealed by {@link Secrets} (platform scope, bound to the key id).
 */
@Component
public class SigningKeys {

    private static final Duration RELOAD_AT_MOST_EVERY = Duration.ofSeconds(10);

    static final String TABLE = "platform.signing_keys";

    private final JdbcClient jdbc;
    private final Secrets secrets;
    private volatile List<ECKey> keys = List.of();
    private volatile Instant loadedAt = Instant.EPOCH;

    SigningKeys(JdbcClient jdbc, Secrets secrets) {
        this.jdbc = jdbc;
        this.secrets = secrets;
    }

    /** The key new tokens are signed with; creates the first one on an empty database. */
    public ECKey signingKey() {
        List<ECKey> current = keys;
        if (current.isEmpty()) {
            current = load();
            if (current.isEmpty()) {
                create();
                current = load();
            }
        }
        return current.getFirst();
    }

    /** The public keys, for verification and for {@code /.well-known/jwks.json}. */
    public JWKSet publicKeys() {
        signingKey();
        return new JWKSet(keys.stream().map(k -> (JWK) k.toPublicJWK()).toList());
    }

    /**
     * Reloads when a token names a key this instance has not seen (another instance created it), but
     * not more often than every few seconds, so forged key ids cannot turn into database load.
     */
    public synchronized void reloadIfStale() {
        if (Instant.now().isAfter(loadedAt.plus(RELOAD_AT_MOST_EVERY))) {
            load();
        }
    }

    private synchronized List<ECKey> load() {
        keys = jdbc.sql("""
                select kid, sealed_jwk from platform.signing_keys where retired_at is null order by created_at desc
                """)
                .query((rs, n) -> parse(secrets.openText(binding(rs.getString("kid")), rs.getBytes("sealed_jwk"))))
                .list();
        loadedAt = Instant.now();
        return keys;
    }

    private void create() {
        try {
            ECKey key = new ECKeyGenerator(Curve.P_256).keyUse(KeyUse.SIGNATURE).algorithm(JWSAlgorithm.ES256)
                    .keyID(Ids.newId().toString()).generate();
            jdbc.sql("insert into platform.signing_keys (kid, algorithm, sealed_jwk) values (?, ?, ?)")
                    .params(key.getKeyID(), "ES256", secrets.sealText(binding(key.getKeyID()), key.toJSONString()))
                    .update();
        }
        catch (JOSEException e) {
            throw new IllegalStateException("Cannot generate a signing key", e);
        }
    }

    static SecretBinding binding(String kid) {
        return SecretBinding.platform(TABLE, kid);
    }

    static ECKey parse(String json) {
        try {
            return ECKey.parse(json);
        }
        catch (ParseException e) {
            throw new IllegalStateException("A stored signing key cannot be read", e);
        }
    }
}
