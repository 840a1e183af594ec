package dev.canopy.cloud.internal;

import java.net.URI;
import java.time.Instant;
import java.util.Date;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;

/**
 * Azure and GCP: a token request is the cheapest call that proves credentials. Azure: the client-credentials
 * grant of Microsoft Entra ID for the management scope. GCP: the JWT-bearer grant with an assertion signed by
 * the service account's key.
 */
final class TokenChecks {

    private static final Pattern ERROR_DESCRIPTION = Pattern.compile("\"error_description\"\\s*:\\s*\"([^\"]{0,300})");
    private static final Pattern ERROR = Pattern.compile("\"error\"\\s*:\\s*\"([^\"]{0,100})");
    private static final Pattern ACCESS_TOKEN = Pattern.compile("\"access_token\"\\s*:\\s*\"");

    private final HttpChecks http;
    private final String azureLogin;
    private final String gcpTokenUrl;

    TokenChecks(HttpChecks http, String azureLogin, String gcpTokenUrl) {
        this.http = http;
        this.azureLogin = azureLogin.endsWith("/") ? azureLogin.substring(0, azureLogin.length() - 1) : azureLogin;
        this.gcpTokenUrl = gcpTokenUrl;
    }

    CheckResult azure(Map<String, Object> credentials) {
        String tenant = (String) credentials.get("tenant_id");
        URI uri = URI.create(azureLogin + "/" + tenant + "/oauth2/v2.0/token");
        HttpChecks.Answer answer = http.postForm(uri, Map.of("grant_type", "client_credentials",
                "client_id", (String) credentials.get("client_id"),
                "client_secret", (String) credentials.get("client_secret"),
                "scope", "https://management.azure.com/.default"), Map.of("Accept", "application/json"));
        return judge(answer, "Microsoft Entra ID", "Token issued to client " + credentials.get("client_id"));
    }

    @SuppressWarnings("unchecked")
    CheckResult gcp(Map<String, Object> credentials) {
        Map<String, Object> key = (Map<String, Object>) credentials.get("service_account_json");
        String email = ServiceAccountKeys.text(key, "client_email");
        String assertion;
        try {
            Instant now = Instant.now();
            JWSHeader.Builder header = new JWSHeader.Builder(JWSAlgorithm.RS256);
            if (!ServiceAccountKeys.text(key, "private_key_id").isEmpty()) {
                header.keyID(ServiceAccountKeys.text(key, "private_key_id"));
            }
            SignedJWT jwt = new SignedJWT(header.build(), new JWTClaimsSet.Builder().issuer(email)
                    .audience(gcpTokenUrl).claim("scope", "https://www.googleapis.com/auth/cloud-platform")
                    .issueTime(Date.from(now)).expirationTime(Date.from(now.plusSeconds(600))).build());
            jwt.sign(new RSASSASigner(ServiceAccountKeys.privateKey(ServiceAccountKeys.text(key, "private_key"))));
            assertion = jwt.serialize();
        }
        catch (JOSEException | IllegalArgumentException e) {
            return CheckResult.failed("The service account key cannot sign a token request");
        }
        HttpChecks.Answer answer = http.postForm(URI.create(gcpTokenUrl),
                Map.of("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer", "assertion", assertion),
                Map.of("Accept", "application/json"));
        return judge(answer, "Google", "Token issued to " + email);
    }

    private static CheckResult judge(HttpChecks.Answer answer, String issuer, String success) {
        if (answer.failed()) {
            return answer.failure();
        }
        if (answer.status() == 200 && ACCESS_TOKEN.matcher(answer.body()).find()) {
            return CheckResult.ok(success);
        }
        String error = first(ERROR, answer.body());
        String description = first(ERROR_DESCRIPTION, answer.body()).lines().findFirst().orElse("");
        return CheckResult.failed(issuer + " refused the credentials (HTTP " + answer.status()
                + (error.isEmpty() ? "" : ", " + error) + ")" + (description.isEmpty() ? "" : ": " + description));
    }

    private static String first(Pattern pattern, String text) {
        Matcher m = pattern.matcher(text);
        return m.find() ? m.group(1).replace("\\r", "").replace("\\n", "\n") : "";
    }
}
