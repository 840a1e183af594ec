package dev.canopy.audit;

import static dev.canopy.support.Api.obj;
import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

import dev.canopy.audit.internal.AuditLog;
import dev.canopy.audit.internal.ChainedEvent;
import dev.canopy.platform.db.TenantSchemas;
import dev.canopy.platform.db.TenantTransactions;
import dev.canopy.support.Api;
import dev.canopy.support.ApiTest;
import dev.canopy.support.Fixtures;
import dev.canopy.support.Fixtures.Session;
import dev.canopy.support.Fixtures.TenantRef;
import tools.jackson.databind.JsonNode;

/**
 * What the audit log records of real API traffic: each change once, in the acting tenant's chain, with
 * who, what, where from and which request; failures and denials in their own transaction; nothing of a
 * change whose record could not be written; never a password; and the security events of signing in.
 */
class AuditRecordingTest extends ApiTest {

    private static final String USER_AGENT = "audit-recording-test/1.0 (+canopy)";
    private static final String REDACTED = "[REDACTED]";

    @Autowired
    private JdbcClient jdbc;

    @Autowired
    private TenantTransactions scopes;

    @Autowired
    private DataSource dataSource;

    @Autowired
    private TenantSchemas schemas;

    private AuditLog log;

    @BeforeEach
    void setUp() {
        log = new AuditLog(jdbc, scopes, dataSource);
    }

    // ---------------------------------------------------------------- successful changes

    @Test
    void eachSuccessfulChangeLeavesExactlyOneRecordInTheActingTenantsChain() {
        TenantRef tenant = fixtures.tenant();
        Session admin = fixtures.userIn(tenant, "tenant_admin");
        int before = log.chain(tenant.id()).size();

        String slug = Fixtures.unique("client");
        Api.Response created = call("POST", "/api/v1/tenants", admin,
                obj("name", "Client " + slug, "slug", slug, "parent_tenant_id", tenant.id().toString()));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        String clientId = created.json().path("id").asString();
        ChainedEvent tenantCreated = assertOneRecord(created, tenant.id(), "tenant.created", "tenant", clientId,
                admin, "success");
        assertThat(AuditLog.details(tenantCreated).path("request").path("slug").asString()).isEqualTo(slug);

        Api.Response renamed = call("PATCH", "/api/v1/tenants/" + clientId, admin,
                obj("name", "Renamed " + slug, "version", created.json().path("version").asLong()));
        assertThat(renamed.status()).as(renamed.toString()).isEqualTo(200);
        assertOneRecord(renamed, tenant.id(), "tenant.updated", "tenant", clientId, admin, "success");

        String email = Fixtures.unique("added") + "@example.com";
        Api.Response added = call("POST", "/api/v1/users", admin,
                obj("email", email, "full_name", "Added", "password", Fixtures.PASSWORD, "roles", List.of("member")));
        assertThat(added.status()).as(added.toString()).isEqualTo(201);
        String userId = added.json().path("id").asString();
        ChainedEvent userAdded = assertOneRecord(added, tenant.id(), "user.added", "user", userId, admin, "success");
        assertThat(AuditLog.details(userAdded).path("request").path("email").asString()).isEqualTo(email);

        Api.Response updated = call("PATCH", "/api/v1/users/" + userId, admin,
                obj("roles", List.of("viewer"), "version", added.json().path("version").asLong()));
        assertThat(updated.status()).as(updated.toString()).isEqualTo(200);
        assertOneRecord(updated, tenant.id(), "user.updated", "user", userId, admin, "success");

        Api.Response removed = call("DELETE", "/api/v1/users/" + userId, admin, null);
        assertThat(removed.status()).as(removed.toString()).isEqualTo(204);
        assertOneRecord(removed, tenant.id(), "user.removed", "user", userId, admin, "success");

        Api.Response deleted = call("DELETE", "/api/v1/tenants/" + clientId, admin, null);
        assertThat(deleted.status()).as(deleted.toString()).isEqualTo(204);
        assertOneRecord(deleted, tenant.id(), "tenant.deleted", "tenant", clientId, admin, "success");

        assertThat(log.chain(tenant.id())).hasSize(before + 6);
    }

    // ---------------------------------------------------------------- failures

