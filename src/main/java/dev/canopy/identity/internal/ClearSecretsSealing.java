package dev.canopy.identity.internal;

import java.util.UUID;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import dev.canopy.secrets.Secrets;

/**
 * Seals the identity secrets stored in clear before envelope encryption came (signing keys' private JWKs, TOTP
 * secrets): at start-up, before the web server takes requests, because only the running application holds
 * the master key (a SQL migration cannot). Each row is updated only if still in clear, so instances starting
 * together do not clash; readers accept both forms meanwhile.
 */
@Component
public class ClearSecretsSealing implements SmartInitializingSingleton {

    private static final Logger log = LoggerFactory.getLogger(ClearSecretsSealing.class);

    private final JdbcClient jdbc;
    private final Secrets secrets;

    ClearSecretsSealing(JdbcClient jdbc, Secrets secrets) {
        this.jdbc = jdbc;
        this.secrets = secrets;
    }

    @Override
    public void afterSingletonsInstantiated() {
        sealAll();
    }

    /** Seals every clear row left; returns how many were sealed. */
    public int sealAll() {
        int keys = 0;
        for (var row : jdbc.sql("select kid, jwk from platform.signing_keys where jwk is not null")
                .query((rs, n) -> new String[] { rs.getString(1), rs.getString(2) }).list()) {
            keys += jdbc.sql("update platform.signing_keys set sealed_jwk = ?, jwk = null where kid = ? and jwk is not null")
                    .params(secrets.sealText(SigningKeys.binding(row[0]), row[1]), row[0])
                    .update();
        }
        int totp = 0;
        for (var row : jdbc.sql("select user_id, totp_secret from platform.totp_credentials where totp_secret is not null")
                .query((rs, n) -> new Object[] { rs.getObject(1, UUID.class), rs.getString(2) }).list()) {
            UUID user = (UUID) row[0];
            totp += jdbc.sql("""
                    update platform.totp_credentials set sealed_secret = ?, totp_secret = null
                     where user_id = ? and totp_secret = ?
                    """)
                    .params(secrets.sealText(MfaRecords.totpBinding(user), (String) row[1]), user, row[1])
                    .update();
        }
        if (keys + totp > 0) {
            log.info("Sealed {} signing keys and {} TOTP secrets stored in clear before envelope encryption", keys, totp);
        }
        return keys + totp;
    }
}
