package dev.canopy.secrets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

import dev.canopy.platform.Ids;
import dev.canopy.support.ApiTest;
import dev.canopy.support.SecretLogCapture;

/** Sealing and opening secrets: only the exact binding opens a ciphertext, and any change is detected. */
@ExtendWith(SecretLogCapture.class)
class SecretsTest extends ApiTest {

    private static final String SECRET = "s3cr3t-value-that-must-stay-hidden";

    static {
        SecretLogCapture.secret(SECRET);
    }

    @Autowired
    Secrets secrets;

    @Autowired
    JdbcClient jdbc;

    @Test
    void aSealedSecretOpensWithItsBinding() {
        UUID tenant = Ids.newId();
        SecretBinding binding = SecretBinding.tenant(tenant, "cloud_accounts", Ids.newId().toString());

        byte[] sealed = secrets.sealText(binding, SECRET);

        assertThat(new String(sealed, StandardCharsets.ISO_8859_1)).doesNotContain(SECRET);
        assertThat(secrets.openText(binding, sealed)).isEqualTo(SECRET);
    }

    @Test
    void platformSecretsOpenWithTheirBinding() {
        SecretBinding binding = SecretBinding.platform("platform.signing_keys", "kid-" + Ids.newId());

        assertThat(secrets.openText(binding, secrets.sealText(binding, SECRET))).isEqualTo(SECRET);
        assertThat(binding.isPlatform()).isTrue();
    }

    @Test
    void sealingTwiceGivesDifferentCiphertexts() {
        SecretBinding binding = SecretBinding.tenant(Ids.newId(), "cloud_accounts", "1");

        assertThat(secrets.sealText(binding, SECRET)).isNotEqualTo(secrets.sealText(binding, SECRET));
    }

    @Test
    void aTamperedCiphertextFailsWithAClearError() {
        SecretBinding binding = SecretBinding.tenant(Ids.newId(), "cloud_accounts", Ids.newId().toString());
        byte[] sealed = secrets.sealText(binding, SECRET);

        for (int position : new int[] { 1, 6, sealed.length / 2, sealed.length - 1 }) {
            byte[] tampered = sealed.clone();
            tampered[position] ^= 0x01;
            assertThatThrownBy(() -> secrets.open(binding, tampered))
                    .isInstanceOf(SecretUnreadableException.class)
                    .hasMessageContaining("cloud_accounts record " + binding.recordId())
                    .hasMessageContaining("cannot be opened")
                    .hasMessageNotContaining(SECRET);
        }
        byte[] truncated = java.util.Arrays.copyOf(sealed, sealed.length - 4);
        assertThatThrownBy(() -> secrets.open(binding, truncated)).isInstanceOf(SecretUnreadableException.class)
                .hasMessageContaining("altered");
    }

    @Test
    void somethingThatIsNoCiphertextFailsWithAClearError() {
        SecretBinding binding = SecretBinding.platform("platform.totp_credentials", Ids.newId().toString());

        assertThatThrownBy(() -> secrets.open(binding, SECRET.getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(SecretUnreadableException.class)
                .hasMessageContaining("not a ciphertext of this service");
    }

    @Test
    void aCiphertextMovedToAnotherTenantDoesNotOpen() {
        String record = Ids.newId().toString();
        SecretBinding original = SecretBinding.tenant(Ids.newId(), "cloud_accounts", record);
        SecretBinding elsewhere = SecretBinding.tenant(Ids.newId(), "cloud_accounts", record);
        secrets.sealText(elsewhere, "the other tenant has a data key too");

        byte[] sealed = secrets.sealText(original, SECRET);

        assertThatThrownBy(() -> secrets.open(elsewhere, sealed)).isInstanceOf(SecretUnreadableException.class)
                .hasMessageContaining("sealed for another tenant, table or record");
        assertThatThrownBy(() -> secrets.open(SecretBinding.platform("cloud_accounts", record), sealed))
                .isInstanceOf(SecretUnreadableException.class);
    }

    @Test
    void aCiphertextMovedToAnotherRowOrTableDoesNotOpen() {
        UUID tenant = Ids.newId();
        SecretBinding original = SecretBinding.tenant(tenant, "cloud_accounts", Ids.newId().toString());
        byte[] sealed = secrets.sealText(original, SECRET);

        assertThatThrownBy(() -> secrets.open(
                SecretBinding.tenant(tenant, "cloud_accounts", Ids.newId().toString()), sealed))
                .isInstanceOf(SecretUnreadableException.class);
        assertThatThrownBy(() -> secrets.open(
                SecretBinding.tenant(tenant, "tenant.sso_providers", original.recordId()), sealed))
                .isInstanceOf(SecretUnreadableException.class);
        assertThat(secrets.openText(original, sealed)).isEqualTo(SECRET);
    }

    @Test
    void aTenantWithoutDataKeyCannotOpenAnything() {
        SecretBinding sealedFor = SecretBinding.tenant(Ids.newId(), "cloud_accounts", "1");
        byte[] sealed = secrets.sealText(sealedFor, SECRET);

        assertThatThrownBy(() -> secrets.open(SecretBinding.tenant(Ids.newId(), "cloud_accounts", "1"), sealed))
                .isInstanceOf(SecretUnreadableException.class).hasMessageContaining("no data key");
    }

    @Test
    void dataKeysAreStoredOnlyWrapped() {
        UUID tenant = Ids.newId();
        secrets.sealText(SecretBinding.tenant(tenant, "cloud_accounts", "1"), SECRET);

        var row = jdbc.sql("select kek_version, wrapped_keyset from platform.data_keys where tenant_id = ?")
                .param(tenant).query().singleRow();
        assertThat((Integer) row.get("kek_version")).isPositive();
        // a Tink keyset in clear is a protobuf naming its key type; wrapped, it is opaque
        assertThat(new String((byte[]) row.get("wrapped_keyset"), StandardCharsets.ISO_8859_1))
                .doesNotContain("type.googleapis.com");
    }

    @Test
    void bindingsAreChecked() {
        assertThatThrownBy(() -> SecretBinding.tenant(SecretBinding.PLATFORM, "t", "1"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SecretBinding.platform("Robert'); drop table", "1"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SecretBinding.platform("platform.x", " ")).isInstanceOf(IllegalArgumentException.class);
    }
}