    @Test
    void aFailedWriteChangesNothingAndLeavesOneFailureRecordWithItsErrorCode() {
        TenantRef tenant = fixtures.tenant();
        Session admin = fixtures.userIn(tenant, "tenant_admin");
        TenantRef existing = fixtures.tenant(admin, tenant.id());

        String name = "Duplicate " + Fixtures.unique("dup");
        Api.Response duplicate = call("POST", "/api/v1/tenants", admin,
                obj("name", name, "slug", existing.slug(), "parent_tenant_id", tenant.id().toString()));
        assertThat(duplicate.status()).as(duplicate.toString()).isEqualTo(409);
        assertThat(count("select count(*) from platform.tenants where name = ?", name)).isZero();
        ChainedEvent conflict = assertOneRecord(duplicate, tenant.id(), "tenant.created", "tenant", null, admin,
                "failure");
        assertThat(AuditLog.details(conflict).path("error_code").asString()).isEqualTo("SLUG_TAKEN")
                .isEqualTo(duplicate.code());

        String email = Fixtures.unique("invalid") + "@example.com";
        Api.Response invalid = call("POST", "/api/v1/users", admin,
                obj("email", email, "full_name", "  ", "password", Fixtures.PASSWORD, "roles", List.of("member")));
        assertThat(invalid.status()).as(invalid.toString()).isEqualTo(400);
        assertThat(count("select count(*) from platform.users where email = ?", email)).isZero();
        ChainedEvent validation = assertOneRecord(invalid, tenant.id(), "user.added", "user", null, admin,
                "failure");
        assertThat(AuditLog.details(validation).path("error_code").asString()).isNotBlank()
                .isEqualTo(invalid.code());
    }

    @Test
    void aChangeWhoseAuditRecordCannotBeWrittenIsRolledBack() throws SQLException {
        TenantRef tenant = fixtures.tenant();
        Session admin = fixtures.userIn(tenant, "tenant_admin");
        String marker = Fixtures.unique("unauditable");
        String email = marker + "@example.com";
        String signingIn = "signing-in-" + email;
        UUID signingInId = UUID.fromString(fixtures.addUser(tenant, signingIn, "member").path("id").asString());
        int before = log.chain(tenant.id()).size();
        String trigger = marker.replace('-', '_');
        Api.Response tenantCreated;
        Api.Response userAdded;
        Api.Response loggedIn;
        // the tenant's own table, in whichever schema it lives
        String schema = schemas.hasOwnSchema(tenant.id()) ? TenantSchemas.schemaOf(tenant.id()) : TenantSchemas.POOL;
        try (Connection owner = AuditLog.owner(dataSource); Statement statement = owner.createStatement()) {
            // only the success record of a request naming the marker fails to insert
            statement.execute("""
                    create function %s.%s() returns trigger language plpgsql as $$
                    begin
                        if new.status = 'success' and strpos(new.details::text, '%s') > 0 then
                            raise exception 'audit insert refused for the test';
                        end if;
                        return new;
                    end $$""".formatted(schema, trigger, marker));
            statement.execute("create trigger %1$s before insert on %2$s.audit_events for each row execute "
                    .formatted(trigger, schema) + "function %s.%s()".formatted(schema, trigger));
            try {
                tenantCreated = call("POST", "/api/v1/tenants", admin, obj("name", "Tenant " + marker,
                        "slug", marker, "parent_tenant_id", tenant.id().toString()));
                userAdded = call("POST", "/api/v1/users", admin, obj("email", email, "full_name", "Nobody",
                        "password", Fixtures.PASSWORD, "roles", List.of("member")));
                loggedIn = api.post("/api/v1/auth/login", null,
                        obj("email", signingIn, "password", Fixtures.PASSWORD));
            }
            finally {
                statement.execute("drop trigger %s on %s.audit_events".formatted(trigger, schema));
                statement.execute("drop function %s.%s()".formatted(schema, trigger));
            }
        }

        for (Api.Response response : List.of(tenantCreated, userAdded, loggedIn)) {
            assertThat(response.status()).as(response.toString()).isEqualTo(500);
            assertThat(response.header("Content-Type")).startsWith("application/problem+json");
            assertThat(response.code()).isEqualTo("INTERNAL_ERROR");
            assertThat(response.json().path("status").asInt()).isEqualTo(500);
            assertThat(response.json().path("request_id").asString()).isEqualTo(response.header("X-Request-Id"));
            assertThat(response.text()).doesNotContain("audit insert refused");
            assertThat(response.header("Location")).as("location of what was not created").isNull();
            assertThat(response.header("Set-Cookie")).as("cookie of a session that was not started").isNull();
            assertThat(response.header("X-Content-Type-Options")).as("security headers kept").isEqualTo("nosniff");
        }
        assertThat(count("select count(*) from platform.tenants where slug = ?", marker))
                .as("the tenant of the unauditable request").isZero();
        assertThat(count("select count(*) from platform.users where email = ?", email))
                .as("the user of the unauditable request").isZero();
        assertThat(scopes.inTenant(tenant.id(), () -> jdbc.sql("select count(*) from memberships m "
                + "join platform.users u on u.id = m.user_id where u.email = ?").param(email).query(Integer.class)
                .single())).isZero();
        assertThat(count("select count(*) from platform.sessions where user_id = ?", signingInId))
                .as("sessions of the unauditable login").isZero();

        // what is recorded instead is the failure, in a transaction of its own
        ChainedEvent tenantFailure = assertOneRecord(tenantCreated, tenant.id(), "tenant.created", "tenant", null,
                admin, "failure");
        ChainedEvent userFailure = assertOneRecord(userAdded, tenant.id(), "user.added", "user", null, admin,
                "failure");
        ChainedEvent loginFailure = onlyRecord(loggedIn, tenant.id());
        assertThat(loginFailure.action()).isEqualTo("auth.login_failed");
        assertThat(loginFailure.actorId()).isEqualTo(signingInId);
        assertThat(List.of(tenantFailure, userFailure, loginFailure)).extracting(ChainedEvent::httpStatus)
                .containsOnly(500);
        assertThat(log.chain(tenant.id())).hasSize(before + 3).allMatch(AuditLog::intact);

        // the same requests go through once their records can be written
        assertThat(call("POST", "/api/v1/tenants", admin, obj("name", "Tenant " + marker, "slug",
                marker, "parent_tenant_id", tenant.id().toString())).status()).isEqualTo(201);
        assertThat(call("POST", "/api/v1/users", admin, obj("email", email, "full_name", "Somebody", "password",
                Fixtures.PASSWORD, "roles", List.of("member"))).status()).isEqualTo(201);
        assertThat(api.post("/api/v1/auth/login", null, obj("email", signingIn, "password", Fixtures.PASSWORD))
                .status()).isEqualTo(200);
    }

