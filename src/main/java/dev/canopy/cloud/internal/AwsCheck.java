package dev.canopy.cloud.internal;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * AWS: STS {@code GetCallerIdentity} signed with Signature Version 4 for access keys; for a role, STS
 * {@code AssumeRole} signed with the platform's own credentials. A dozen lines of SigV4 instead of the AWS SDK.
 */
final class AwsCheck {

    private static final DateTimeFormatter AMZ_DATE = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'");
    private static final String CONTENT_TYPE = "application/x-www-form-urlencoded; charset=utf-8";

    /** The platform's own AWS credentials, used to assume customers' roles; blank when not configured. */
    record PlatformCredentials(String accessKeyId, String secretAccessKey) {

        boolean configured() {
            return !accessKeyId.isBlank() && !secretAccessKey.isBlank();
        }

        @Override
        public String toString() {
            return "PlatformCredentials[...]";
        }
    }

    private final HttpChecks http;
    private final String endpointOverride;
    private final PlatformCredentials platform;

    AwsCheck(HttpChecks http, String endpointOverride, PlatformCredentials platform) {
        this.http = http;
        this.endpointOverride = endpointOverride;
        this.platform = platform;
    }

    CheckResult check(Map<String, String> settings, Map<String, Object> credentials, String authType) {
        String region = settings.get("region");
        URI endpoint = URI.create(endpointOverride.isBlank() ? "https://sts." + region + ".amazonaws.com/"
                : endpointOverride);
        Map<String, String> form = new LinkedHashMap<>();
        String accessKey;
        String secretKey;
        String sessionToken = null;
        if ("role_arn".equals(authType)) {
            if (!platform.configured()) {
                return CheckResult.failed("Assuming a role needs Canopy's own AWS credentials "
                        + "(CANOPY_AWS_ACCESS_KEY_ID and CANOPY_AWS_SECRET_ACCESS_KEY); none are configured.");
            }
            form.put("Action", "AssumeRole");
            form.put("RoleArn", (String) credentials.get("role_arn"));
            form.put("RoleSessionName", "canopy-connection-test");
            form.put("DurationSeconds", "900");
            if (credentials.get("external_id") instanceof String externalId) {
                form.put("ExternalId", externalId);
            }
            accessKey = platform.accessKeyId();
            secretKey = platform.secretAccessKey();
        }
        else {
            form.put("Action", "GetCallerIdentity");
            accessKey = (String) credentials.get("access_key_id");
            secretKey = (String) credentials.get("secret_access_key");
            sessionToken = (String) credentials.get("session_token");
        }
        form.put("Version", "2011-06-15");
        String body = formBody(form);
        Map<String, String> headers = sign(endpoint, region, body, accessKey, secretKey, sessionToken,
                ZonedDateTime.now(ZoneOffset.UTC));
        HttpChecks.Answer answer = http.post(endpoint, body, headers);
        if (answer.failed()) {
            return answer.failure();
        }
        if (answer.status() == 200) {
            String arn = element(answer.body(), "Arn");
            return CheckResult.ok(("role_arn".equals(authType) ? "Assumed " : "Authenticated as ")
                    + (arn.isEmpty() ? "an AWS identity" : arn));
        }
        String code = element(answer.body(), "Code");
        String message = element(answer.body(), "Message");
        return CheckResult.failed("AWS STS refused the credentials (HTTP " + answer.status()
                + (code.isEmpty() ? "" : ", " + code) + ")" + (message.isEmpty() ? "" : ": " + message));
    }

    /** The headers of a SigV4-signed STS POST (service {@code sts}). */
    static Map<String, String> sign(URI endpoint, String region, String body, String accessKey, String secretKey,
            String sessionToken, ZonedDateTime now) {
        String amzDate = AMZ_DATE.format(now);
        String date = amzDate.substring(0, 8);
        String host = endpoint.getPort() == -1 ? endpoint.getHost() : endpoint.getHost() + ":" + endpoint.getPort();
        StringBuilder canonicalHeaders = new StringBuilder().append("content-type:").append(CONTENT_TYPE).append('\n')
                .append("host:").append(host).append('\n').append("x-amz-date:").append(amzDate).append('\n');
        String signedHeaders = "content-type;host;x-amz-date";
        if (sessionToken != null) {
            canonicalHeaders.append("x-amz-security-token:").append(sessionToken).append('\n');
            signedHeaders += ";x-amz-security-token";
        }
        String path = endpoint.getRawPath() == null || endpoint.getRawPath().isEmpty() ? "/" : endpoint.getRawPath();
        String canonicalRequest = "POST\n" + path + "\n\n" + canonicalHeaders + "\n" + signedHeaders + "\n"
                + hex(sha256(body));
        String scope = date + "/" + region + "/sts/aws4_request";
        String stringToSign = "AWS4-HMAC-SHA256\n" + amzDate + "\n" + scope + "\n" + hex(sha256(canonicalRequest));
        byte[] key = hmac(("AWS4" + secretKey).getBytes(StandardCharsets.UTF_8), date);
        key = hmac(key, region);
        key = hmac(key, "sts");
        key = hmac(key, "aws4_request");
        String signature = hex(hmac(key, stringToSign));
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", CONTENT_TYPE);
        headers.put("X-Amz-Date", amzDate);
        if (sessionToken != null) {
            headers.put("X-Amz-Security-Token", sessionToken);
        }
        headers.put("Authorization", "AWS4-HMAC-SHA256 Credential=" + accessKey + "/" + scope + ", SignedHeaders="
                + signedHeaders + ", Signature=" + signature);
        return headers;
    }

    private static String formBody(Map<String, String> form) {
        StringBuilder body = new StringBuilder();
        form.forEach((k, v) -> {
            if (!body.isEmpty()) {
                body.append('&');
            }
            body.append(k).append('=').append(java.net.URLEncoder.encode(v, StandardCharsets.UTF_8).replace("+", "%20"));
        });
        return body.toString();
    }

    private static String element(String xml, String name) {
        Matcher m = Pattern.compile("<" + name + ">([^<]{0,500})</" + name + ">").matcher(xml);
        return m.find() ? m.group(1).strip() : "";
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
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
