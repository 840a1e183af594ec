package dev.canopy.provisioning.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.util.unit.DataSize;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import dev.canopy.platform.db.TenantTransactions;
import dev.canopy.platform.web.ApiException;
import dev.canopy.secrets.Secrets;
import io.swagger.v3.oas.annotations.Hidden;
import jakarta.servlet.http.HttpServletRequest;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The state backend of the OpenTofu driver, speaking the engines' {@code http} backend protocol: {@code GET} the
 * state (204 when there is none yet), {@code POST} a new one ({@code ?ID=} the lock it holds), {@code POST
 * .../lock} and {@code DELETE .../lock} with the engine's lock info (423 with the holder's info when someone else
 * holds it). Only the engine processes of running steps can use it, each with its own password and for its own
 * deployment (see {@link OpenTofuStateSessions}); states are sealed before they are stored. Outside {@code /api}:
 * it is no API for people, and states may be larger than API bodies.
 */
@Hidden // for engines, not people: not in the API's documentation
@RestController
class OpenTofuStateController {

    static final String PATH = "/internal/opentofu/state/";
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final OpenTofuStateSessions sessions;
    private final OpenTofuStates states;
    private final TenantTransactions scopes;
    private final Secrets secrets;
    private final long maxStateBytes;

    OpenTofuStateController(OpenTofuStateSessions sessions, OpenTofuStates states, TenantTransactions scopes,
            Secrets secrets, @Value("${canopy.drivers.opentofu.max-state:64MB}") DataSize maxState) {
        this.sessions = sessions;
        this.states = states;
        this.scopes = scopes;
        this.secrets = secrets;
        this.maxStateBytes = maxState.toBytes();
    }

