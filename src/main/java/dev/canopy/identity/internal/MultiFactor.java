package dev.canopy.identity.internal;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

import dev.canopy.audit.AuditTrail;
import dev.canopy.platform.db.IndependentTransaction;
import dev.canopy.platform.security.CanopyPrincipal;
import dev.canopy.platform.web.ApiException;

/**
 * TOTP multi-factor authentication: enrolment, confirmation with recovery codes, disabling, and the
 * second step of a login. Codes are single use: each accepted code spends its time step.
 */
@Component
public class MultiFactor {

    public static final String ISSUER = "Canopy";
    public static final int RECOVERY_CODE_COUNT = 10;
    /** How long the second step of a login may wait for its code. */
    public static final Duration CHALLENGE_LIFETIME = Duration.ofMinutes(5);
    /** Codes tried against one challenge before it is spent. */
    public static final int MAX_ATTEMPTS = 5;

    /** How a session's user proved themselves beyond the password. */
    public static final String TOTP = "totp";
    public static final String RECOVERY_CODE = "recovery_code";

    private static final SecureRandom RANDOM = new SecureRandom();

    private final MfaRecords records;
    private final UserAccounts users;
    private final TransactionTemplate transactions;
    private final AuditTrail audit;
    private final LoginAttempts attempts;
    private final Lockout lockout;
    private final IndependentTransaction independent;

    MultiFactor(MfaRecords records, UserAccounts users, TransactionTemplate transactions, AuditTrail audit,
            LoginAttempts attempts, Lockout lockout, IndependentTransaction independent) {
        this.records = records;
        this.users = users;
        this.transactions = transactions;
        this.audit = audit;
        this.attempts = attempts;
        this.lockout = lockout;
        this.independent = independent;
    }

    /** A pending TOTP enrolment: the secret to put into an authenticator app, as text, URI and QR code. */
    public record Enrollment(String secret, String otpauthUri, byte[] qrPng) {

        @Override
        public String toString() {
            return "Enrollment[...]"; // never the secret
        }
    }

    public boolean active(UUID userId) {
        return records.active(userId);
    }

    /** Starts TOTP enrolment, replacing a pending one; refused when TOTP is already active. */
    public Enrollment enroll(CanopyPrincipal principal) {
        UserAccount user = users.findById(principal.userId()).orElseThrow();
        audit.resource("user", user.id().toString());
        String secret = Totp.newSecret();
        if (!transactions.execute(status -> records.savePending(user.id(), secret))) {
            throw alreadyActive();
        }
        String uri = otpauthUri(user.email(), secret);
        return new Enrollment(secret, uri, QrCodes.png(uri));
    }

    /** Activates a pending enrolment with a code from the app; returns the recovery codes, shown only now. */
    public List<String> confirm(CanopyPrincipal principal, String code) {
        UUID userId = principal.userId();
        audit.resource("user", userId.toString());
        return transactions.execute(status -> {
            MfaRecords.TotpCredential credential = records.lockTotp(userId).orElseThrow(
                    () -> ApiException.conflict("MFA_NOT_ENROLLED",
                            "There is no enrolment to confirm; start one with POST /api/v1/auth/mfa/totp/enroll."));
            if (credential.active()) {
                throw alreadyActive();
            }
            records.confirm(userId, checkedStep(credential, code));
            return newRecoveryCodes(userId);
        });
    }

    /** Replaces the recovery codes, given a current code: the old ones stop working; the new ones are shown now. */
    public List<String> regenerateRecoveryCodes(CanopyPrincipal principal, String code) {
        UUID userId = principal.userId();
        audit.resource("user", userId.toString());
        return transactions.execute(status -> {
            MfaRecords.TotpCredential credential = lockActive(userId);
            if (!records.spendStep(userId, checkedStep(credential, code))) {
                throw invalidCode();
            }
            return newRecoveryCodes(userId);
        });
    }

    /** Turns TOTP off, given a current code, and deletes the recovery codes. */
    public void disable(CanopyPrincipal principal, String code) {
        UUID userId = principal.userId();
        audit.resource("user", userId.toString());
        transactions.executeWithoutResult(status -> {
            checkedStep(lockActive(userId), code);
            records.deleteAll(userId);
        });
    }

    private MfaRecords.TotpCredential lockActive(UUID userId) {
        return records.lockTotp(userId).filter(MfaRecords.TotpCredential::active)
                .orElseThrow(() -> ApiException.conflict("MFA_NOT_ACTIVE", "Two-factor authentication is not on."));
    }

