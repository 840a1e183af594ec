package dev.canopy.audit;

import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Service;
import org.springframework.web.context.request.RequestAttributes;
import org.springframework.web.context.request.RequestContextHolder;

import dev.canopy.audit.internal.AuditChain;
import dev.canopy.audit.internal.RequestAudit;
import dev.canopy.platform.db.IndependentTransaction;
import dev.canopy.platform.web.Audited;

/**
 * What other modules tell the audit log. Within an API request they add to the request's own record
 * (written with the change, in its transaction); outside one, or for events that must survive a
 * rollback, they append records directly.
 */
@Service
public class AuditTrail {

    private final AuditChain chain;
    private final IndependentTransaction independent;

    AuditTrail(AuditChain chain, IndependentTransaction independent) {
        this.chain = chain;
        this.independent = independent;
    }

    /** Says which {@link Audited} handler serves the current request, for requests that bypass Spring MVC. */
    public void handledAs(Audited audited) {
        current().handledAs(audited);
    }

    /** Overrides the current request's action, for outcomes its handler cannot name in advance. */
    public void action(String action) {
        current().action(action);
    }

    /** Names the resource the current request acted on, when the path does not say it. */
    public void resource(String type, String id) {
        current().resource(type, id);
    }

    /** Says who acted and in which tenant, when the request was not signed in (a login). */
    public void actor(UUID tenantId, Actor actor) {
        current().actor(tenantId, actor);
    }

    /** Adds a detail to the current request's record; secret-looking keys are redacted. */
    public void detail(String key, @Nullable Object value) {
        current().detail(key, value);
    }

    /** Appends a record within the caller's transaction: it commits or rolls back with the change. */
    public void append(AuditRecord record) {
        chain.append(record);
    }

    /** Appends a record in a transaction of its own: for security events on paths that fail. */
    public void appendSeparately(AuditRecord record) {
        independent.run(() -> chain.append(record));
    }

    private static RequestAudit current() {
        RequestAttributes attributes = RequestContextHolder.getRequestAttributes();
        Object audit = attributes == null ? null
                : attributes.getAttribute(RequestAudit.ATTRIBUTE, RequestAttributes.SCOPE_REQUEST);
        return audit instanceof RequestAudit requestAudit ? requestAudit : RequestAudit.DISCARDED;
    }
}
