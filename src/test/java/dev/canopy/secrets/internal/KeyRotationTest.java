package dev.canopy.secrets.internal;

import static dev.canopy.support.ApiAssertions.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

import dev.canopy.platform.Ids;
import dev.canopy.platform.StartupRefusedException;
import dev.canopy.secrets.SecretBinding;
import dev.canopy.secrets.Secrets;
import dev.canopy.support.Api;
import dev.canopy.support.ApiTest;
import dev.canopy.support.SecretLogCapture;
import dev.canopy.support.Fixtures.Session;
import tools.jackson.databind.JsonNode;

/**
 * KEK rotation and data-key rotation over the admin API while readers keep opening secrets, forcing some of
 * them to unwrap data keys from the database mid-rotation: no read may fail.
 */
@ExtendWith(SecretLogCapture.class)
class KeyRotationTest extends ApiTest {

    private static final String KEYS = "/api/v1/admin/keys";

    @Autowired
    Secrets secrets;

    @Autowired
    EnvelopeSecrets envelope;

    @Autowired
    DataKeys dataKeys;

    @Autowired
    JdbcClient jdbc;

    record Sealed(SecretBinding binding, byte[] ciphertext, String plaintext) {
    }

    @Test
    void rotationWithConcurrentReadersNeverFailsARead() throws Exception {
        Session admin = fixtures.platformAdmin();
        UUID rotatedTenant = Ids.newId();
        List<Sealed> sealed = new ArrayList<>();
        for (UUID owner : List.of(rotatedTenant, Ids.newId(), Ids.newId(), SecretBinding.PLATFORM)) {
            for (int i = 0; i < 5; i++) {
                String value = "value-" + i + "-" + Ids.newId();
                SecretLogCapture.secret(value);
                SecretBinding binding = new SecretBinding(owner, "tenant.rotation_test", String.valueOf(i));
                sealed.add(new Sealed(binding, secrets.sealText(binding, value), value));
            }
        }
        List<Session> totpUsers = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Session user = fixtures.userIn(fixtures.tenant(), "member");
            assertThat(api.post("/api/v1/auth/mfa/totp/enroll", user.accessToken(), null).status()).isEqualTo(200);
            totpUsers.add(user);
        }

        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong reads = new AtomicLong();
        List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
        List<Thread> readers = new ArrayList<>();
        for (int r = 0; r < 4; r++) {
            readers.add(Thread.ofVirtual().start(() -> {
                while (!stop.get()) {
                    try {
                        Sealed one = sealed.get(ThreadLocalRandom.current().nextInt(sealed.size()));
                        if (ThreadLocalRandom.current().nextInt(4) == 0) {
                            dataKeys.reload(one.binding().ownerId()); // unwrap again, under whichever KEK now wraps it
                        }
                        assertThat(secrets.openText(one.binding(), one.ciphertext())).isEqualTo(one.plaintext());
                        Session user = totpUsers.get(ThreadLocalRandom.current().nextInt(totpUsers.size()));
                        byte[] stored = jdbc.sql("select sealed_secret from platform.totp_credentials where user_id = ?")
                                .param(user.userId()).query(byte[].class).single();
                        assertThat(secrets.openText(
                                SecretBinding.platform("platform.totp_credentials", user.userId().toString()), stored))
                                .hasSize(32);
                        reads.addAndGet(2);
                    }
                    catch (Throwable e) {
                        failures.add(e);
                    }
                }
            }));
        }
        try {
            Thread.sleep(200);
            Api.Response rotated = api.post(KEYS + "/rotate", admin.accessToken(), null);
            assertThat(rotated.status()).as(rotated.toString()).isEqualTo(202);
            int version = rotated.json().path("primary_version").asInt();
            assertThat(api.post(KEYS + "/data-keys/" + SecretBinding.PLATFORM + "/rotate", admin.accessToken(), null)
                    .status()).isEqualTo(202);
            assertThat(api.post(KEYS + "/data-keys/" + rotatedTenant + "/rotate", admin.accessToken(), null).status())
                    .isEqualTo(202);
            Api.Response again = api.post(KEYS + "/rotate", admin.accessToken(), null);
            assertThat(again.json().path("primary_version").asInt()).isEqualTo(version + 1);

            await(() -> {
                JsonNode keys = api.get(KEYS, admin.accessToken()).json();
                return keys.path("rewrap").path("data_keys_pending").asLong() == 0
                        && !keys.path("rewrap").path("running").asBoolean();
            });
            await(() -> !api.get(KEYS + "/data-keys/" + SecretBinding.PLATFORM, admin.accessToken()).json()
                    .path("reencryption_finished_at").isNull());
            Thread.sleep(200);
        }
        finally {
            stop.set(true);
            for (Thread reader : readers) {
                reader.join();
            }
        }