    // ---------------------------------------------------------------- denials

    @Test
    void denialsAreRecordedInTheCallersTenantAndRollBack() {
        TenantRef tenant = fixtures.tenant();
        Session viewer = fixtures.userIn(tenant, "viewer");
        String email = Fixtures.unique("denied") + "@example.com";

        Api.Response post = call("POST", "/api/v1/users", viewer,
                obj("email", email, "full_name", "Denied", "roles", List.of("tenant_admin")));
        assertThat(post.status()).as(post.toString()).isEqualTo(403);
        assertThat(count("select count(*) from platform.users where email = ?", email)).isZero();
        ChainedEvent postDenied = assertOneRecord(post, tenant.id(), "user.added", "user", null, viewer, "failure");
        assertThat(AuditLog.details(postDenied).path("error_code").asString()).isEqualTo("FORBIDDEN");

        Api.Response get = call("GET", "/api/v1/roles", viewer, null);
        assertThat(get.status()).as(get.toString()).isEqualTo(403);
        ChainedEvent getDenied = assertOneRecord(get, tenant.id(), "access.denied", null, null, viewer, "failure");
        JsonNode details = AuditLog.details(getDenied);
        assertThat(details.path("method").asString()).isEqualTo("GET");
        assertThat(details.path("path").asString()).isEqualTo("/api/v1/roles");

        Api.Response allowed = call("GET", "/api/v1/users", viewer, null);
        assertThat(allowed.status()).isEqualTo(200);
        assertThat(log.countOfRequest(allowed.header("X-Request-Id"))).as("an allowed read").isZero();
    }

    // ---------------------------------------------------------------- redaction

