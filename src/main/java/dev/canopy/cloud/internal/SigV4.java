package dev.canopy.cloud.internal;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * AWS Signature Version 4 (header form), as the AWS SigV4 test suite specifies it: a canonical request (method,
 * URI, sorted query, lower-cased sorted headers with trimmed values, signed header list, payload hash), the string
 * to sign under a date/region/service scope, and the HMAC key derived from the secret. Paths are signed as given
 * (already URI-encoded; STS's is {@code /}). Checked against the suite's published vectors.
 */
final class SigV4 {

    static final String ALGORITHM = "AWS4-HMAC-SHA256";

    /** A request to sign; {@code rawQuery} may be empty, header names any case, repeated names allowed. */
    record Request(String method, String rawPath, String rawQuery, List<Map.Entry<String, String>> headers,
            byte[] body) {
    }

    /** The steps and the result, each as the test suite names them (creq, sts, authz). */
    record Signed(String canonicalRequest, String stringToSign, String signature, String authorization) {

        @Override
        public String toString() {
            return "Signed[...]"; // a signature is as good as the request it signs
        }
    }

    private SigV4() {
    }

    /** Signs at {@code amzDate} ({@code yyyyMMdd'T'HHmmss'Z'}, UTC). */
    static Signed sign(Request request, String accessKey, String secretKey, String region, String service,
            String amzDate) {
        Map<String, String> headers = canonicalHeaders(request.headers());
        String signedHeaders = String.join(";", headers.keySet());
        String canonicalRequest = request.method() + "\n"
                + (request.rawPath().isEmpty() ? "/" : request.rawPath()) + "\n"
                + canonicalQuery(request.rawQuery()) + "\n"
                + headers.entrySet().stream().map(e -> e.getKey() + ":" + e.getValue() + "\n")
                        .collect(Collectors.joining())
                + "\n" + signedHeaders + "\n" + hex(sha256(request.body()));
        String date = amzDate.substring(0, 8);
        String scope = date + "/" + region + "/" + service + "/aws4_request";
        String stringToSign = ALGORITHM + "\n" + amzDate + "\n" + scope + "\n"
                + hex(sha256(canonicalRequest.getBytes(StandardCharsets.UTF_8)));
        byte[] key = hmac(("AWS4" + secretKey).getBytes(StandardCharsets.UTF_8), date);
        for (String part : List.of(region, service, "aws4_request")) {
            key = hmac(key, part);
        }
        String signature = hex(hmac(key, stringToSign));
        return new Signed(canonicalRequest, stringToSign, signature, ALGORITHM + " Credential=" + accessKey + "/"
                + scope + ", SignedHeaders=" + signedHeaders + ", Signature=" + signature);
    }

    /** Lower-cased names in order; values trimmed, inner runs of spaces made one, repeated names joined by commas. */
    private static Map<String, String> canonicalHeaders(List<Map.Entry<String, String>> headers) {
        Map<String, String> canonical = new TreeMap<>();
        for (Map.Entry<String, String> header : headers) {
            String value = header.getValue().strip().replaceAll(" {2,}", " ");
            canonical.merge(header.getKey().toLowerCase(Locale.ROOT), value, (a, b) -> a + "," + b);
        }
        return canonical;
    }

    /** Parameters sorted by encoded name, then value, each encoded as AWS does (RFC 3986 unreserved kept). */
    private static String canonicalQuery(String rawQuery) {
        if (rawQuery.isEmpty()) {
            return "";
        }
        List<String[]> parameters = new ArrayList<>();
        for (String pair : rawQuery.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int equals = pair.indexOf('=');
            String name = equals < 0 ? pair : pair.substring(0, equals);
            String value = equals < 0 ? "" : pair.substring(equals + 1);
            parameters.add(new String[] { encode(decode(name)), encode(decode(value)) });
        }
        parameters.sort((a, b) -> a[0].equals(b[0]) ? a[1].compareTo(b[1]) : a[0].compareTo(b[0]));
        return parameters.stream().map(p -> p[0] + "=" + p[1]).collect(Collectors.joining("&"));
    }

    /** AWS's URI encoding: everything but {@code A-Z a-z 0-9 - _ . ~}, spaces as {@code %20}. */
    static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20").replace("*", "%2A")
                .replace("%7E", "~");
    }

    private static String decode(String value) {
        return URLDecoder.decode(value.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    private static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        }
        catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] hmac(byte[] key, String data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
        }
        catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }
}
