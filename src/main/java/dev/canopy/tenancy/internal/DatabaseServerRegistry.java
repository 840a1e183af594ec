package dev.canopy.tenancy.internal;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;

import dev.canopy.platform.Ids;
import dev.canopy.platform.web.ApiException;
import dev.canopy.platform.web.ApiException.FieldError;
import dev.canopy.secrets.SecretBinding;
import dev.canopy.secrets.Secrets;

/**
 * The platform's database servers: registered only when Canopy can use them as it would (both roles sign in, the
 * runtime role cannot bypass row-level security), their passwords sealed, their health checked again on request and
 * on a schedule. Nothing is written for a server that fails its check.
 */
@Service
class DatabaseServerRegistry {

    static final String TABLE = "platform.database_servers";
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");
    private static final Pattern ROLE_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_$]{0,62}");
    private static final int MAX_URL = 500;
    private static final int MAX_PASSWORD = 1000;
    private static final int MAX_CAPACITY = 100_000;
    private static final int DEFAULT_CAPACITY = 1000;

    private final DatabaseServers servers;
    private final ServerProbe probe;
    private final Secrets secrets;
    private final PlacementSettings placement;

    private final TenantRecords tenants;

    DatabaseServerRegistry(DatabaseServers servers, ServerProbe probe, Secrets secrets, PlacementSettings placement,
            TenantRecords tenants) {
        this.tenants = tenants;
        this.servers = servers;
        this.probe = probe;
        this.secrets = secrets;
        this.placement = placement;
    }

    /** A server as written: on a change, absent fields keep their value. */
    record Draft(@Nullable String name, @Nullable String region, @Nullable String jdbcUrl, @Nullable String ownerUser,
            @Nullable String ownerPassword, @Nullable String runtimeUser, @Nullable String runtimePassword,
            @Nullable String role, @Nullable Integer capacity) {
    }

    List<DatabaseServer> list() {
        return servers.all();
    }

    DatabaseServer get(UUID id) {
        return servers.find(id).orElseThrow(() -> notFound(id));
    }

    DatabaseServer register(Draft d) {
        List<FieldError> errors = new ArrayList<>();
        String name = required(errors, "name", d.name());
        if (name != null && !NAME.matcher(name).matches()) {
            errors.add(new FieldError("name", "must be 1 to 63 lower-case letters, digits or dashes"));
        }
        String region = d.region() == null ? placement.defaultRegion() : d.region();
        String url = required(errors, "jdbc_url", d.jdbcUrl());
        String ownerUser = required(errors, "owner_user", d.ownerUser());
        String ownerPassword = required(errors, "owner_password", d.ownerPassword());
        String runtimeUser = required(errors, "runtime_user", d.runtimeUser());
        String runtimePassword = required(errors, "runtime_password", d.runtimePassword());
        checkFields(errors, url, ownerUser, ownerPassword, runtimeUser, runtimePassword, d.role(), d.capacity());
        refuseIfAny(errors);
        requireRegion(region);
        if (servers.findByName(name).isPresent()) {
            throw nameTaken(name);
        }
        ServerProbe.Health health = requireHealthy(url, ownerUser, ownerPassword, runtimeUser, runtimePassword);
        UUID id = Ids.newId();
        Instant now = Instant.now();
        var server = new DatabaseServer(id, name, region, url, ownerUser, seal(id, "owner", ownerPassword),
                runtimeUser, seal(id, "runtime", runtimePassword), d.role() == null ? "primary" : d.role(),
                d.capacity() == null ? DEFAULT_CAPACITY : d.capacity(), health.status(), health.detail(),
                health.version(), now, now, now, 0);
        try {
            servers.insert(server);
        }
        catch (DuplicateKeyException e) {
            throw nameTaken(name);
        }
        return get(id);
    }

    /** Changes what the draft names; a change of address or credentials is checked before it is kept. */
    DatabaseServer change(UUID id, Draft d, long expectedVersion) {
        DatabaseServer s = get(id);
        List<FieldError> errors = new ArrayList<>();
        if (d.name() != null && !d.name().equals(s.name())) {
            errors.add(new FieldError("name", "cannot be changed; tenants' placements name the server"));
        }
        checkFields(errors, d.jdbcUrl(), d.ownerUser(), d.ownerPassword(), d.runtimeUser(), d.runtimePassword(),
                d.role(), d.capacity());
        refuseIfAny(errors);
        String region = d.region() == null ? s.region() : d.region();
        requireRegion(region);
        String url = d.jdbcUrl() == null ? s.jdbcUrl() : d.jdbcUrl();
        String ownerUser = d.ownerUser() == null ? s.ownerUser() : d.ownerUser();
        String runtimeUser = d.runtimeUser() == null ? s.runtimeUser() : d.runtimeUser();
        String ownerPassword = d.ownerPassword() == null ? open(s, "owner", s.sealedOwnerPassword())
                : d.ownerPassword();
        String runtimePassword = d.runtimePassword() == null ? open(s, "runtime", s.sealedRuntimePassword())
                : d.runtimePassword();
        ServerProbe.Health health = s.healthAsRecorded();
        Instant checkedAt = s.checkedAt();
        if (d.jdbcUrl() != null || d.ownerUser() != null || d.ownerPassword() != null || d.runtimeUser() != null
                || d.runtimePassword() != null) {
            health = requireHealthy(url, ownerUser, ownerPassword, runtimeUser, runtimePassword);
            checkedAt = Instant.now();
        }
        var changed = new DatabaseServer(s.id(), s.name(), region, url, ownerUser, seal(id, "owner", ownerPassword),
                runtimeUser, seal(id, "runtime", runtimePassword), d.role() == null ? s.role() : d.role(),
                d.capacity() == null ? s.capacity() : d.capacity(), health.status(), health.detail(),
                health.version(), checkedAt, s.createdAt(), s.updatedAt(), s.version());
        if (!servers.update(changed, expectedVersion)) {
            throw ApiException.conflict("VERSION_CONFLICT", "The server was changed meanwhile (now version "
                    + get(id).version() + "); read it again and repeat your change.");
        }
        return get(id);
    }

    void remove(UUID id) {
        DatabaseServer s = get(id);
        if (s.name().equals(DatabaseServer.LOCAL)) {
            throw ApiException.conflict("DATABASE_SERVER_IN_USE", "The server 'local' holds the control plane and "
                    + "the pooled tenants; it cannot be removed.");
        }
        int placed = tenants.countOnServer(id);
        if (placed > 0) {
            throw ApiException.conflict("DATABASE_SERVER_IN_USE", "The server '" + s.name() + "' holds " + placed
                    + " tenants; move them elsewhere first.");
        }
        servers.delete(id);
    }

    /** Checks the server now and records what was found, healthy or not. */
    DatabaseServer check(UUID id) {
        DatabaseServer s = get(id);
        servers.recordHealth(id, probe(s), Instant.now());
        return get(id);
    }

    ServerProbe.Health probe(DatabaseServer s) {
        return probe.check(s.jdbcUrl(), s.ownerUser(), open(s, "owner", s.sealedOwnerPassword()), s.runtimeUser(),
                open(s, "runtime", s.sealedRuntimePassword()));
    }

    byte[] seal(UUID id, String which, String password) {
        return secrets.sealText(binding(id, which), password);
    }

    static SecretBinding binding(UUID id, String which) {
        return SecretBinding.platform(TABLE, id + ":" + which);
    }

    private String open(DatabaseServer s, String which, byte[] sealed) {
        return secrets.openText(binding(s.id(), which), sealed);
    }

    private ServerProbe.Health requireHealthy(String url, String ownerUser, String ownerPassword, String runtimeUser,
            String runtimePassword) {
        ServerProbe.Health health = probe.check(url, ownerUser, ownerPassword, runtimeUser, runtimePassword);
        if (!health.healthy()) {
            String code = switch (health.status()) {
                case ServerProbe.Health.CREDENTIALS_INVALID -> "DATABASE_CREDENTIALS_INVALID";
                case ServerProbe.Health.RLS_BYPASS -> "RUNTIME_ROLE_BYPASSES_RLS";
                default -> "DATABASE_SERVER_UNREACHABLE";
            };
            throw new ApiException(HttpStatus.UNPROCESSABLE_CONTENT, code, health.detail());
        }
        return health;
    }

    private void requireRegion(String region) {
        if (!placement.knows(region)) {
            throw new ApiException(HttpStatus.UNPROCESSABLE_CONTENT, "REGION_UNKNOWN", "No region '" + region
                    + "'; GET /api/v1/admin/regions lists them.", List.of(new FieldError("region", "is unknown")));
        }
    }

    private static void checkFields(List<FieldError> errors, @Nullable String url, @Nullable String ownerUser,
            @Nullable String ownerPassword, @Nullable String runtimeUser, @Nullable String runtimePassword,
            @Nullable String role, @Nullable Integer capacity) {
        if (url != null) {
            String lower = url.toLowerCase(Locale.ROOT);
            if (url.length() > MAX_URL || !lower.startsWith("jdbc:postgresql://")) {
                errors.add(new FieldError("jdbc_url", "must be a jdbc:postgresql:// URL of at most " + MAX_URL
                        + " characters"));
            }
            else if (lower.contains("password=") || lower.contains("user=")) {
                errors.add(new FieldError("jdbc_url", "must not hold credentials; use the user and password fields"));
            }
        }
        roleName(errors, "owner_user", ownerUser);
        roleName(errors, "runtime_user", runtimeUser);
        password(errors, "owner_password", ownerPassword);
        password(errors, "runtime_password", runtimePassword);
        if (role != null && !role.equals("primary") && !role.equals("replica")) {
            errors.add(new FieldError("role", "must be primary or replica"));
        }
        if (capacity != null && (capacity < 0 || capacity > MAX_CAPACITY)) {
            errors.add(new FieldError("capacity", "must be 0 to " + MAX_CAPACITY + " tenants"));
        }
    }

    private static void roleName(List<FieldError> errors, String field, @Nullable String value) {
        if (value != null && !ROLE_NAME.matcher(value).matches()) {
            errors.add(new FieldError(field, "must be a PostgreSQL role name (letters, digits, _ or $; at most 63)"));
        }
    }

    private static void password(List<FieldError> errors, String field, @Nullable String value) {
        if (value != null && (value.isEmpty() || value.length() > MAX_PASSWORD)) {
            errors.add(new FieldError(field, "must be 1 to " + MAX_PASSWORD + " characters"));
        }
    }

    private static @Nullable String required(List<FieldError> errors, String field, @Nullable String value) {
        if (value == null || value.isBlank()) {
            errors.add(new FieldError(field, "is required"));
            return null;
        }
        return value;
    }

    private static void refuseIfAny(List<FieldError> errors) {
        if (!errors.isEmpty()) {
            throw new ApiException(HttpStatus.BAD_REQUEST, "VALIDATION_FAILED", "Some fields are invalid.", errors);
        }
    }

    private static ApiException nameTaken(String name) {
        return ApiException.conflict("DATABASE_SERVER_NAME_TAKEN", "A database server is named '" + name + "'.");
    }

    static ApiException notFound(UUID id) {
        return ApiException.notFound("DATABASE_SERVER_NOT_FOUND", "No database server " + id + ".");
    }
}
