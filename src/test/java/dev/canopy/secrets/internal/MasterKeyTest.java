package dev.canopy.secrets.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.canopy.platform.StartupRefusedException;

/** Where the master key comes from, and what Canopy refuses to start with. */
class MasterKeyTest {

    @TempDir
    Path dataDir;

    @Test
    void aKeyFileIsCreatedOnceWithMode0600AndReusedAfterwards() throws Exception {
        MasterKey first = MasterKey.load("", dataDir);
        Path file = dataDir.resolve("master.key");

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(Base64.getDecoder().decode(Files.readString(file).strip())).hasSize(32);
        byte[] sealed = first.aead().encrypt("x".getBytes(), new byte[0]);
        MasterKey again = MasterKey.load("", dataDir);
        assertThat(again.aead().decrypt(sealed, new byte[0])).isEqualTo("x".getBytes());
        assertThat(again.source()).isEqualTo(file.toAbsolutePath().toString());
    }

    @Test
    void aConfiguredKeyWinsOverTheFile() throws Exception {
        String configured = Base64.getEncoder().encodeToString(new byte[32]);
        MasterKey key = MasterKey.load(configured, dataDir);

        assertThat(key.source()).isEqualTo("CANOPY_MASTER_KEY");
        assertThat(Files.exists(dataDir.resolve("master.key"))).isFalse();
        byte[] sealed = key.aead().encrypt("x".getBytes(), new byte[0]);
        assertThat(MasterKey.load(configured, dataDir).aead().decrypt(sealed, new byte[0])).isEqualTo("x".getBytes());
    }

    @Test
    void badKeysAndReadableKeyFilesRefuseToStart() throws Exception {
        assertThatThrownBy(() -> MasterKey.load("not base64!", dataDir)).isInstanceOf(StartupRefusedException.class)
                .hasMessageContaining("not valid base64");
        assertThatThrownBy(() -> MasterKey.load(Base64.getEncoder().encodeToString(new byte[16]), dataDir))
                .isInstanceOf(StartupRefusedException.class).hasMessageContaining("16 bytes long; it must be 32");

        MasterKey.load("", dataDir);
        Files.setPosixFilePermissions(dataDir.resolve("master.key"), PosixFilePermissions.fromString("rw-r--r--"));
        assertThatThrownBy(() -> MasterKey.load("", dataDir)).isInstanceOf(StartupRefusedException.class)
                .hasMessageContaining("can be read by others");
    }
}
