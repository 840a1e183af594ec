package dev.canopy.platform.web;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import dev.canopy.support.ApiTest;

/** Errors that bypass the controllers still answer in problem+json. */
class ErrorPageTest extends ApiTest {

    @Test
    void errorPageAskedForDirectlyIsNotFound() {
        var response = api.get("/error", null);

        assertThat(response.status()).isEqualTo(404);
        assertThat(response.header("Content-Type")).startsWith("application/problem+json");
        assertThat(response.code()).isEqualTo("NOT_FOUND");
    }
}
