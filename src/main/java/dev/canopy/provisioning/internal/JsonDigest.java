package dev.canopy.provisioning.internal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The SHA-256 (hex) of a JSON tree as Jackson writes it: a plan's digest, a request's fingerprint. */
final class JsonDigest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private JsonDigest() {
    }

    static String sha256(JsonNode tree) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(
                    JSON.writeValueAsString(tree).getBytes(StandardCharsets.UTF_8)));
        }
        catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
