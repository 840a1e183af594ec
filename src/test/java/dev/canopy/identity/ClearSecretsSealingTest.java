package dev.canopy.identity;

import static dev.canopy.support.Api.obj;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;

import dev.canopy.identity.internal.ClearSecretsSealing;
import dev.canopy.identity.internal.Totp;
import dev.canopy.platform.Ids;
import dev.canopy.secrets.SecretBinding;
import dev.canopy.secrets.Secrets;
import dev.canopy.support.Api;
import dev.canopy.support.ApiTest;
import dev.canopy.support.SecretLogCapture;
import dev.canopy.support.Fixtures.Session;

/** Secrets stored in clear before envelope encryption are sealed at start-up and keep working. */
@ExtendWith(SecretLogCapture.class)
class ClearSecretsSealingTest extends ApiTest {

    @Autowired
    JdbcClient jdbc;

    @Autowired
    Secrets secrets;

    @Autowired
    ClearSecretsSealing sealing;

    @Test
    void aSigningKeyStoredInClearIsSealed() throws Exception {
        ECKey key = new ECKeyGenerator(Curve.P_256).algorithm(JWSAlgorithm.ES256).keyID(Ids.newId().toString())
                .generate();
        SecretLogCapture.secret(key.getD().toString());
        // retired, so that it does not become the suite's signing key
        jdbc.sql("insert into platform.signing_keys (kid, algorithm, jwk, retired_at) values (?, 'ES256', ?, now())")
                .params(key.getKeyID(), key.toJSONString()).update();

        assertThat(sealing.sealAll()).isPositive();

        var row = jdbc.sql("select jwk, sealed_jwk from platform.signing_keys where kid = ?").param(key.getKeyID())
                .query().singleRow();
        assertThat(row.get("jwk")).isNull();
        assertThat(secrets.openText(SecretBinding.platform("platform.signing_keys", key.getKeyID()),
                (byte[]) row.get("sealed_jwk"))).isEqualTo(key.toJSONString());
        assertThat(jdbc.sql("select count(*) from platform.signing_keys where jwk is not null").query(Long.class)
                .single()).isZero();
    }

    @Test
    void aTotpSecretStoredInClearIsSealedAndStillAcceptsCodes() {
        Session session = fixtures.userIn(fixtures.tenant(), "member");
        Api.Response enrolled = api.post("/api/v1/auth/mfa/totp/enroll", session.accessToken(), null);
        String secret = enrolled.json().path("secret").asString();
        // as a row written before this change looked
        jdbc.sql("update platform.totp_credentials set totp_secret = ?, sealed_secret = null where user_id = ?")
                .params(secret, session.userId()).update();

        sealing.sealAll();

        var row = jdbc.sql("select totp_secret, sealed_secret from platform.totp_credentials where user_id = ?")
                .param(session.userId()).query().singleRow();
        assertThat(row.get("totp_secret")).isNull();
        assertThat(row.get("sealed_secret")).isNotNull();
        Api.Response confirmed = api.post("/api/v1/auth/mfa/totp/confirm", session.accessToken(),
                obj("code", Totp.code(secret, Totp.step(Instant.now()))));
        assertThat(confirmed.status()).as(confirmed.toString()).isEqualTo(200);
    }
}