    /**
     * The time step of a correct code for a change to the user's own MFA. Wrong codes count against the
     * account as at sign-in, so a stolen session cannot guess its way to turning MFA off.
     */
    private long checkedStep(MfaRecords.TotpCredential credential, String code) {
        String subject = LoginAttempts.mfa(credential.userId());
        attempts.lockedUntil(subject).ifPresent(until -> {
            throw ApiException.tooManyRequests("Too many wrong codes; try again later.",
                    Duration.between(Instant.now(), until));
        });
        OptionalLong step = Totp.match(credential.totpSecret(), code, Instant.now(), credential.lastStep());
        if (step.isEmpty()) {
            // the request rolls back; the count of failures must not
            independent.run(() -> attempts.recordFailure(subject, lockout.maxFailures(), lockout.window(),
                    lockout.duration()));
            throw invalidCode();
        }
        attempts.clear(subject);
        return step.getAsLong();
    }

    private List<String> newRecoveryCodes(UUID userId) {
        List<String> codes = new ArrayList<>();
        List<byte[]> hashes = new ArrayList<>();
        for (int i = 0; i < RECOVERY_CODE_COUNT; i++) {
            String recoveryCode = newRecoveryCode();
            codes.add(recoveryCode);
            hashes.add(hashRecoveryCode(recoveryCode));
        }
        records.replaceRecoveryCodes(userId, hashes);
        return codes;
    }

    /** Starts the second step of a login: a single-use token bound to the user, the tenant and the client. */
    String challenge(UUID userId, UUID tenantId, SignIn.Client client) {
        String token = RefreshTokens.newToken();
        records.insertChallenge(RefreshTokens.hash(token), userId, tenantId, client.ip(), client.storedUserAgent(),
                Instant.now().plus(CHALLENGE_LIFETIME));
        return token;
    }

    /**
     * Checks the second factor of a login and spends it; returns the method. Call in the transaction
     * that starts the session, so a code is spent only if the login succeeds.
     */
    String verify(UUID userId, @Nullable String code, @Nullable String recoveryCode) {
        if (code != null) {
            MfaRecords.TotpCredential credential = records.findTotp(userId).filter(MfaRecords.TotpCredential::active)
                    .orElseThrow(MultiFactor::invalidCode);
            long step = Totp.match(credential.totpSecret(), code, Instant.now(), credential.lastStep())
                    .orElseThrow(MultiFactor::invalidCode);
            if (!records.spendStep(userId, step)) {
                throw invalidCode(); // a concurrent request spent it first
            }
            return TOTP;
        }
        String normalized = recoveryCode == null ? "" : normalizeRecoveryCode(recoveryCode);
        if (!normalized.matches("[a-z2-7]{16}") || !records.useRecoveryCode(userId, hashRecoveryCode(normalized))) {
            throw invalidCode();
        }
        return RECOVERY_CODE;
    }

    static ApiException invalidCode() {
        return ApiException.badRequest("MFA_CODE_INVALID", "The code is wrong, expired or already used.");
    }

    private static ApiException alreadyActive() {
        return new ApiException(HttpStatus.CONFLICT, "MFA_ALREADY_ACTIVE",
                "Two-factor authentication is already on; disable it first to enrol again.");
    }

    /** The key URI authenticator apps read (Google Authenticator's key URI format). */
    static String otpauthUri(String email, String secret) {
        return "otpauth://totp/" + ISSUER + ":" + uriEncode(email) + "?secret=" + secret + "&issuer=" + ISSUER
                + "&algorithm=SHA1&digits=" + Totp.DIGITS + "&period=" + Totp.PERIOD_SECONDS;
    }

    /** Percent-encodes all but RFC 3986 unreserved characters and '@', which a path segment may hold. */
    private static String uriEncode(String text) {
        var out = new StringBuilder();
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || "-._~@".indexOf(c) >= 0) {
                out.append(c);
            }
            else {
                out.append('%').append(String.format("%02X", b & 0xff));
            }
        }
        return out.toString();
    }

    /** 80 random bits as four groups of four base32 characters: {@code abcd-efgh-ijkl-mnop}. */
    private static String newRecoveryCode() {
        byte[] bytes = new byte[10];
        RANDOM.nextBytes(bytes);
        String code = Totp.base32(bytes).toLowerCase(Locale.ROOT);
        return code.substring(0, 4) + "-" + code.substring(4, 8) + "-" + code.substring(8, 12) + "-"
                + code.substring(12, 16);
    }

    private static String normalizeRecoveryCode(String code) {
        return code.replaceAll("[\\s-]", "").toLowerCase(Locale.ROOT);
    }

    /** High-entropy codes need no slow hash: SHA-256 of the normalised code. */
    private static byte[] hashRecoveryCode(String code) {
        return RefreshTokens.hash(normalizeRecoveryCode(code));
    }
}
