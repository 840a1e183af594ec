package dev.canopy.secrets.internal;

import java.nio.file.Path;
import java.util.List;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.simple.JdbcClient;

import dev.canopy.platform.db.ChangeBroadcast;
import dev.canopy.platform.db.IndependentTransaction;
import dev.canopy.secrets.SealedSecretStore;
import dev.canopy.secrets.Secrets;

/** Wires the key hierarchy: master key, KEK versions, data keysets, and the {@link Secrets} service on top. */
@Configuration(proxyBeanMethods = false)
class SecretsConfiguration {

    @Bean
    KeyEncryptionKeys keyEncryptionKeys(JdbcClient jdbc, @Value("${canopy.secrets.master-key:}") String masterKey,
            @Value("${canopy.data-dir}") Path dataDir) {
        return new KeyEncryptionKeys(jdbc, MasterKey.load(masterKey, dataDir));
    }

    @Bean
    DataKeys dataKeys(JdbcClient jdbc, KeyEncryptionKeys keks, IndependentTransaction independent,
            ChangeBroadcast broadcast) {
        return new DataKeys(jdbc, keks, independent, broadcast);
    }

    @Bean
    EnvelopeSecrets secrets(DataKeys dataKeys) {
        return new EnvelopeSecrets(dataKeys);
    }

    @Bean
    KeyRotation keyRotation(JdbcClient jdbc, KeyEncryptionKeys keks, DataKeys dataKeys, EnvelopeSecrets secrets,
            List<SealedSecretStore> stores, ChangeBroadcast broadcast, IndependentTransaction independent) {
        return new KeyRotation(jdbc, keks, dataKeys, secrets, stores, broadcast, independent);
    }
}
