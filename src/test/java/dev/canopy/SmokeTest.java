package dev.canopy;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import dev.canopy.support.ApiTest;

class SmokeTest extends ApiTest {

    @Test
    void adminLogsIn() {
        var admin = fixtures.platformAdmin();
        var tenant = fixtures.tenant();
        var user = fixtures.userIn(tenant, "member");
        assertThat(api.get("/api/v1/auth/me", user.accessToken()).json().path("tenant").path("id").asString())
                .isEqualTo(tenant.id().toString());
        assertThat(admin.accessToken()).isNotBlank();
    }
}
