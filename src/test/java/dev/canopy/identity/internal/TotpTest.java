package dev.canopy.identity.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The TOTP implementation against RFC 6238 Appendix B, and its base32 and matching rules. */
class TotpTest {

    private static final byte[] SEED_SHA1 = "12345678901234567890".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SEED_SHA256 = "12345678901234567890123456789012".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SEED_SHA512 = ("12345678901234567890123456789012345678901234567890123456789012"
            + "34").getBytes(StandardCharsets.US_ASCII);

    @ParameterizedTest(name = "T={0}s -> {1}")
    @CsvSource({
            "59,          94287082",
            "1111111109,  07081804",
            "1111111111,  14050471",
            "1234567890,  89005924",
            "2000000000,  69279037",
            "20000000000, 65353130" })
    void rfc6238AppendixBVectorsWithSha1(long unixSeconds, String expected) {
        long step = Totp.step(Instant.ofEpochSecond(unixSeconds));

        assertThat(Totp.code("HmacSHA1", SEED_SHA1, step, 8)).isEqualTo(expected);
        // the 6-digit code an authenticator shows is the same value truncated to six decimal digits
        assertThat(Totp.code(Totp.base32(SEED_SHA1), step)).isEqualTo(expected.substring(2));
    }

    @ParameterizedTest(name = "T={0}s -> {1} / {2}")
    @CsvSource({
            "59,          46119246, 90693936",
            "1111111109,  68084774, 25091201",
            "1111111111,  67062674, 99943326",
            "1234567890,  91819424, 93441116",
            "2000000000,  90698825, 38618901",
            "20000000000, 77737706, 47863826" })
    void rfc6238AppendixBVectorsWithSha256AndSha512(long unixSeconds, String sha256, String sha512) {
        long step = Totp.step(Instant.ofEpochSecond(unixSeconds));

        assertThat(Totp.code("HmacSHA256", SEED_SHA256, step, 8)).isEqualTo(sha256);
        assertThat(Totp.code("HmacSHA512", SEED_SHA512, step, 8)).isEqualTo(sha512);
    }

    @Test
    void stepsAreThirtySecondsFromTheEpoch() {
        assertThat(Totp.step(Instant.ofEpochSecond(0))).isZero();
        assertThat(Totp.step(Instant.ofEpochSecond(29))).isZero();
        assertThat(Totp.step(Instant.ofEpochSecond(30))).isEqualTo(1);
        assertThat(Totp.step(Instant.ofEpochSecond(1111111109))).isEqualTo(0x23523EC);
        assertThat(Totp.step(Instant.ofEpochSecond(20000000000L))).isEqualTo(0x27BC86AAL);
    }

    @Test
    void base32FollowsRfc4648() {
        // RFC 4648 section 10, without padding
        assertThat(Totp.base32("".getBytes(StandardCharsets.US_ASCII))).isEmpty();
        assertThat(Totp.base32("f".getBytes(StandardCharsets.US_ASCII))).isEqualTo("MY");
        assertThat(Totp.base32("fo".getBytes(StandardCharsets.US_ASCII))).isEqualTo("MZXQ");
        assertThat(Totp.base32("foo".getBytes(StandardCharsets.US_ASCII))).isEqualTo("MZXW6");
        assertThat(Totp.base32("foob".getBytes(StandardCharsets.US_ASCII))).isEqualTo("MZXW6YQ");
        assertThat(Totp.base32("fooba".getBytes(StandardCharsets.US_ASCII))).isEqualTo("MZXW6YTB");
        assertThat(Totp.base32("foobar".getBytes(StandardCharsets.US_ASCII))).isEqualTo("MZXW6YTBOI");
        assertThat(Totp.base32(SEED_SHA1)).isEqualTo("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
        assertThat(Totp.fromBase32("mzxw 6ytb-oi======")).isEqualTo("foobar".getBytes(StandardCharsets.US_ASCII));
        assertThatThrownBy(() -> Totp.fromBase32("MZ1W")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void newSecretsAre160RandomBits() {
        String secret = Totp.newSecret();

        assertThat(secret).hasSize(32).matches("[A-Z2-7]+");
        assertThat(Totp.fromBase32(secret)).hasSize(20);
        assertThat(Totp.newSecret()).isNotEqualTo(secret);
    }

    @Test
    void matchAcceptsOneStepOfDriftEitherWayAndNothingSpent() {
        String secret = Totp.base32(SEED_SHA1);
        Instant now = Instant.ofEpochSecond(1111111111);
        long step = Totp.step(now);

        assertThat(Totp.match(secret, Totp.code(secret, step), now, -1)).hasValue(step);
        assertThat(Totp.match(secret, Totp.code(secret, step - 1), now, -1)).hasValue(step - 1);
        assertThat(Totp.match(secret, Totp.code(secret, step + 1), now, -1)).hasValue(step + 1);
        assertThat(Totp.match(secret, Totp.code(secret, step - 2), now, -1)).isEmpty();
        assertThat(Totp.match(secret, Totp.code(secret, step + 2), now, -1)).isEmpty();
        // a step at or before the last one used is spent
        assertThat(Totp.match(secret, Totp.code(secret, step), now, step)).isEmpty();
        assertThat(Totp.match(secret, Totp.code(secret, step - 1), now, step - 1)).isEmpty();
        assertThat(Totp.match(secret, Totp.code(secret, step + 1), now, step)).hasValue(step + 1);
        assertThat(Totp.match(secret, "000000x", now, -1)).isEmpty();
        assertThat(Totp.match(secret, "", now, -1)).isEmpty();
    }
}
