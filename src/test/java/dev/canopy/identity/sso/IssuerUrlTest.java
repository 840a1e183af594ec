package dev.canopy.identity.sso;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Which issuer URLs are accepted, and what a refusal tells the administrator. */
class IssuerUrlTest {

    @Test
    void anHttpIssuerIsRefusedNamingTheSettingThatAllowsIt() {
        var providers = new OidcProviders(false);

        assertThat(providers.problemWithUrl("http://localhost:8081/realms/acme"))
                .contains("CANOPY_SSO_ALLOW_HTTP_ISSUERS");
        assertThat(providers.problemWithUrl("https://keycloak.example.com/realms/acme")).isNull();
    }

    @Test
    void withTheSettingHttpIsAcceptedButOtherSchemesAreNot() {
        var providers = new OidcProviders(true);

        assertThat(providers.problemWithUrl("http://localhost:8081/realms/acme")).isNull();
        assertThat(providers.problemWithUrl("ftp://localhost/realms/acme")).isEqualTo("must be an https URL");
    }
}
