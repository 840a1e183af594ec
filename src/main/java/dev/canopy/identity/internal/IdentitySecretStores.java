package dev.canopy.identity.internal;

import java.util.List;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.simple.JdbcClient;

import dev.canopy.secrets.SealedSecret;
import dev.canopy.secrets.SealedSecretStore;
import dev.canopy.secrets.SecretBinding;

/** The identity module's sealed secrets, all of platform scope, for data-key rotation to re-encrypt. */
@Configuration(proxyBeanMethods = false)
class IdentitySecretStores {

    @Bean
    SealedSecretStore signingKeySecrets(JdbcClient jdbc) {
        return new SealedSecretStore() {
            @Override
            public List<SealedSecret> page(UUID ownerId, @Nullable String after, int limit) {
                if (!SecretBinding.PLATFORM.equals(ownerId)) {
                    return List.of();
                }
                return jdbc.sql("""
                        select kid, sealed_jwk from platform.signing_keys
                         where sealed_jwk is not null and kid > :after order by kid limit :limit
                        """).param("after", after == null ? "" : after).param("limit", limit)
                        .query((rs, n) -> new SealedSecret(SigningKeys.binding(rs.getString(1)), rs.getBytes(2)))
                        .list();
            }

            @Override
            public boolean replace(SealedSecret current, byte[] resealed) {
                return jdbc.sql("update platform.signing_keys set sealed_jwk = ? where kid = ? and sealed_jwk = ?")
                        .params(resealed, current.binding().recordId(), current.ciphertext()).update() == 1;
            }
        };
    }

    @Bean
    SealedSecretStore totpSecrets(JdbcClient jdbc) {
        return new SealedSecretStore() {
            @Override
            public List<SealedSecret> page(UUID ownerId, @Nullable String after, int limit) {
                if (!SecretBinding.PLATFORM.equals(ownerId)) {
                    return List.of();
                }
                return jdbc.sql("""
                        select user_id, sealed_secret from platform.totp_credentials
                         where sealed_secret is not null and user_id > :after order by user_id limit :limit
                        """).param("after", after == null ? new UUID(0, 0) : UUID.fromString(after))
                        .param("limit", limit)
                        .query((rs, n) -> new SealedSecret(MfaRecords.totpBinding(rs.getObject(1, UUID.class)),
                                rs.getBytes(2)))
                        .list();
            }

            @Override
            public boolean replace(SealedSecret current, byte[] resealed) {
                return jdbc.sql("update platform.totp_credentials set sealed_secret = ? where user_id = ? and sealed_secret = ?")
                        .params(resealed, UUID.fromString(current.binding().recordId()), current.ciphertext())
                        .update() == 1;
            }
        };
    }
}
