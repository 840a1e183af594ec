package dev.canopy.identity.sso;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;

import dev.canopy.audit.Actor;
import dev.canopy.audit.AuditRecord;
import dev.canopy.audit.AuditTrail;
import dev.canopy.identity.internal.UserAccount;
import dev.canopy.platform.web.ApiException;

/**
 * Audit records of SSO logins. The login and its callback are GETs, which the request filter does not
 * record, so they are appended here: a success in the transaction that starts the session, a refusal in
 * one of its own (in the tenant's chain when the tenant is known, else the platform's).
 */
@Component
class SsoAudit {

    /** Where a request came from, for its audit record. */
    record RequestFacts(@Nullable String ip, @Nullable String userAgent, String requestId) {
    }

    private final AuditTrail audit;

    SsoAudit(AuditTrail audit) {
        this.audit = audit;
    }

    void succeeded(RequestFacts request, UUID tenantId, UserAccount user, IdentityClaims claims, boolean provisioned,
            List<String> roles) {
        var details = new LinkedHashMap<String, Object>();
        details.put("issuer", claims.issuer());
        details.put("subject", claims.subject());
        details.put("provisioned", provisioned);
        details.put("roles", roles);
        details.put("groups", claims.groups().size() > 50 ? claims.groups().subList(0, 50) : claims.groups());
        audit.append(new AuditRecord(tenantId, Instant.now(), new Actor.UserActor(user.id(), user.email()),
                "auth.sso_login", "user", user.id().toString(), true, 302, request.ip(), request.userAgent(),
                request.requestId(), details));
    }

    void refused(RequestFacts request, LoginAttempt attempt, ApiException refusal, String action) {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("error_code", refusal.code());
        details.put("reason", refusal.getMessage());
        if (attempt.issuer != null) {
            details.put("issuer", attempt.issuer);
        }
        if (attempt.subject != null) {
            details.put("subject", attempt.subject);
        }
        if (attempt.email != null) {
            details.put("email", OidcProviders.safe(attempt.email));
        }
        audit.appendSeparately(new AuditRecord(attempt.tenantId == null ? AuditRecord.PLATFORM : attempt.tenantId,
                Instant.now(), new Actor.Anonymous(), action, "sso_login", null, false, refusal.status().value(),
                request.ip(), request.userAgent(), request.requestId(), details));
    }
}
