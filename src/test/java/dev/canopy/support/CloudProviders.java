package dev.canopy.support;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.interfaces.RSAPublicKey;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;

import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * One local HTTP server per test JVM that speaks the three token protocols cloud accounts are tested with:
 * AWS STS {@code GetCallerIdentity} (verifying the SigV4 signature of what it received with {@link SigV4Verifier},
 * not the production signer), the Microsoft Entra ID
 * client-credentials grant, and Google's JWT-bearer grant (verifying the assertion's RS256 signature). Tests
 * register the credentials it should accept; {@link ApiTest} points Canopy's endpoints at it.
 */
public final class CloudProviders {

    private static final CloudProviders INSTANCE = start();

    private final HttpServer server;
    private final Map<String, String> awsSecrets = new ConcurrentHashMap<>();
    private final Map<String, String> azureSecrets = new ConcurrentHashMap<>();
    private final Map<String, RSAPublicKey> googleKeys = new ConcurrentHashMap<>();
    private final Map<String, String> azureTokens = new ConcurrentHashMap<>();
    private final FakeResourceManager arm = new FakeResourceManager(this);

    private CloudProviders(HttpServer server) {
        this.server = server;
    }

    public static CloudProviders instance() {
        return INSTANCE;
    }

    public String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    public void acceptAws(String accessKeyId, String secretAccessKey) {
        awsSecrets.put(accessKeyId, secretAccessKey);
    }

    public void acceptAzure(String clientId, String clientSecret) {
        azureSecrets.put(clientId, clientSecret);
    }

    /** The client an access token was issued to by the Entra token endpoint, or null for a token it never issued. */
    public String azureTokenHolder(String accessToken) {
        return accessToken == null ? null : azureTokens.get(accessToken);
    }

    /** The Azure Resource Manager of this server, at {@code /arm}. */
    public FakeResourceManager arm() {
        return arm;
    }

    public void acceptGoogle(String clientEmail, RSAPublicKey key) {
        googleKeys.put(clientEmail, key);
    }

    private static CloudProviders start() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
            CloudProviders providers = new CloudProviders(server);
            server.createContext("/sts/", providers::sts);
            server.createContext("/azure/", providers::azure);
            server.createContext("/google/token", providers::google);
            server.createContext("/arm/", providers.arm::handle);
            server.start();
            return providers;
        }
        catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private void sts(HttpExchange exchange) throws IOException {
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        Map<String, String> form = form(body);
        String authorization = exchange.getRequestHeaders().getFirst("Authorization");
        SigV4Verifier.Claim claim = SigV4Verifier.parse(authorization);
        if (claim == null || !"sts".equals(claim.service())) {
            reply(exchange, 400, "text/xml", error("IncompleteSignature", "Missing or malformed Authorization."));
            return;
        }
        String secret = awsSecrets.get(claim.accessKey());
        if (secret == null) {
            reply(exchange, 403, "text/xml", error("InvalidClientTokenId",
                    "The security token included in the request is invalid."));
            return;
        }
        boolean valid;
        try {
            valid = SigV4Verifier.verify(claim, secret, exchange.getRequestMethod(),
                    exchange.getRequestURI().getRawPath(), Objects.requireNonNullElse(
                            exchange.getRequestURI().getRawQuery(), ""),
                    name -> exchange.getRequestHeaders().containsKey(name)
                            ? String.join(",", exchange.getRequestHeaders().get(name)) : null,
                    body.getBytes(StandardCharsets.UTF_8));
        }
        catch (Exception e) {
            throw new IOException(e);
        }
        if (!valid) {
            reply(exchange, 403, "text/xml", error("SignatureDoesNotMatch",
                    "The request signature we calculated does not match the signature you provided."));
            return;
        }
        if (!"GetCallerIdentity".equals(form.get("Action")) || !"2011-06-15".equals(form.get("Version"))) {
            reply(exchange, 400, "text/xml", error("InvalidAction", "Could not find operation " + form.get("Action")));
            return;
        }
        reply(exchange, 200, "text/xml", """
                <GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
                  <GetCallerIdentityResult>
                    <Arn>arn:aws:iam::123456789012:user/canopy-test</Arn>
                    <UserId>AIDAEXAMPLE</UserId>
                    <Account>123456789012</Account>
                  </GetCallerIdentityResult>
                </GetCallerIdentityResponse>
                """);
    }

    private void azure(HttpExchange exchange) throws IOException {
        Map<String, String> form = form(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
        boolean tokenPath = exchange.getRequestURI().getPath().matches("/azure/[^/]+/oauth2/v2\\.0/token");
        String expected = azureSecrets.get(String.valueOf(form.get("client_id")));
        if (tokenPath && "client_credentials".equals(form.get("grant_type"))
                && "https://management.azure.com/.default".equals(form.get("scope")) && expected != null
                && expected.equals(form.get("client_secret"))) {
            // a token of its own per grant, so what receives it can tell it came from here
            String token = "eyJ0eXAi." + java.util.UUID.randomUUID();
            azureTokens.put(token, form.get("client_id"));
            reply(exchange, 200, "application/json",
                    "{\"token_type\":\"Bearer\",\"expires_in\":3599,\"access_token\":\"" + token + "\"}");
            return;
        }
        reply(exchange, 401, "application/json", "{\"error\":\"invalid_client\",\"error_description\":"
                + "\"AADSTS7000215: Invalid client secret provided.\\r\\nTrace ID: 1\",\"error_codes\":[7000215]}");
    }

    private void google(HttpExchange exchange) throws IOException {
        Map<String, String> form = form(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
        try {
            SignedJWT jwt = SignedJWT.parse(form.getOrDefault("assertion", ""));
            RSAPublicKey key = googleKeys.get(jwt.getJWTClaimsSet().getIssuer());
            if ("urn:ietf:params:oauth:grant-type:jwt-bearer".equals(form.get("grant_type")) && key != null
                    && jwt.verify(new RSASSAVerifier(key))
                    && jwt.getJWTClaimsSet().getAudience().contains(url("/google/token"))) {
                reply(exchange, 200, "application/json",
                        "{\"access_token\":\"ya29.google.token\",\"expires_in\":3599,\"token_type\":\"Bearer\"}");
                return;
            }
        }
        catch (Exception e) {
            // an unreadable assertion is refused like a wrong one
        }
        reply(exchange, 400, "application/json",
                "{\"error\":\"invalid_grant\",\"error_description\":\"Invalid JWT Signature.\"}");
    }

    private static String error(String code, String message) {
        return "<ErrorResponse><Error><Type>Sender</Type><Code>" + code + "</Code><Message>" + message
                + "</Message></Error></ErrorResponse>";
    }

    private static Map<String, String> form(String body) {
        Map<String, String> form = new LinkedHashMap<>();
        for (String pair : body.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                form.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return form;
    }

    private static void reply(HttpExchange exchange, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