        assertThat(failures).isEmpty();
        assertThat(reads.get()).isGreaterThan(100);

        JsonNode keys = api.get(KEYS, admin.accessToken()).json();
        int primary = keys.path("primary_version").asInt();
        assertThat(jdbc.sql("select count(*) from platform.data_keys where kek_version <> ?").param(primary)
                .query(Long.class).single()).isZero();
        for (JsonNode version : keys.path("versions")) {
            boolean isPrimary = version.path("version").asInt() == primary;
            assertThat(version.path("primary").asBoolean()).isEqualTo(isPrimary);
            assertThat(version.path("retired_at").isNull()).as(version.toString()).isEqualTo(isPrimary);
            assertThat(version.path("data_keys").asLong()).isEqualTo(isPrimary ? keys.path("rewrap")
                    .path("data_keys_total").asLong() : 0);
        }
        // the platform's secrets were re-encrypted under its new data key; old ciphertexts still open
        JsonNode platformKey = api.get(KEYS + "/data-keys/" + SecretBinding.PLATFORM, admin.accessToken()).json();
        assertThat(platformKey.path("keys").asInt()).isGreaterThanOrEqualTo(2);
        assertThat(platformKey.path("reencrypted_secrets").asLong()).isGreaterThanOrEqualTo(totpUsers.size());
        for (Session user : totpUsers) {
            SecretBinding binding = SecretBinding.platform("platform.totp_credentials", user.userId().toString());
            byte[] stored = jdbc.sql("select sealed_secret from platform.totp_credentials where user_id = ?")
                    .param(user.userId()).query(byte[].class).single();
            assertThat(envelope.underPrimaryKey(binding, stored)).isTrue();
        }
        for (Sealed one : sealed) {
            assertThat(secrets.openText(one.binding(), one.ciphertext())).isEqualTo(one.plaintext());
        }
        // and tokens still verify: the signing key was re-encrypted too
        assertThat(api.get("/api/v1/auth/me", fixtures.platformAdmin().accessToken()).status()).isEqualTo(200);
    }

    @Test
    void anotherMasterKeyRefusesToStartInsteadOfCreatingNewKeys(@TempDir Path elsewhere) {
        byte[] other = new byte[32];
        new java.security.SecureRandom().nextBytes(other);
        MasterKey wrong = MasterKey.load(Base64.getEncoder().encodeToString(other), elsewhere);

        assertThatThrownBy(() -> new KeyEncryptionKeys(jdbc, wrong)).isInstanceOf(StartupRefusedException.class)
                .hasMessageContaining("does not decrypt key-encryption key version 1")
                .hasMessageContaining("CANOPY_MASTER_KEY");
        assertThat(jdbc.sql("select count(*) from platform.key_encryption_keys where version = 1").query(Long.class)
                .single()).isEqualTo(1);
    }

    @Test
    void onlyPlatformAdministratorsSeeOrRotateKeys() {
        Session tenantAdmin = fixtures.userIn(fixtures.tenant(), "tenant_admin");

        assertProblem(api.get(KEYS, tenantAdmin.accessToken()), 403, "FORBIDDEN");
        assertProblem(api.post(KEYS + "/rotate", tenantAdmin.accessToken(), null), 403, "FORBIDDEN");
        assertProblem(api.post(KEYS + "/data-keys/" + tenantAdmin.tenantId() + "/rotate", tenantAdmin.accessToken(),
                null), 403, "FORBIDDEN");
        assertThat(api.get(KEYS, null).status()).isEqualTo(401);
        assertThat(api.post(KEYS + "/rotate", null, null).status()).isEqualTo(401);
    }

    @Test
    void unknownOrMalformedOwnersAreRefused() {
        Session admin = fixtures.platformAdmin();

        assertProblem(api.post(KEYS + "/data-keys/" + Ids.newId() + "/rotate", admin.accessToken(), null), 404,
                "DATA_KEY_NOT_FOUND");
        assertProblem(api.get(KEYS + "/data-keys/" + Ids.newId(), admin.accessToken()), 404, "DATA_KEY_NOT_FOUND");
        Api.Response malformed = api.post(KEYS + "/data-keys/not-a-uuid/rotate", admin.accessToken(), null);
        assertThat(malformed.status()).as(malformed.toString()).isEqualTo(400);
    }

    private static void await(BooleanSupplier condition) throws InterruptedException {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
        while (!condition.getAsBoolean()) {
            assertThat(Instant.now()).as("waited 60 s").isBefore(deadline);
            Thread.sleep(100);
        }
    }
}
