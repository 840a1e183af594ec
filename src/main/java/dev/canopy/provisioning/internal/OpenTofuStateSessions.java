package dev.canopy.provisioning.internal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;

/**
 * Who may use the state backend right now: one session per engine process, held in memory by the instance that
 * started the process (the engine talks to that instance's loopback address). Its password is 256 random bits,
 * given to the process only through its environment and kept here only as a hash; a session ends when its step
 * does, so a password the engine leaked (a debug log, a provisioner) is worth nothing afterwards.
 */
@Component
class OpenTofuStateSessions {

    /** One engine process's access: the deployment whose state it may read, and whether it may change it. */
    record Session(UUID tenantId, UUID deploymentId, UUID runId, boolean writes, String username,
            String password) {

        @Override
        public String toString() {
            return "Session[" + deploymentId + "/" + runId + (writes ? ", writes" : "") + "]"; // never the password
        }
    }

    private static final SecureRandom RANDOM = new SecureRandom();

    private final Map<String, Session> byHash = new ConcurrentHashMap<>();

    Session open(UUID tenantId, UUID deploymentId, UUID runId, boolean writes) {
        byte[] secret = new byte[32];
        RANDOM.nextBytes(secret);
        String password = Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
        var session = new Session(tenantId, deploymentId, runId, writes, runId.toString(), password);
        byHash.put(hash(session.username(), password), session);
        return session;
    }

    void close(Session session) {
        byHash.remove(hash(session.username(), session.password()));
    }

    /** The session a request's {@code Authorization: Basic} header names, if it is open and for this deployment. */
    Optional<Session> authenticate(@Nullable String authorization, UUID deploymentId) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            return Optional.empty();
        }
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(authorization.substring(6).strip()),
                    StandardCharsets.UTF_8);
        }
        catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        int colon = decoded.indexOf(':');
        if (colon < 0) {
            return Optional.empty();
        }
        // looked up by hash, so neither timing nor a heap dump gives the password away
        Session session = byHash.get(hash(decoded.substring(0, colon), decoded.substring(colon + 1)));
        return Optional.ofNullable(session).filter(s -> s.deploymentId().equals(deploymentId));
    }

    private static String hash(String username, String password) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest((username + ":" + password)
                    .getBytes(StandardCharsets.UTF_8)));
        }
        catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
