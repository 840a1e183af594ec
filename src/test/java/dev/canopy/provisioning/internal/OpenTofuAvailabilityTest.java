package dev.canopy.provisioning.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.springframework.http.HttpStatus;

import dev.canopy.platform.web.ApiException;

/**
 * An installation whose engine is missing: the driver says so in {@code GET /api/v1/drivers}, a deployment of its
 * templates is refused when requested (not a failed run later), and a run that gets to it anyway fails at once.
 */
class OpenTofuAvailabilityTest {

    private final OpenTofuDriver missing = new OpenTofuDriver("/nonexistent/bin/tofu", "", "",
            java.time.Duration.ofMinutes(10), null, null, null, null);

    @Test
    void aMissingEngineMakesTheDriverUnavailableAndItsTemplatesUndeployable() {
        assertThat(missing.availability().available()).isFalse();
        assertThat(missing.availability().detail()).contains("/nonexistent/bin/tofu", "CANOPY_OPENTOFU_COMMAND");

        ApiException refused = catchThrowableOfType(ApiException.class,
                () -> new DriverRequirements(List.of(missing), null, null).requireAvailable("opentofu"));
        assertThat(refused.status()).isEqualTo(HttpStatus.UNPROCESSABLE_CONTENT);
        assertThat(refused.code()).isEqualTo("DRIVER_UNAVAILABLE");
        assertThat(refused.getMessage()).contains("opentofu", "/nonexistent/bin/tofu");

        ApiException unknown = catchThrowableOfType(ApiException.class,
                () -> new DriverRequirements(List.of(missing), null, null).requireAvailable("arm"));
        assertThat(unknown.code()).isEqualTo("DRIVER_UNAVAILABLE");
        assertThat(unknown.getMessage()).contains("not installed");
    }

    @Test
    void aRunOfAnUnavailableDriverFailsWithoutRetrying() {
        DriverFailure failure = catchThrowableOfType(DriverFailure.class, () -> missing.plan(null));
        assertThat(failure.retryable()).isFalse();
        assertThat(failure.getMessage()).contains("not available here");
    }
}
