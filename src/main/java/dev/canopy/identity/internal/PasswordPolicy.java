package dev.canopy.identity.internal;

import org.jspecify.annotations.Nullable;

import dev.canopy.platform.web.ApiException;

/** What a password must be. The identity-hardening work adds the common-password list. */
public final class PasswordPolicy {

    public static final int MIN_LENGTH = 12;
    public static final int MAX_LENGTH = 1024;

    private PasswordPolicy() {
    }

    /** Null when acceptable, else why not. */
    public static @Nullable String problemWith(String password) {
        if (password.length() < MIN_LENGTH) {
            return "must be at least " + MIN_LENGTH + " characters";
        }
        if (password.length() > MAX_LENGTH) {
            return "must be at most " + MAX_LENGTH + " characters";
        }
        if (password.isBlank()) {
            return "must not be blank";
        }
        return null;
    }

    public static void check(String field, String password) {
        String problem = problemWith(password);
        if (problem != null) {
            throw ApiException.invalidField(field, problem);
        }
    }
}
