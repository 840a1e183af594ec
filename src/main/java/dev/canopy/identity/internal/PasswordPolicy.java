package dev.canopy.identity.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;

import dev.canopy.platform.web.ApiException;
import dev.canopy.platform.web.ApiException.FieldError;

/**
 * What a new password must be, after NIST SP 800-63B 3.1.1.2: 12 to 1024 characters, not known from a
 * breach (about 415,000 passwords shipped in the jar, {@link BreachedPasswords}), and not containing the
 * words the account itself gives away: its email's local part and the parts of it and of the user's name
 * (3 characters or more, not only digits), or the service's name.
 *
 * <p>Length problems are {@code VALIDATION_FAILED} like any malformed field; a guessable password is
 * {@code PASSWORD_TOO_COMMON}, so a client can tell the user to choose another rather than a longer one.
 *
 * <p>An installation may add a breach API ({@link BreachApi}, k-anonymity, failing open), asked last, only about
 * passwords every other rule accepts.
 */
public final class PasswordPolicy {

    public static final int MIN_LENGTH = 12;
    public static final int MAX_LENGTH = 1024;
    public static final String TOO_COMMON = "PASSWORD_TOO_COMMON";

    /** Words an attacker tries first against any account here. */
    private static final List<String> SERVICE_WORDS = List.of("canopy");

    /** Set at start-up by {@link BreachApiSetup}; null: none configured. */
    private static volatile @Nullable BreachApi breachApi;

    private PasswordPolicy() {
    }

    static void useBreachApi(@Nullable BreachApi api) {
        breachApi = api;
    }

    /** Why a password was refused: the problem's code and the field error's message. */
    public record Refusal(String code, String message) {
    }

    /** Null when acceptable, else why not. */
    public static @Nullable Refusal refusal(String password, @Nullable String email, @Nullable String fullName) {
        if (password.length() < MIN_LENGTH) {
            return invalid("must be at least " + MIN_LENGTH + " characters");
        }
        if (password.length() > MAX_LENGTH) {
            return invalid("must be at most " + MAX_LENGTH + " characters");
        }
        if (password.isBlank()) {
            return invalid("must not be blank");
        }
        if (Loaded.BREACHED.contains(password)) {
            return new Refusal(TOO_COMMON, "is too common: it is known from data breaches; choose another");
        }
        String lower = password.toLowerCase(Locale.ROOT);
        String localPart = email == null ? "" : email.substring(0, Math.max(0, email.indexOf('@')))
                .toLowerCase(Locale.ROOT);
        if (localPart.length() >= 3 && lower.contains(localPart)) {
            return new Refusal(TOO_COMMON, "must not contain your email address");
        }
        for (String word : words(localPart)) {
            if (lower.contains(word)) {
                return new Refusal(TOO_COMMON, "must not contain parts of your email address");
            }
        }
        for (String word : words(fullName)) {
            if (lower.contains(word)) {
                return new Refusal(TOO_COMMON, "must not contain your name");
            }
        }
        for (String word : SERVICE_WORDS) {
            if (lower.contains(word)) {
                return new Refusal(TOO_COMMON, "must not contain the name of this service");
            }
        }
        BreachApi api = breachApi;
        if (api != null && api.breached(password)) {
            return new Refusal(TOO_COMMON, "is too common: it is known from data breaches; choose another");
        }
        return null;
    }

    /** Null when acceptable, else why not (the field error's message). */
    public static @Nullable String problemWith(String password, @Nullable String email) {
        Refusal refusal = refusal(password, email, null);
        return refusal == null ? null : refusal.message();
    }

    public static @Nullable String problemWith(String password) {
        return problemWith(password, null);
    }

    public static void check(String field, String password, @Nullable String email, @Nullable String fullName) {
        Refusal refusal = refusal(password, email, fullName);
        if (refusal != null) {
            throw new ApiException(HttpStatus.BAD_REQUEST, refusal.code(), TOO_COMMON.equals(refusal.code())
                    ? "The password is too easy to guess." : "The request has invalid fields.",
                    List.of(new FieldError(field, refusal.message())));
        }
    }

    public static void check(String field, String password, @Nullable String email) {
        check(field, password, email, null);
    }

    public static void check(String field, String password) {
        check(field, password, null, null);
    }

    /** Reads the list now rather than at the first sign-up; at start-up a broken jar shows at once. */
    public static int load() {
        return Loaded.BREACHED.size();
    }

    private static Refusal invalid(String message) {
        return new Refusal("VALIDATION_FAILED", message);
    }

    /**
     * Lower-cased words of 3 characters or more that are not only digits: {@code "Rosalind E. Franklin"} gives
     * {@code rosalind, franklin}, {@code "r.franklin-42"} gives {@code franklin}. Short and numeric parts would
     * refuse unrelated passwords ("42", "jo") without making any guess harder.
     */
    private static List<String> words(@Nullable String text) {
        List<String> words = new ArrayList<>();
        if (text == null) {
            return words;
        }
        for (String part : text.toLowerCase(Locale.ROOT).split("[^\\p{L}\\p{N}]+")) {
            if (part.length() >= 3 && !part.chars().allMatch(Character::isDigit)) {
                words.add(part);
            }
        }
        return words;
    }

    /** Holder: loaded once, on the first check or {@link #load()}. */
    private static final class Loaded {
        static final BreachedPasswords BREACHED = BreachedPasswords.shipped();
    }
}
