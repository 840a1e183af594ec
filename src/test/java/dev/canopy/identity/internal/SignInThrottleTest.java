package dev.canopy.identity.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockFilterChain;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;

import dev.canopy.platform.web.Problems;
import dev.canopy.platform.web.RequestRefused;
import tools.jackson.databind.json.JsonMapper;

/** Per-IP throttling: each address gets its own minute's allowance; only credential endpoints count. */
class SignInThrottleTest {

    private final List<Object> published = new ArrayList<>();
    private final SignInThrottle throttle = new SignInThrottle(3, new Problems(JsonMapper.builder().build()),
            published::add);

    @Test
    void theFourthLoginFromOneAddressInAMinuteIsRefused() throws Exception {
        for (int i = 0; i < 3; i++) {
            assertThat(post("/api/v1/auth/login", "203.0.113.7").getStatus()).isEqualTo(200);
        }

        MockHttpServletResponse refused = post("/api/v1/auth/login", "203.0.113.7");

        assertThat(refused.getStatus()).isEqualTo(429);
        assertThat(Integer.parseInt(refused.getHeader("Retry-After"))).isBetween(1, 61);
        assertThat(refused.getContentType()).startsWith("application/problem+json");
        assertThat(refused.getContentAsString()).contains("\"code\":\"TOO_MANY_REQUESTS\"");
        assertThat(post("/api/v1/auth/refresh", "203.0.113.7").getStatus()).as("one allowance for all of them")
                .isEqualTo(429);
        assertThat(post("/api/v1/auth/login", "198.51.100.2").getStatus()).as("another address")
                .isEqualTo(200);
        // each refusal is counted for the audit log (RefusedRequests aggregates them per address and minute)
        assertThat(published).hasSize(2).allSatisfy(event -> assertThat(event).isInstanceOfSatisfying(
                RequestRefused.class, refusal -> {
                    assertThat(refusal.kind()).isEqualTo(RequestRefused.Kind.THROTTLED);
                    assertThat(refusal.source()).isEqualTo("203.0.113.7");
                    assertThat(refusal.status()).isEqualTo(429);
                }));
    }

    @Test
    void otherEndpointsAreNotThrottled() throws Exception {
        for (int i = 0; i < 10; i++) {
            assertThat(post("/api/v1/tenants", "192.0.2.1").getStatus()).isEqualTo(200);
        }
    }

    private MockHttpServletResponse post(String path, String ip) throws Exception {
        var request = new MockHttpServletRequest("POST", path);
        request.setRequestURI(path);
        request.setRemoteAddr(ip);
        var response = new MockHttpServletResponse();
        throttle.doFilter(request, response, new MockFilterChain());
        return response;
    }
}
