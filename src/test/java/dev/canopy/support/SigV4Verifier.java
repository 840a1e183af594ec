package dev.canopy.support;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The test servers' own check of an AWS SigV4 {@code Authorization} header, written apart from the production
 * signer ({@code dev.canopy.cloud.internal.SigV4}) so that a mistake in one is not copied into the other; both
 * are held to the suite's published vectors ({@code SigV4TestVectorsTest}).
 */
public final class SigV4Verifier {

    private static final Pattern AUTHORIZATION = Pattern.compile("AWS4-HMAC-SHA256 Credential=([^/]+)/(\\d{8})/"
            + "([^/]+)/([^/]+)/aws4_request, SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})");

    /** What the header claims. */
    public record Claim(String accessKey, String date, String region, String service, List<String> signedHeaders,
            String signature) {
    }

    private SigV4Verifier() {
    }

    /** The header's parts, or null when it is not a SigV4 header. */
    public static Claim parse(String authorization) {
        Matcher m = AUTHORIZATION.matcher(authorization == null ? "" : authorization);
        return m.matches() ? new Claim(m.group(1), m.group(2), m.group(3), m.group(4),
                List.of(m.group(5).split(";")), m.group(6)) : null;
    }

    /**
     * Whether the claim's signature is the one the secret gives this request; {@code header} answers a header's
     * values (joined by commas when repeated) by lower-case name, null when absent.
     */
    public static boolean verify(Claim claim, String secret, String method, String rawPath, String rawQuery,
            Function<String, String> header, byte[] body) throws Exception {
        String amzDate = header.apply("x-amz-date");
        if (amzDate == null || !amzDate.startsWith(claim.date())) {
            return false;
        }
        StringBuilder canonical = new StringBuilder(method).append('\n')
                .append(rawPath.isEmpty() ? "/" : rawPath).append('\n');
        String[] query = rawQuery.isEmpty() ? new String[0] : rawQuery.split("&");
        Arrays.sort(query);
        canonical.append(String.join("&", query)).append('\n');
        for (String name : claim.signedHeaders()) {
            String value = header.apply(name);
            if (value == null) {
                return false;
            }
            canonical.append(name).append(':').append(value.trim().replaceAll("\\s+", " ")).append('\n');
        }
        canonical.append('\n').append(String.join(";", claim.signedHeaders())).append('\n')
                .append(hex(MessageDigest.getInstance("SHA-256").digest(body)));
        String scope = String.join("/", claim.date(), claim.region(), claim.service(), "aws4_request");
        String toSign = "AWS4-HMAC-SHA256\n" + amzDate + "\n" + scope + "\n" + hex(MessageDigest
                .getInstance("SHA-256").digest(canonical.toString().getBytes(StandardCharsets.UTF_8)));
        byte[] key = ("AWS4" + secret).getBytes(StandardCharsets.UTF_8);
        for (String part : scope.split("/")) {
            key = mac(key, part);
        }
        return MessageDigest.isEqual(hex(mac(key, toSign)).getBytes(StandardCharsets.US_ASCII),
                claim.signature().getBytes(StandardCharsets.US_ASCII));
    }

    private static byte[] mac(byte[] key, String data) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
    }

    private static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }
}
