package dev.canopy.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.StreamSupport;

import tools.jackson.databind.JsonNode;

/** Assertions over API responses: problem+json errors and pages of items. */
public final class ApiAssertions {

    private ApiAssertions() {
    }

    /** A body a write endpoint must refuse with 400, the code it must give and the fields it must name. */
    public record BadInput(String body, String code, List<String> fields) {
    }

    /** Sends each body and expects its 400 problem, naming exactly its fields when it lists any. */
    public static void assertEachRejected(Function<String, Api.Response> send, List<BadInput> cases) {
        for (BadInput c : cases) {
            Api.Response response = send.apply(c.body());
            assertProblem(response, 400, c.code());
            if (!c.fields().isEmpty()) {
                assertThat(errorFields(response).stream().distinct()).as(c.body())
                        .containsExactlyInAnyOrderElementsOf(c.fields());
            }
        }
    }

    /** An RFC 9457 problem with the status and stable code, the request id, and never a server error. */
    public static void assertProblem(Api.Response response, int status, String code) {
        assertThat(response.status()).as(response.toString()).isEqualTo(status);
        assertProblemShape(response);
        assertThat(response.code()).as(response.toString()).isEqualTo(code);
    }

    /** A client-error problem+json whatever its code. */
    public static void assertProblemShape(Api.Response response) {
        assertThat(response.status()).as(response.toString()).isBetween(400, 499);
        assertThat(response.header("Content-Type")).as(response.toString()).startsWith("application/problem+json");
        JsonNode json = response.json();
        assertThat(json.path("status").asInt()).as(response.toString()).isEqualTo(response.status());
        assertThat(json.path("code").asString()).as(response.toString()).matches("[A-Z_]+");
        assertThat(json.path("request_id").asString()).as(response.toString()).isNotBlank();
        assertThat(json.path("detail").asString()).as(response.toString()).isNotBlank();
    }

    /** The {@code field} of each entry of a problem's {@code errors}. */
    public static List<String> errorFields(Api.Response response) {
        return StreamSupport.stream(response.json().path("errors").spliterator(), false)
                .map(e -> e.path("field").asString())
                .toList();
    }

    /** The ids of a successful page's items, in order. */
    public static List<UUID> ids(Api.Response page) {
        assertThat(page.status()).as(page.toString()).isEqualTo(200);
        return StreamSupport.stream(page.json().path("items").spliterator(), false)
                .map(item -> UUID.fromString(item.path("id").asString()))
                .toList();
    }

    public static List<String> strings(JsonNode array) {
        return StreamSupport.stream(array.spliterator(), false).map(JsonNode::asString).toList();
    }
}
