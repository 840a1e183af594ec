package dev.canopy.secrets.internal;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;

import com.google.crypto.tink.Aead;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.RegistryConfiguration;
import com.google.crypto.tink.TinkProtoKeysetFormat;
import com.google.crypto.tink.aead.AeadConfig;
import com.google.crypto.tink.aead.PredefinedAeadParameters;

/** The few Tink operations the key hierarchy needs: new AES-256-GCM keysets, wrapping and unwrapping them. */
final class Tink {

    static {
        try {
            AeadConfig.register();
        }
        catch (GeneralSecurityException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private Tink() {
    }

    /** A keyset of one given key (the master key, which Canopy does not generate itself). */
    static KeysetHandle keysetOf(com.google.crypto.tink.Key key) throws GeneralSecurityException {
        return KeysetHandle.newBuilder().addEntry(KeysetHandle.importKey(key).withRandomId().makePrimary()).build();
    }

    static KeysetHandle newKeyset() {
        try {
            return KeysetHandle.generateNew(PredefinedAeadParameters.AES256_GCM);
        }
        catch (GeneralSecurityException e) {
            throw new IllegalStateException("Tink cannot generate an AES-256-GCM key", e);
        }
    }

    /** The keyset with one more AES-256-GCM key, which becomes the primary; the old ones still decrypt. */
    static KeysetHandle withNewPrimary(KeysetHandle keyset) {
        try {
            return KeysetHandle.newBuilder(keyset)
                    .addEntry(KeysetHandle.generateEntryFromParameters(PredefinedAeadParameters.AES256_GCM)
                            .withRandomId().makePrimary())
                    .build();
        }
        catch (GeneralSecurityException e) {
            throw new IllegalStateException("Tink cannot add a key to a keyset", e);
        }
    }

    static Aead aead(KeysetHandle keyset) {
        try {
            return keyset.getPrimitive(RegistryConfiguration.get(), Aead.class);
        }
        catch (GeneralSecurityException e) {
            throw new IllegalStateException("Tink cannot build an AEAD from a keyset", e);
        }
    }

    static byte[] wrap(KeysetHandle keyset, Aead wrapping, String associatedData) {
        try {
            return TinkProtoKeysetFormat.serializeEncryptedKeyset(keyset, wrapping,
                    associatedData.getBytes(StandardCharsets.UTF_8));
        }
        catch (GeneralSecurityException e) {
            throw new IllegalStateException("Tink cannot wrap a keyset", e);
        }
    }

    static KeysetHandle unwrap(byte[] wrapped, Aead wrapping, String associatedData) throws GeneralSecurityException {
        return TinkProtoKeysetFormat.parseEncryptedKeyset(wrapped, wrapping,
                associatedData.getBytes(StandardCharsets.UTF_8));
    }
}