    @GetMapping(PATH + "{deploymentId}")
    ResponseEntity<byte[]> read(@PathVariable UUID deploymentId, HttpServletRequest request) {
        OpenTofuStateSessions.Session session = authenticated(request, deploymentId);
        byte[] state = scopes.inTenant(session.tenantId(), () -> states.find(session.tenantId(), deploymentId))
                .map(OpenTofuStates.Stored::sealedState).map(sealed -> secrets.open(OpenTofuStates.stateBinding(
                        session.tenantId(), deploymentId), sealed)).orElse(null);
        if (state == null) {
            return ResponseEntity.noContent().build();
        }
        return ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON).body(state);
    }

    @PostMapping(PATH + "{deploymentId}")
    ResponseEntity<byte[]> write(@PathVariable UUID deploymentId, @RequestParam(name = "ID", required = false)
            String lockId, HttpServletRequest request) {
        OpenTofuStateSessions.Session session = writer(request, deploymentId);
        byte[] body = body(request);
        JsonNode document = json(body);
        if (!document.path("lineage").isString() || !document.path("serial").isNumber()) {
            throw ApiException.badRequest("STATE_INVALID", "A state has a lineage and a serial.");
        }
        String lineage = document.path("lineage").asString();
        long serial = document.path("serial").asLong();
        byte[] sealed = secrets.seal(OpenTofuStates.stateBinding(session.tenantId(), deploymentId), body);
        return scopes.inTenant(session.tenantId(), () -> {
            OpenTofuStates.Stored row = states.lockRow(session.tenantId(), deploymentId);
            if (row.lockId() != null && !row.lockId().equals(lockId)) {
                return locked(row);
            }
            if (row.lineage() != null && !row.lineage().equals(lineage)) {
                // another history than the deployment's: a template cannot swap the state for another one
                throw ApiException.conflict("STATE_LINEAGE_MISMATCH", "This deployment's state has lineage "
                        + row.lineage() + ", not " + lineage + ".");
            }
            states.saveState(session.tenantId(), deploymentId, sealed, lineage, serial);
            return ResponseEntity.ok().<byte[]>build();
        });
    }

    @PostMapping(PATH + "{deploymentId}/lock")
    ResponseEntity<byte[]> lock(@PathVariable UUID deploymentId, HttpServletRequest request) {
        OpenTofuStateSessions.Session session = writer(request, deploymentId);
        byte[] body = body(request);
        String id = lockId(json(body));
        String info = new String(body, StandardCharsets.UTF_8);
        return scopes.inTenant(session.tenantId(), () -> {
            OpenTofuStates.Stored row = states.lockRow(session.tenantId(), deploymentId);
            if (row.lockId() != null && !row.lockId().equals(id)) {
                return locked(row);
            }
            states.lock(session.tenantId(), deploymentId, id, info, session.runId());
            return ResponseEntity.ok().<byte[]>build();
        });
    }

    @DeleteMapping(PATH + "{deploymentId}/lock")
    ResponseEntity<byte[]> unlock(@PathVariable UUID deploymentId, HttpServletRequest request) {
        OpenTofuStateSessions.Session session = writer(request, deploymentId);
        String id = lockId(json(body(request)));
        return scopes.inTenant(session.tenantId(), () -> {
            OpenTofuStates.Stored row = states.lockRow(session.tenantId(), deploymentId);
            if (row.lockId() != null && !row.lockId().equals(id)) {
                return locked(row);
            }
            states.unlock(session.tenantId(), deploymentId);
            return ResponseEntity.ok().<byte[]>build();
        });
    }

    private OpenTofuStateSessions.Session authenticated(HttpServletRequest request, UUID deploymentId) {
        return sessions.authenticate(request.getHeader(HttpHeaders.AUTHORIZATION), deploymentId).orElseThrow(
                () -> ApiException.unauthorized("STATE_ACCESS_DENIED", "Only the engine of a running step may "
                        + "use a deployment's state."));
    }

    private OpenTofuStateSessions.Session writer(HttpServletRequest request, UUID deploymentId) {
        OpenTofuStateSessions.Session session = authenticated(request, deploymentId);
        if (!session.writes()) {
            // previews read the state and never lock it: nothing they do may change it
            throw new ApiException(HttpStatus.FORBIDDEN, "STATE_READ_ONLY", "A plan-only run cannot change the "
                    + "state or lock it.");
        }
        return session;
    }

    private static ResponseEntity<byte[]> locked(OpenTofuStates.Stored row) {
        // the engine reads who holds the lock from the body, and says so to its user
        return ResponseEntity.status(HttpStatus.LOCKED).contentType(MediaType.APPLICATION_JSON)
                .body((row.lockInfo() == null ? "{}" : row.lockInfo()).getBytes(StandardCharsets.UTF_8));
    }

    private byte[] body(HttpServletRequest request) {
        if (request.getContentLengthLong() > maxStateBytes) {
            throw tooLarge();
        }
        try (InputStream in = request.getInputStream()) {
            byte[] body = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxStateBytes + 1));
            if (body.length > maxStateBytes) {
                throw tooLarge();
            }
            return body;
        }
        catch (IOException e) {
            throw ApiException.badRequest("STATE_INVALID", "The request body could not be read.");
        }
    }

    private ApiException tooLarge() {
        return new ApiException(HttpStatus.CONTENT_TOO_LARGE, "STATE_TOO_LARGE", "A state may be at most "
                + maxStateBytes + " bytes (canopy.drivers.opentofu.max-state).");
    }

    private static JsonNode json(byte[] body) {
        try {
            JsonNode node = JSON.readTree(body);
            if (node == null || !node.isObject()) {
                throw ApiException.badRequest("STATE_INVALID", "The body is not a JSON object.");
            }
            return node;
        }
        catch (JacksonException e) {
            throw ApiException.badRequest("STATE_INVALID", "The body is not JSON.");
        }
    }

    private static String lockId(JsonNode info) {
        String id = info.path("ID").isString() ? info.path("ID").asString() : "";
        if (id.isBlank() || id.length() > 200) {
            throw ApiException.badRequest("LOCK_INVALID", "A lock info has an ID of 1 to 200 characters.");
        }
        return id;
    }
}
