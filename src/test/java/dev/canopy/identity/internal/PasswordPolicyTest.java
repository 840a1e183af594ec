package dev.canopy.identity.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The password rules of NIST SP 800-63B: length, breached passwords, words of the account itself. */
class PasswordPolicyTest {

    @Test
    void theShippedListHoldsAtLeastTheHundredThousandMostCommonPasswords() {
        assertThat(BreachedPasswords.shipped().size()).isGreaterThanOrEqualTo(100_000);
    }

    // beyond the 10,000 of the earlier list: password1234 was accepted (201) when the issue was filed
    @ParameterizedTest
    @ValueSource(strings = { "password1234", "PassWord1234", "qwertyqwerty", "websolutions", "123456123456",
            "chickenwing101", "123qweasdzxc" })
    void breachedPasswordsAreTooCommon(String password) {
        assertThat(PasswordPolicy.refusal(password, "someone@example.com", "Some One"))
                .isEqualTo(new PasswordPolicy.Refusal(PasswordPolicy.TOO_COMMON,
                        "is too common: it is known from data breaches; choose another"));
    }

    @Test
    void theAccountsOwnWordsAreTooCommon() {
        String email = "r.franklin-42@kings.example";
        String name = "Rosalind Elsie Franklin";

        assertThat(PasswordPolicy.refusal("my r.franklin-42 secret", email, name).message())
                .isEqualTo("must not contain your email address");
        assertThat(PasswordPolicy.refusal("franklin-and-crick-1953", email, name).message())
                .isEqualTo("must not contain parts of your email address");
        assertThat(PasswordPolicy.refusal("ELSIE-from-notting-hill", email, name).message())
                .isEqualTo("must not contain your name");
        assertThat(PasswordPolicy.refusal("my-canopy-password-77", email, name).message())
                .isEqualTo("must not contain the name of this service");
        assertThat(PasswordPolicy.refusal("photograph-51-of-dna", email, name)).isNull();
    }

    @Test
    void shortAndNumericPartsOfNamesRefuseNothing() {
        assertThat(PasswordPolicy.refusal("jo-42-walks-the-dog-far", "jo.42@example.com", "Jo Li 42")).isNull();
    }

    @Test
    void lengthProblemsAreValidationFailures() {
        assertThat(PasswordPolicy.refusal("short", null, null).code()).isEqualTo("VALIDATION_FAILED");
        assertThat(PasswordPolicy.refusal("p".repeat(1025), null, null).code()).isEqualTo("VALIDATION_FAILED");
        assertThat(PasswordPolicy.refusal("a-long-enough-password-42", null, null)).isNull();
    }
}