    @Test
    void passwordsAndTokensAreRedactedAndNeverStored() {
        TenantRef tenant = fixtures.tenant();
        Session admin = fixtures.userIn(tenant, "tenant_admin");
        String email = Fixtures.unique("secretive") + "@example.com";
        String password = "Pw-" + Fixtures.unique("first") + "-long-enough";
        String wrong = "Pw-" + Fixtures.unique("wrong") + "-long-enough";
        String changed = "Pw-" + Fixtures.unique("changed") + "-long-enough";

        Api.Response added = call("POST", "/api/v1/users", admin,
                obj("email", email, "full_name", "Secretive", "password", password, "roles", List.of("member")));
        assertThat(added.status()).as(added.toString()).isEqualTo(201);
        assertThat(request(assertOneRecord(added, tenant.id(), "user.added", "user",
                added.json().path("id").asString(), admin, "success")).path("password").asString()).isEqualTo(REDACTED);

        Api.Response login = api.post("/api/v1/auth/login", null, obj("email", email, "password", password));
        assertThat(login.status()).as(login.toString()).isEqualTo(200);
        Session user = Fixtures.session(login.json(), email);
        assertThat(request(onlyRecord(login, tenant.id())).path("password").asString()).isEqualTo(REDACTED);

        Api.Response failed = api.post("/api/v1/auth/login", null, obj("email", email, "password", wrong));
        assertThat(failed.status()).as(failed.toString()).isEqualTo(401);
        assertThat(request(onlyRecord(failed, AuditRecord.PLATFORM)).path("password").asString()).isEqualTo(REDACTED);

        Api.Response refreshFailed = api.post("/api/v1/auth/refresh", null, obj("refresh_token",
                "no-such-token-" + UUID.randomUUID()));
        assertThat(refreshFailed.status()).as(refreshFailed.toString()).isEqualTo(401);
        ChainedEvent refreshRefusal = onlyRecord(refreshFailed, AuditRecord.PLATFORM);
        assertThat(refreshRefusal.action()).isEqualTo("auth.refresh_failed");
        assertThat(request(refreshRefusal).path("refresh_token").asString()).isEqualTo(REDACTED);
        Api.Response refreshed = api.post("/api/v1/auth/refresh", null, obj("refresh_token", user.refreshToken()));
        assertThat(refreshed.status()).as(refreshed.toString()).isEqualTo(200);
        // a refresh continues a session: recorded on the session, not as an event
        assertThat(log.countOfRequest(refreshed.header("X-Request-Id"))).isZero();

        Api.Response passwordChanged = api.post("/api/v1/auth/password",
                refreshed.json().path("access_token").asString(),
                obj("current_password", password, "new_password", changed));
        assertThat(passwordChanged.status()).as(passwordChanged.toString()).isBetween(200, 299);
        JsonNode change = request(onlyRecord(passwordChanged, tenant.id()));
        assertThat(change.path("current_password").asString()).isEqualTo(REDACTED);
        assertThat(change.path("new_password").asString()).isEqualTo(REDACTED);

        for (String secret : List.of(password, wrong, changed, user.refreshToken(),
                refreshed.json().path("refresh_token").asString())) {
            assertThat(log.countContaining(secret)).as("events containing a secret").isZero();
        }
        assertThat(log.countContaining(email)).as("events naming the user").isGreaterThanOrEqualTo(4);
    }

    // ---------------------------------------------------------------- security events

    @Test
    void aFailedLoginIsRecordedInThePlatformChainAsAnonymousWithTheEmail() {
        TenantRef tenant = fixtures.tenant();
        Session member = fixtures.userIn(tenant, "member");
        String wrong = "Pw-" + Fixtures.unique("guess") + "-long-enough";

        Api.Response failed = api.send("POST", "/api/v1/auth/login", null,
                Api.json(obj("email", member.email(), "password", wrong)), Map.of("User-Agent", USER_AGENT));
        assertThat(failed.status()).as(failed.toString()).isEqualTo(401);

        String requestId = failed.header("X-Request-Id");
        assertThat(log.chainsWithRequest(requestId)).containsExactly(AuditRecord.PLATFORM);
        ChainedEvent event = onlyRecord(failed, AuditRecord.PLATFORM);
        assertThat(event.action()).isEqualTo("auth.login_failed");
        assertThat(event.status()).isEqualTo("failure");
        assertThat(event.httpStatus()).isEqualTo(401);
        assertThat(event.actorType()).isEqualTo("anonymous");
        assertThat(event.actorId()).isNull();
        assertThat(event.userAgent()).isEqualTo(USER_AGENT);
        assertThat(event.ip()).isNotBlank();
        assertThat(AuditLog.details(event).path("error_code").asString()).isEqualTo("INVALID_CREDENTIALS");
        assertThat(request(event).path("email").asString()).isEqualTo(member.email());
        assertThat(event.details()).doesNotContain(wrong);
        assertThat(log.countContaining(wrong)).isZero();
    }

