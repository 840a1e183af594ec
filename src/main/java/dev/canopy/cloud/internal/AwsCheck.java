package dev.canopy.cloud.internal;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * AWS: STS {@code GetCallerIdentity} signed with Signature Version 4 for access keys; for a role, STS
 * {@code AssumeRole} signed with the platform's own credentials. Our own {@link SigV4} instead of the AWS SDK.
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

    /** The headers of a SigV4-signed STS POST (service {@code sts}), signed by {@link SigV4}. */
    static Map<String, String> sign(URI endpoint, String region, String body, String accessKey, String secretKey,
            String sessionToken, ZonedDateTime now) {
        String amzDate = AMZ_DATE.format(now);
        String host = endpoint.getPort() == -1 ? endpoint.getHost() : endpoint.getHost() + ":" + endpoint.getPort();
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", CONTENT_TYPE);
        headers.put("Host", host);
        headers.put("X-Amz-Date", amzDate);
        if (sessionToken != null) {
            headers.put("X-Amz-Security-Token", sessionToken);
        }
        String path = endpoint.getRawPath() == null ? "" : endpoint.getRawPath();
        String query = endpoint.getRawQuery() == null ? "" : endpoint.getRawQuery();
        SigV4.Signed signed = SigV4.sign(new SigV4.Request("POST", path, query, List.copyOf(headers.entrySet()),
                body.getBytes(StandardCharsets.UTF_8)), accessKey, secretKey, region, "sts", amzDate);
        // the HTTP client sets Host itself, from the URI it was given
        headers.remove("Host");
        headers.put("Authorization", signed.authorization());
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
}
