package dev.canopy.identity.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

import org.jspecify.annotations.Nullable;

import dev.canopy.platform.web.ApiException;

/**
 * What a password must be: 12 to 1024 characters, not one of the 10,000 most common passwords, and not
 * containing the local part of the user's email (when that is 3 characters or more).
 */
public final class PasswordPolicy {

    public static final int MIN_LENGTH = 12;
    public static final int MAX_LENGTH = 1024;

    private PasswordPolicy() {
    }

    /** Null when acceptable, else why not. */
    public static @Nullable String problemWith(String password, @Nullable String email) {
        if (password.length() < MIN_LENGTH) {
            return "must be at least " + MIN_LENGTH + " characters";
        }
        if (password.length() > MAX_LENGTH) {
            return "must be at most " + MAX_LENGTH + " characters";
        }
        if (password.isBlank()) {
            return "must not be blank";
        }
        String lower = password.toLowerCase(Locale.ROOT);
        if (CommonPasswords.LIST.contains(lower)) {
            return "is one of the most common passwords";
        }
        String localPart = email == null ? "" : email.substring(0, Math.max(0, email.indexOf('@')))
                .toLowerCase(Locale.ROOT);
        if (localPart.length() >= 3 && lower.contains(localPart)) {
            return "must not contain your email address";
        }
        return null;
    }

    public static @Nullable String problemWith(String password) {
        return problemWith(password, null);
    }

    public static void check(String field, String password, @Nullable String email) {
        String problem = problemWith(password, email);
        if (problem != null) {
            throw ApiException.invalidField(field, problem);
        }
    }

    public static void check(String field, String password) {
        check(field, password, null);
    }

    /** Loaded on first use, once. */
    private static final class CommonPasswords {

        static final Set<String> LIST = load();

        private static Set<String> load() {
            try (InputStream in = PasswordPolicy.class.getResourceAsStream("/security/common-passwords.txt")) {
                if (in == null) {
                    throw new IllegalStateException("security/common-passwords.txt is missing");
                }
                return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines()
                        .map(line -> line.strip().toLowerCase(Locale.ROOT))
                        .filter(line -> !line.isEmpty())
                        .collect(Collectors.toUnmodifiableSet());
            }
            catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
