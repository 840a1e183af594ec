package dev.canopy.secrets.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Set;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.google.crypto.tink.Aead;
import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.aead.AesGcmKey;
import com.google.crypto.tink.aead.AesGcmParameters;
import com.google.crypto.tink.util.SecretBytes;

import dev.canopy.platform.StartupRefusedException;

/**
 * The root of the key hierarchy: 32 bytes from {@code CANOPY_MASTER_KEY} (base64) or, when that is unset,
 * from {@code <data-dir>/master.key}, created with mode 0600 at first start. It only encrypts the versions of
 * the key-encryption key, so it never needs to change when those rotate.
 */
final class MasterKey {

    static final String FILE_NAME = "master.key";

    private static final Logger log = LoggerFactory.getLogger(MasterKey.class);
    private static final int KEY_BYTES = 32;
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    private final Aead aead;
    private final String source;

    private MasterKey(byte[] key, String source) {
        this.aead = aesGcm(key);
        this.source = source;
    }

    /** Where the key came from ("CANOPY_MASTER_KEY" or the file's path), for error messages. */
    String source() {
        return source;
    }

    Aead aead() {
        return aead;
    }

    static MasterKey load(String configured, Path dataDir) {
        if (!configured.isBlank()) {
            return new MasterKey(decode(configured.strip(), "CANOPY_MASTER_KEY"), "CANOPY_MASTER_KEY");
        }
        Path file = dataDir.resolve(FILE_NAME).toAbsolutePath();
        try {
            Files.createDirectories(dataDir);
            if (!Files.exists(file)) {
                create(file);
            }
            Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(file);
            if (!OWNER_ONLY.containsAll(permissions)) {
                throw new StartupRefusedException("The master key file " + file + " can be read by others ("
                        + PosixFilePermissions.toString(permissions) + ").",
                        "Run: chmod 600 " + file);
            }
            return new MasterKey(decode(Files.readString(file, StandardCharsets.US_ASCII).strip(), file.toString()),
                    file.toString());
        }
        catch (IOException e) {
            throw new StartupRefusedException("Cannot read or create the master key file " + file + ": " + e,
                    "Make the data directory writable, or set CANOPY_MASTER_KEY to a base64-encoded 32-byte key "
                            + "(e.g. openssl rand -base64 32).");
        }
    }

    /**
     * Writes a new key to a private temporary file, then links it under its name: the link either appears
     * complete or not at all, and fails if another process created the file first (then theirs is used).
     */
    private static void create(Path file) throws IOException {
        byte[] key = new byte[KEY_BYTES];
        new SecureRandom().nextBytes(key);
        Path temporary = Files.createTempFile(file.getParent(), ".master.key", ".tmp",
                PosixFilePermissions.asFileAttribute(OWNER_ONLY));
        try {
            Files.writeString(temporary, Base64.getEncoder().encodeToString(key) + "\n", StandardCharsets.US_ASCII,
                    java.nio.file.StandardOpenOption.SYNC);
            Files.createLink(file, temporary);
            log.warn("Created the master key file {} (mode 0600). Back it up: without it no stored secret can be "
                    + "decrypted. Alternatively pass the key in CANOPY_MASTER_KEY.", file);
        }
        catch (FileAlreadyExistsException raced) {
            // another process created it first: use theirs
        }
        finally {
            Files.deleteIfExists(temporary);
        }
    }

    private static byte[] decode(String base64, String source) {
        byte[] key;
        try {
            key = Base64.getDecoder().decode(base64);
        }
        catch (IllegalArgumentException e) {
            throw new StartupRefusedException("The master key in " + source + " is not valid base64.",
                    "Use a base64-encoded 32-byte key, e.g. the output of: openssl rand -base64 32");
        }
        if (key.length != KEY_BYTES) {
            throw new StartupRefusedException("The master key in " + source + " is " + key.length
                    + " bytes long; it must be 32.", "Use a base64-encoded 32-byte key, e.g. openssl rand -base64 32");
        }
        return key;
    }

    private static Aead aesGcm(byte[] key) {
        try {
            AesGcmParameters parameters = AesGcmParameters.builder().setKeySizeBytes(KEY_BYTES).setIvSizeBytes(12)
                    .setTagSizeBytes(16).setVariant(AesGcmParameters.Variant.NO_PREFIX).build();
            AesGcmKey aesKey = AesGcmKey.builder().setParameters(parameters)
                    .setKeyBytes(SecretBytes.copyFrom(key, InsecureSecretKeyAccess.get())).build();
            return Tink.aead(Tink.keysetOf(aesKey));
        }
        catch (GeneralSecurityException e) {
            throw new IllegalStateException("Tink cannot use the master key", e);
        }
    }
}
