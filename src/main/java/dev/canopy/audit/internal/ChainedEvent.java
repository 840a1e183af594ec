package dev.canopy.audit.internal;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

import org.jspecify.annotations.Nullable;

import tools.jackson.core.StreamWriteFeature;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * An audit event at its place in a chain, and the one definition of what its hash covers:
 * {@code SHA-256(prev_hash || canonical JSON)}, the JSON having sorted keys, no whitespace, explicit
 * nulls, timestamps in microseconds (what PostgreSQL keeps) and decimal numbers as written.
 */
public record ChainedEvent(UUID tenantId, long seq, UUID id, Instant occurredAt, String actorType,
        @Nullable UUID actorId, @Nullable String actorEmail, @Nullable UUID actorViaTenantId, String action,
        @Nullable String resourceType, @Nullable String resourceId, String status, @Nullable Integer httpStatus,
        @Nullable String ip, @Nullable String userAgent, @Nullable String requestId, String details,
        byte[] prevHash, byte[] hash) {

    static final byte[] GENESIS = new byte[32];

    static final JsonMapper CANONICAL = JsonMapper.builder()
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(StreamWriteFeature.WRITE_BIGDECIMAL_AS_PLAIN)
            .build();

    /** Reads recorded values into maps, lists and exact numbers, whatever their notation. */
    private static final JsonMapper CAPTURE = JsonMapper.builder()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .build();

    /** Numbers longer than this in plain notation are kept as text (as written): see {@link #canonicalDetails}. */
    static final int MAX_NUMBER_DIGITS = 100;

    static Instant precision(Instant instant) {
        return instant.truncatedTo(ChronoUnit.MICROS);
    }

    /**
     * Details as canonical JSON text: what is stored and what is hashed, so it must read back from jsonb
     * unchanged. One pass through JSON makes every floating-point number a decimal, written in plain
     * notation as jsonb keeps it ({@code 1e2} is stored as {@code 100}); numbers too long for plain notation
     * ({@code 1e999999999}) are kept as the text they were written as. PostgreSQL's jsonb cannot hold
     * the NUL character, so it is kept as the six characters of its JSON escape; an unpaired surrogate cannot
     * be sent as UTF-8, so it becomes U+FFFD.
     */
    static String canonicalDetails(Map<String, Object> details) {
        Object value = CAPTURE.readValue(CAPTURE.writeValueAsString(details), Object.class);
        return CANONICAL.writeValueAsString(storable(value));
    }

    private static @Nullable Object storable(@Nullable Object value) {
        if (value instanceof String text) {
            return storable(text);
        }
        if (value instanceof Map<?, ?> map) {
            var copy = new TreeMap<String, @Nullable Object>();
            map.forEach((key, v) -> copy.put(storable(String.valueOf(key)), storable(v)));
            return copy;
        }
        if (value instanceof List<?> list) {
            return list.stream().map(ChainedEvent::storable).toList();
        }
        if (value instanceof BigDecimal decimal && plainDigits(decimal) > MAX_NUMBER_DIGITS) {
            return decimal.toString();
        }
        if (value instanceof BigInteger integer && integer.abs().toString().length() > MAX_NUMBER_DIGITS) {
            return integer.toString();
        }
        return value;
    }

    /** How many digits the number has written out without an exponent. */
    private static long plainDigits(BigDecimal decimal) {
        long precision = decimal.precision();
        long scale = decimal.scale();
        return scale <= 0 ? precision - scale : Math.max(precision, scale + 1);
    }

    private static String storable(String text) {
        var out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\0') {
                out.append("\\u0000");
            }
            else if (Character.isHighSurrogate(c) && i + 1 < text.length()
                    && Character.isLowSurrogate(text.charAt(i + 1))) {
                out.append(c).append(text.charAt(++i));
            }
            else {
                out.append(Character.isSurrogate(c) ? '\uFFFD' : c);
            }
        }
        return out.toString();
    }

    /** The hash this event should have, from its content and its predecessor's hash. */
    byte[] expectedHash() {
        return sha256(prevHash, canonicalContent(seq).getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The canonical content around the sequence number, for hashing where the number is assigned (in the
     * database, under the chain head's lock): {@code SHA-256(prev_hash || before || seq || after)}, the
     * number in decimal, is {@link #expectedHash()}. The top-level {@code seq} is the last one in the text:
     * the keys after it have strings (quotes escaped) or null as values.
     */
    String[] aroundSeq() {
        String key = "\"seq\":";
        String mark = String.valueOf(Long.MIN_VALUE);
        String marked = canonicalContent(Long.MIN_VALUE);
        int at = marked.lastIndexOf(key + mark) + key.length();
        return new String[] { marked.substring(0, at), marked.substring(at + mark.length()) };
    }

    private String canonicalContent(long seq) {
        var content = new TreeMap<String, Object>();
        content.put("tenant_id", tenantId.toString());
        content.put("seq", seq);
        content.put("id", id.toString());
        content.put("occurred_at", precision(occurredAt).toString());
        content.put("actor_type", actorType);
        content.put("actor_id", actorId == null ? null : actorId.toString());
        content.put("actor_email", actorEmail);
        content.put("actor_via_tenant_id", actorViaTenantId == null ? null : actorViaTenantId.toString());
        content.put("action", action);
        content.put("resource_type", resourceType);
        content.put("resource_id", resourceId);
        content.put("status", status);
        content.put("http_status", httpStatus);
        content.put("ip", ip);
        content.put("user_agent", userAgent);
        content.put("request_id", requestId);
        content.put("details", CANONICAL.readValue(details, Object.class));
        return CANONICAL.writeValueAsString(content);
    }

    boolean intact() {
        return MessageDigest.isEqual(hash, expectedHash());
    }

    static byte[] sha256(byte[] prev, byte[] content) {
        try {
            var digest = MessageDigest.getInstance("SHA-256");
            digest.update(prev);
            return digest.digest(content);
        }
        catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