    @Test
    void theFailureThatLocksAnAccountIsRecordedAsALockout() {
        TenantRef tenant = fixtures.tenant();
        Session member = fixtures.userIn(tenant, "member");
        List<String> actions = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            Api.Response failed = api.post("/api/v1/auth/login", null,
                    obj("email", member.email(), "password", "wrong-password-" + i));
            assertThat(failed.status()).as(failed.toString()).isEqualTo(401);
            actions.add(onlyRecord(failed, AuditRecord.PLATFORM).action());
        }
        Api.Response refused = api.post("/api/v1/auth/login", null,
                obj("email", member.email(), "password", Fixtures.PASSWORD));
        assertThat(refused.status()).as(refused.toString()).isEqualTo(429);
        ChainedEvent whileLocked = onlyRecord(refused, AuditRecord.PLATFORM);

        assertThat(actions.subList(0, 9)).containsOnly("auth.login_failed");
        assertThat(actions.getLast()).isEqualTo("auth.account_locked");
        assertThat(whileLocked.action()).isEqualTo("auth.login_failed");
        assertThat(AuditLog.details(whileLocked).path("error_code").asString()).isEqualTo("TOO_MANY_REQUESTS");
        assertThat(log.countContaining(Fixtures.PASSWORD + "\"")).isZero();
    }

    @Test
    void moreConcurrentFailedLoginsThanPooledConnectionsAreAllAnsweredAndRecorded() throws Exception {
        // a failed login counts itself in a transaction of its own, on a second connection, while its request's
        // transaction holds one: more of them at once than the pool has connections must still be answered
        int clients = 24;
        var start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        List<Future<Api.Response>> calls = new ArrayList<>();
        List<Api.Response> responses = new ArrayList<>();
        long started = System.nanoTime();
        try {
            for (int i = 0; i < clients; i++) {
                String email = Fixtures.unique("crowd") + "@example.com";
                calls.add(pool.submit(() -> {
                    start.await();
                    return api.post("/api/v1/auth/login", null, obj("email", email, "password", "wrong-password-1"));
                }));
            }
            start.countDown();
            for (Future<Api.Response> call : calls) {
                responses.add(call.get(60, TimeUnit.SECONDS));
            }
        }
        finally {
            pool.shutdownNow();
        }
        Duration elapsed = Duration.ofNanos(System.nanoTime() - started);

        assertThat(responses).extracting(Api.Response::status).containsOnly(401);
        assertThat(elapsed).as("below the pool's 10 s wait for a connection").isLessThan(Duration.ofSeconds(9));
        for (Api.Response response : responses) {
            assertThat(onlyRecord(response, AuditRecord.PLATFORM).action()).isEqualTo("auth.login_failed");
        }
    }

    @Test
    void refreshTokenReuseIsRecordedInTheUsersTenantAndTheSessionStaysRevoked() {
        TenantRef tenant = fixtures.tenant();
        Session member = fixtures.userIn(tenant, "member");

        Api.Response rotated = api.post("/api/v1/auth/refresh", null, obj("refresh_token", member.refreshToken()));
        assertThat(rotated.status()).as(rotated.toString()).isEqualTo(200);
        Session current = Fixtures.session(rotated.json(), member.email());
        // a successful refresh changes no resource: it is recorded on the session, not in the chain
        assertThat(log.countOfRequest(rotated.header("X-Request-Id"))).isZero();
        assertThat(count("select count(*) from platform.sessions where user_id = ?::uuid and last_seen_ip = ip",
                member.userId().toString())).isEqualTo(1);

        Api.Response reused = api.post("/api/v1/auth/refresh", null, obj("refresh_token", member.refreshToken()));
        assertThat(reused.status()).as(reused.toString()).isEqualTo(401);
        assertThat(reused.code()).isEqualTo("REFRESH_TOKEN_REUSED");

        String requestId = reused.header("X-Request-Id");
        assertThat(log.chainsWithRequest(requestId)).containsExactly(tenant.id());
        ChainedEvent event = onlyRecord(reused, tenant.id());
        assertThat(event.action()).isEqualTo("auth.refresh_token_reused");
        assertThat(event.status()).isEqualTo("failure");
        assertThat(event.httpStatus()).isEqualTo(401);
        assertThat(event.actorType()).isEqualTo("user");
        assertThat(event.actorId()).isEqualTo(member.userId());
        assertThat(event.actorEmail()).isEqualTo(member.email());
        assertThat(event.resourceType()).isEqualTo("session");
        assertThat(event.resourceId()).isNotBlank();
        assertThat(AuditLog.details(event).path("error_code").asString()).isEqualTo("REFRESH_TOKEN_REUSED");

        // the request rolled back, the revocation did not
        assertThat(count("select count(*) from platform.sessions where id = ?::uuid and revoked_at is not null",
                event.resourceId())).isEqualTo(1);
        assertThat(api.get("/api/v1/auth/me", current.accessToken()).status()).isEqualTo(401);
        assertThat(api.post("/api/v1/auth/refresh", null, obj("refresh_token", current.refreshToken())).status())
                .isEqualTo(401);
    }

    @Test
    void aPlatformAdministratorEnteringATenantWithoutMembershipIsRecordedThereAsDelegated() {
        TenantRef tenant = fixtures.tenant();
        Session admin = fixtures.platformAdmin();

        Api.Response switched = call("POST", "/api/v1/auth/switch-tenant", admin,
                obj("tenant_id", tenant.id().toString()));
        assertThat(switched.status()).as(switched.toString()).isEqualTo(200);

        String requestId = switched.header("X-Request-Id");
        assertThat(log.chainsWithRequest(requestId)).containsExactly(tenant.id());
        ChainedEvent event = onlyRecord(switched, tenant.id());
        assertThat(event.action()).isEqualTo("auth.tenant_switched");
        assertThat(event.status()).isEqualTo("success");
        assertThat(event.actorType()).isEqualTo("delegated");
        assertThat(event.actorId()).isEqualTo(admin.userId());
        assertThat(event.actorEmail()).isEqualTo(ApiTest.ADMIN_EMAIL);
        assertThat(event.actorViaTenantId()).isEqualTo(AuditRecord.PLATFORM);
        assertThat(event.resourceType()).isEqualTo("session");
        JsonNode details = AuditLog.details(event);
        assertThat(details.path("acting_as_platform_admin").asBoolean()).isTrue();
        assertThat(details.path("from_tenant_id").asString()).isEqualTo(admin.tenantId().toString());

        // signing straight into the tenant is the same delegated access
        Api.Response login = api.post("/api/v1/auth/login", null, obj("email", ApiTest.ADMIN_EMAIL, "password",
                ApiTest.ADMIN_PASSWORD, "tenant_id", tenant.id().toString()));
        assertThat(login.status()).as(login.toString()).isEqualTo(200);
        ChainedEvent loginEvent = onlyRecord(login, tenant.id());
        assertThat(loginEvent.action()).isEqualTo("auth.login");
        assertThat(loginEvent.actorType()).isEqualTo("delegated");
        assertThat(AuditLog.details(loginEvent).path("acting_as_platform_admin").asBoolean()).isTrue();

        // ... whereas going back home, where they are a member, is not
        Session inTenant = Fixtures.session(switched.json(), ApiTest.ADMIN_EMAIL);
        Api.Response back = call("POST", "/api/v1/auth/switch-tenant", inTenant,
                obj("tenant_id", admin.tenantId().toString()));
        assertThat(back.status()).as(back.toString()).isEqualTo(200);
        ChainedEvent home = onlyRecord(back, admin.tenantId());
        assertThat(home.actorType()).isEqualTo("user");
        assertThat(AuditLog.details(home).has("acting_as_platform_admin")).isFalse();
    }

    @Test
    void aPlatformAdministratorsRequestsInsideAnEnteredTenantAreDelegatedThroughout() {
        TenantRef tenant = fixtures.tenant();
        Api.Response switched = call("POST", "/api/v1/auth/switch-tenant", fixtures.platformAdmin(),
                obj("tenant_id", tenant.id().toString()));
        assertThat(switched.status()).as(switched.toString()).isEqualTo(200);
        Session inside = Fixtures.session(switched.json(), ApiTest.ADMIN_EMAIL);

        Api.Response added = call("POST", "/api/v1/users", inside, obj("email", Fixtures.unique("entered")
                + "@example.com", "full_name", "Added Inside", "roles", List.of("viewer")));
        assertThat(added.status()).as(added.toString()).isEqualTo(201);
        Api.Response refused = call("POST", "/api/v1/users", inside, obj("email", "not-an-address",
                "full_name", "X", "roles", List.of("viewer")));
        assertThat(refused.status()).isEqualTo(400);
        Api.Response logout = call("POST", "/api/v1/auth/logout", inside, null);
        assertThat(logout.status()).as(logout.toString()).isEqualTo(204);

        for (Api.Response response : List.of(added, refused, logout)) {
            List<ChainedEvent> events = log.ofRequest(tenant.id(), response.header("X-Request-Id"));
            assertThat(events).as(response.toString()).hasSize(1);
            assertThat(events.getFirst().actorType()).as(events.getFirst().action()).isEqualTo("delegated");
            assertThat(events.getFirst().actorViaTenantId()).isEqualTo(AuditRecord.PLATFORM);
        }
    }

    // ---------------------------------------------------------------- helpers

    private Api.Response call(String method, String path, Session session, @Nullable Object body) {
        return api.send(method, path, session.accessToken(), body == null ? null : Api.json(body),
                Map.of("User-Agent", USER_AGENT));
    }

    /**
     * The one record of the response's request, in that tenant's chain and no other, with the request's
     * id, the caller as a user, where the call came from, and the HTTP status.
     */
    private ChainedEvent assertOneRecord(Api.Response response, UUID tenant, String action,
            @Nullable String resourceType, @Nullable String resourceId, Session actor, String status) {
        ChainedEvent event = onlyRecord(response, tenant);
        assertThat(event.action()).as("action").isEqualTo(action);
        assertThat(event.status()).as("status of %s", action).isEqualTo(status);
        assertThat(event.httpStatus()).as("HTTP status of %s", action).isEqualTo(response.status());
        assertThat(event.resourceType()).as("resource type of %s", action).isEqualTo(resourceType);
        if (resourceId != null) {
            assertThat(event.resourceId()).as("resource id of %s", action).isEqualTo(resourceId);
        }
        assertThat(event.actorType()).as("actor type of %s", action).isEqualTo("user");
        assertThat(event.actorId()).as("actor id of %s", action).isEqualTo(actor.userId());
        assertThat(event.actorEmail()).as("actor email of %s", action).isEqualTo(actor.email());
        assertThat(event.actorViaTenantId()).isNull();
        assertThat(event.ip()).as("ip of %s", action).isIn("127.0.0.1", "0:0:0:0:0:0:0:1");
        assertThat(event.userAgent()).as("user agent of %s", action).isEqualTo(USER_AGENT);
        assertThat(AuditLog.intact(event)).as("hash of %s", action).isTrue();
        if (status.equals("success")) {
            assertThat(AuditLog.details(event).has("error_code")).isFalse();
        }
        return event;
    }

    /** The single event carrying the response's request id, which must be in the tenant's chain. */
    private ChainedEvent onlyRecord(Api.Response response, UUID tenant) {
        String requestId = response.header("X-Request-Id");
        assertThat(requestId).isNotBlank();
        assertThat(log.countOfRequest(requestId)).as("events of request %s in all chains", requestId).isEqualTo(1);
        List<ChainedEvent> events = log.ofRequest(tenant, requestId);
        assertThat(events).as("events of request %s in chain %s", requestId, tenant).hasSize(1);
        ChainedEvent event = events.getFirst();
        assertThat(event.requestId()).isEqualTo(requestId);
        assertThat(event.tenantId()).isEqualTo(tenant);
        return event;
    }

    private static JsonNode request(ChainedEvent event) {
        return AuditLog.details(event).path("request");
    }

    private int count(String sql, Object param) {
        return jdbc.sql(sql).param(param).query(Integer.class).single();
    }
}
