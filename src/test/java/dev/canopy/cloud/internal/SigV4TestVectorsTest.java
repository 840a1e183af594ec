package dev.canopy.cloud.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.core.io.ClassPathResource;

import dev.canopy.support.SigV4Verifier;

/**
 * The production signer and the test servers' verifier against cases of AWS's SigV4 test suite (test resources
 * {@code aws-sig-v4-test-suite/}, see its NOTICE): canonical request, string to sign and Authorization header
 * exactly as published.
 */
class SigV4TestVectorsTest {

    private static final String ACCESS_KEY = "AKIDEXAMPLE";
    private static final String SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

    /** A {@code .req} file: request line, headers, blank line, body. */
    record RawRequest(String method, String path, String query, List<Map.Entry<String, String>> headers,
            byte[] body) {

        static RawRequest parse(String text) {
            int blank = text.indexOf("\n\n");
            String head = blank < 0 ? text : text.substring(0, blank);
            String body = blank < 0 ? "" : text.substring(blank + 2);
            String[] lines = head.split("\n");
            String[] requestLine = lines[0].split(" ");
            String target = requestLine[1];
            int q = target.indexOf('?');
            List<Map.Entry<String, String>> headers = new ArrayList<>();
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                headers.add(new AbstractMap.SimpleEntry<>(lines[i].substring(0, colon), lines[i].substring(colon + 1)));
            }
            return new RawRequest(requestLine[0], q < 0 ? target : target.substring(0, q),
                    q < 0 ? "" : target.substring(q + 1), headers, body.getBytes(StandardCharsets.UTF_8));
        }

        String header(String lowerName) {
            List<String> values = headers.stream().filter(h -> h.getKey().equalsIgnoreCase(lowerName))
                    .map(Map.Entry::getValue).toList();
            return values.isEmpty() ? null : values.stream().map(String::strip).collect(Collectors.joining(","));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = { "get-vanilla", "get-vanilla-query-order-key-case", "get-header-value-trim",
            "post-vanilla", "post-vanilla-query", "post-x-www-form-urlencoded" })
    void theProductionSignerGivesThePublishedCanonicalRequestStringToSignAndSignature(String name)
            throws IOException {
        RawRequest request = RawRequest.parse(read(name, "req"));

        SigV4.Signed signed = SigV4.sign(new SigV4.Request(request.method(), request.path(), request.query(),
                request.headers(), request.body()), ACCESS_KEY, SECRET, "us-east-1", "service",
                request.header("x-amz-date"));

        assertThat(signed.canonicalRequest()).isEqualTo(read(name, "creq"));
        assertThat(signed.stringToSign()).isEqualTo(read(name, "sts"));
        assertThat(signed.authorization()).isEqualTo(read(name, "authz"));
    }

    @ParameterizedTest
    @ValueSource(strings = { "get-vanilla", "get-vanilla-query-order-key-case", "get-header-value-trim",
            "post-vanilla", "post-vanilla-query", "post-x-www-form-urlencoded" })
    void theTestServersVerifierAcceptsThePublishedSignatureAndNoOther(String name) throws Exception {
        RawRequest request = RawRequest.parse(read(name, "req"));
        SigV4Verifier.Claim claim = SigV4Verifier.parse(read(name, "authz"));
        assertThat(claim).isNotNull();

        assertThat(SigV4Verifier.verify(claim, SECRET, request.method(), request.path(), request.query(),
                request::header, request.body())).isTrue();
        assertThat(SigV4Verifier.verify(claim, SECRET.replace('K', 'k'), request.method(), request.path(),
                request.query(), request::header, request.body())).as("another secret").isFalse();
        assertThat(SigV4Verifier.verify(claim, SECRET, request.method(), request.path(), request.query(),
                request::header, "Param1=value2".getBytes(StandardCharsets.UTF_8))).as("another body").isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = { "", "session-token" })
    void anStsRequestAsTheCheckSignsItIsAcceptedByTheTestServersVerifier(String sessionToken) throws Exception {
        URI endpoint = URI.create("https://sts.eu-central-1.amazonaws.com/");
        String body = "Action=GetCallerIdentity&Version=2011-06-15";
        Map<String, String> headers = AwsCheck.sign(endpoint, "eu-central-1", body, ACCESS_KEY, SECRET,
                sessionToken.isEmpty() ? null : sessionToken, ZonedDateTime.of(2015, 8, 30, 12, 36, 0, 0,
                        ZoneOffset.UTC));
        SigV4Verifier.Claim claim = SigV4Verifier.parse(headers.get("Authorization"));
        assertThat(claim.service()).isEqualTo("sts");
        assertThat(SigV4Verifier.verify(claim, SECRET, "POST", "/", "", lower -> lower.equals("host")
                ? endpoint.getHost()
                : headers.entrySet().stream().filter(h -> h.getKey().equalsIgnoreCase(lower))
                        .map(Map.Entry::getValue).findFirst().orElse(null),
                body.getBytes(StandardCharsets.UTF_8))).isTrue();
    }

    private static String read(String name, String extension) throws IOException {
        return new ClassPathResource("aws-sig-v4-test-suite/" + name + "/" + name + "." + extension)
                .getContentAsString(StandardCharsets.UTF_8);
    }
}
