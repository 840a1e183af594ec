package dev.canopy.audit.internal;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionStatus;
import org.springframework.transaction.support.DefaultTransactionDefinition;
import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.servlet.HandlerExecutionChain;
import org.springframework.web.servlet.HandlerMapping;
import org.springframework.web.util.ServletRequestPathUtils;
import org.springframework.web.util.ContentCachingRequestWrapper;
import org.springframework.web.util.ContentCachingResponseWrapper;

import dev.canopy.audit.Actor;
import dev.canopy.audit.AuditRecord;
import dev.canopy.platform.web.Audited;
import dev.canopy.platform.db.IndependentTransaction;
import dev.canopy.platform.security.CanopyPrincipal;
import dev.canopy.platform.web.Problems;
import dev.canopy.platform.web.RequestIds;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * Records every mutating API or console request, and every denied one. A mutating request runs in one
 * transaction that its audit record joins: it commits with the change, or the change rolls back with
 * it. A failed or denied request rolls back and is recorded in a transaction of its own. A handler marked
 * {@code @Audited(requestTransaction = false)} runs without one and its record is appended in its own.
 */
@Component
@Order(0) // after Spring Security, which knows the principal
class AuditedRequests extends OncePerRequestFilter {

    private static final Logger log = LoggerFactory.getLogger(AuditedRequests.class);
    private static final Set<String> MUTATING = Set.of("POST", "PUT", "PATCH", "DELETE");
    private static final int MAX_RECORDED_BODY = 8 * 1024;

    private static final Duration ADMISSION_WAIT = Duration.ofSeconds(10);

    private final AuditChain chain;
    private final PlatformTransactionManager transactions;
    private final IndependentTransaction independent;
    private final Problems problems;
    /**
     * A request's transaction holds a pooled connection while its work may open an independent transaction
     * on a second one (a failed login's count, a failure's record). If every connection were held so, none
     * would be left for those: at most this many request transactions at once, two connections spare.
     */
    private final Semaphore requestTransactions;
    private final BeanFactory beans;

    AuditedRequests(AuditChain chain, PlatformTransactionManager transactions, IndependentTransaction independent,
            Problems problems, @Value("${canopy.database.pool-size}") int poolSize, BeanFactory beans) {
        this.beans = beans;
        this.chain = chain;
        this.transactions = transactions;
        this.independent = independent;
        this.problems = problems;
        this.requestTransactions = new Semaphore(Math.max(1, poolSize - 2), true);
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        // the API and the console's pages; not static files, health checks or documentation
        String path = request.getRequestURI();
        return path.startsWith("/console-assets/") || path.startsWith("/webjars/") || path.startsWith("/actuator/")
                || path.startsWith("/docs") || path.startsWith("/swagger-ui/") || path.startsWith("/v3/")
                || path.startsWith("/.well-known/");
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain filters)
            throws ServletException, IOException {
        var audit = new RequestAudit();
        request.setAttribute(RequestAudit.ATTRIBUTE, audit);
        if (!MUTATING.contains(request.getMethod())) {
            filters.doFilter(request, response);
            if (response.getStatus() == HttpStatus.FORBIDDEN.value()) {
                recordSeparately(audit, request, response.getStatus(), null, "access.denied");
            }
            return;
        }
        if (!wantsRequestTransaction(request)) {
            withoutTransaction(audit, request, response, filters);
            return;
        }
        if (!admitted()) {
            recordSeparately(audit, request, HttpStatus.SERVICE_UNAVAILABLE.value(), null, null);
            response.setHeader(HttpHeaders.RETRY_AFTER, "1");
            problems.write(response, problems.of(HttpStatus.SERVICE_UNAVAILABLE, "UNAVAILABLE",
                    "Too many changes are under way; try again shortly.", request));
            return;
        }
        try {
            inTransaction(audit, request, response, filters);
        }
        finally {
            requestTransactions.release();
        }
    }

    /** False when the handler the request maps to says {@code @Audited(requestTransaction = false)}. */
    private boolean wantsRequestTransaction(HttpServletRequest request) {
        boolean parsed = ServletRequestPathUtils.hasParsedRequestPath(request);
        try {
            if (!parsed) {
                ServletRequestPathUtils.parseAndCache(request);
            }
            HandlerExecutionChain handler = beans.getBean("requestMappingHandlerMapping", HandlerMapping.class)
                    .getHandler(request);
            return !(handler != null && handler.getHandler() instanceof HandlerMethod method
                    && method.getMethodAnnotation(Audited.class) instanceof Audited audited
                    && !audited.requestTransaction());
        }
        catch (Exception e) {
            // no handler, or one the dispatcher will refuse (method, media type): the usual way
            return true;
        }
        finally {
            if (!parsed) {
                ServletRequestPathUtils.clearParsedRequestPath(request);
            }
        }
    }

    private void withoutTransaction(RequestAudit audit, HttpServletRequest request, HttpServletResponse response,
            FilterChain filters) throws ServletException, IOException {
        var body = new ContentCachingRequestWrapper(request, 64 * 1024);
        var buffered = new ContentCachingResponseWrapper(response);
        try {
            filters.doFilter(body, buffered);
        }
        catch (RuntimeException | ServletException | IOException e) {
            log.error("Request {} {} failed", request.getMethod(), request.getRequestURI(), e);
            recordSeparately(audit, body, HttpStatus.INTERNAL_SERVER_ERROR.value(), null, null);
            buffered.reset();
            buffered.setHeader(RequestIds.HEADER, RequestIds.of(request));
            problems.write(buffered, problems.of(HttpStatus.INTERNAL_SERVER_ERROR, "INTERNAL_ERROR",
                    "Something went wrong on our side.", request));
            buffered.copyBodyToResponse();
            return;
        }
        if (buffered.getStatus() < 400) {
            if (audit.audited == null || audit.audited.recordSuccess()) {
                // the answer waits for its record, as a transactional request's does
                try {
                    independent.run(() -> chain.append(record(audit, body, buffered.getStatus(), buffered, true)));
                }
                catch (RuntimeException e) {
                    log.error("The audit record of request {} could not be written", RequestIds.of(request), e);
                    buffered.reset();
                    buffered.setHeader(RequestIds.HEADER, RequestIds.of(request));
                    problems.write(buffered, problems.of(HttpStatus.INTERNAL_SERVER_ERROR, "INTERNAL_ERROR",
                            "Something went wrong on our side.", request));
                }
            }
        }
        else {
            recordSeparately(audit, body, buffered.getStatus(), buffered, null);
        }
        buffered.copyBodyToResponse();
    }

    private boolean admitted() {
        try {
            return requestTransactions.tryAcquire(ADMISSION_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private void inTransaction(RequestAudit audit, HttpServletRequest request, HttpServletResponse response,
            FilterChain filters) throws ServletException, IOException {
        var body = new ContentCachingRequestWrapper(request, 64 * 1024);
        var buffered = new ContentCachingResponseWrapper(response);
        TransactionStatus tx = transactions.getTransaction(new DefaultTransactionDefinition());
        try {
            filters.doFilter(body, buffered);
            if (buffered.getStatus() < 400 && !tx.isRollbackOnly()) {
                if (audit.audited == null || audit.audited.recordSuccess()) {
                    chain.append(record(audit, body, buffered.getStatus(), buffered, true));
                }
                transactions.commit(tx);
            }
            else {
                transactions.rollback(tx);
                recordSeparately(audit, body, buffered.getStatus(), buffered, null);
            }
        }
        catch (RuntimeException | ServletException | IOException e) {
            if (!tx.isCompleted()) {
                transactions.rollback(tx);
            }
            log.error("Request {} {} failed and was rolled back", request.getMethod(), request.getRequestURI(), e);
            recordSeparately(audit, body, HttpStatus.INTERNAL_SERVER_ERROR.value(), null, null);
            // the handler's status and headers (Location, Set-Cookie) describe a change that was rolled back
            buffered.reset();
            buffered.setHeader(RequestIds.HEADER, RequestIds.of(request));
            problems.write(buffered, problems.of(HttpStatus.INTERNAL_SERVER_ERROR, "INTERNAL_ERROR",
                    "Something went wrong on our side; nothing was changed.", request));
        }
        buffered.copyBodyToResponse();
    }

    private void recordSeparately(RequestAudit audit, HttpServletRequest request, int status,
            @Nullable ContentCachingResponseWrapper response, @Nullable String action) {
        try {
            AuditRecord record = record(audit, request, status, response, false);
            independent.run(() -> chain.append(action == null ? record : withAction(record, action)));
        }
        catch (RuntimeException e) {
            log.error("The audit record of a failed request {} could not be written", RequestIds.of(request), e);
        }
    }

    private static AuditRecord record(RequestAudit audit, HttpServletRequest request, int status,
            @Nullable ContentCachingResponseWrapper response, boolean success) {
        CanopyPrincipal principal = principal();
        UUID tenantId = audit.tenantId != null ? audit.tenantId
                : principal != null ? principal.tenantId() : AuditRecord.PLATFORM;
        Actor actor = audit.actor != null ? audit.actor
                : principal == null ? new Actor.Anonymous()
                        : principal.kind() == CanopyPrincipal.Kind.API_KEY
                                ? new Actor.ApiKeyActor(principal.userId(), principal.email())
                                : principal.viaTenantId() != null
                                        ? new Actor.DelegatedActor(principal.userId(), principal.email(),
                                                principal.viaTenantId())
                                        // entered without a membership: acting for the platform, as the entering
                                        // itself was recorded (SignIn.actor)
                                        : principal.enteredAsPlatformAdmin()
                                                ? new Actor.DelegatedActor(principal.userId(), principal.email(),
                                                        AuditRecord.PLATFORM)
                                                : new Actor.UserActor(principal.userId(), principal.email());
        Audited audited = audit.audited;
        String action = audit.action != null ? audit.action
                : audited == null ? fallbackAction(request)
                        : !success && !audited.failure().isEmpty() ? audited.failure() : audited.action();
        String resourceType = audit.resourceType != null ? audit.resourceType
                : audited != null && !audited.resource().isEmpty() ? audited.resource() : null;
        Map<String, Object> details = new LinkedHashMap<>();
        if (request instanceof ContentCachingRequestWrapper body && (audited == null || audited.recordRequest())) {
            requestBody(body).ifPresent(value -> details.put("request", value));
        }
        if (!success && response != null) {
            errorCode(response).ifPresent(code -> details.put("error_code", code));
        }
        if (!success && audited == null) {
            details.put("method", request.getMethod());
            details.put("path", request.getRequestURI());
        }
        details.putAll(audit.details);
        return new AuditRecord(tenantId, Instant.now(), actor, action, resourceType,
                audit.resourceId != null ? audit.resourceId : resourceId(request, response), success, status,
                request.getRemoteAddr(), request.getHeader(HttpHeaders.USER_AGENT), RequestIds.of(request), details);
    }

    private static AuditRecord withAction(AuditRecord r, String action) {
        return new AuditRecord(r.tenantId(), r.occurredAt(), r.actor(), action, r.resourceType(), r.resourceId(),
                r.success(), r.httpStatus(), r.ip(), r.userAgent(), r.requestId(), r.details());
    }

    private static @Nullable CanopyPrincipal principal() {
        Authentication authentication = SecurityContextHolder.getContext().getAuthentication();
        return authentication != null && authentication.getPrincipal() instanceof CanopyPrincipal p ? p : null;
    }

    private static String fallbackAction(HttpServletRequest request) {
        Object pattern = request.getAttribute(HandlerMapping.BEST_MATCHING_PATTERN_ATTRIBUTE);
        return (request.getRequestURI().startsWith("/api/") ? "api." : "console.") + request.getMethod().toLowerCase() + " " + (pattern != null ? pattern : request.getRequestURI());
    }

    private static @Nullable String resourceId(HttpServletRequest request,
            @Nullable ContentCachingResponseWrapper response) {
        if (request.getAttribute(HandlerMapping.URI_TEMPLATE_VARIABLES_ATTRIBUTE) instanceof Map<?, ?> variables
                && variables.get("id") != null) {
            return String.valueOf(variables.get("id"));
        }
        String location = response == null ? null : response.getHeader(HttpHeaders.LOCATION);
        return location == null ? null : location.substring(location.lastIndexOf('/') + 1);
    }

    private static java.util.Optional<Object> requestBody(ContentCachingRequestWrapper body) {
        if (body.getContentType() != null && body.getContentType().startsWith("application/x-www-form-urlencoded")) {
            long length = body.getContentLengthLong();
            return java.util.Optional.of(length > MAX_RECORDED_BODY ? "(" + length + " bytes, not recorded)"
                    : formFields(body));
        }
        byte[] content = body.getContentAsByteArray();
        if (content.length == 0) {
            return java.util.Optional.empty();
        }
        if (content.length > MAX_RECORDED_BODY) {
            return java.util.Optional.of("(" + content.length + " bytes, not recorded)");
        }
        try {
            return java.util.Optional.of(ChainedEvent.CANONICAL.readValue(content, Object.class));
        }
        catch (RuntimeException e) {
            return java.util.Optional.of("(not JSON, " + content.length + " bytes)");
        }
    }

    /** A console form as the audit record keeps it: its fields (secrets are redacted on append), not the CSRF token. */
    private static Map<String, Object> formFields(HttpServletRequest request) {
        Map<String, Object> fields = new LinkedHashMap<>();
        request.getParameterMap().forEach((name, values) -> {
            if (!"_csrf".equals(name)) {
                fields.put(name, values.length == 1 ? values[0] : java.util.List.of(values));
            }
        });
        return fields;
    }

    private static java.util.Optional<String> errorCode(ContentCachingResponseWrapper response) {
        try {
            var node = ChainedEvent.CANONICAL.readTree(response.getContentAsByteArray());
            return java.util.Optional.ofNullable(node.path("code").isString() ? node.path("code").asString() : null);
        }
        catch (RuntimeException e) {
            return java.util.Optional.empty();
        }
    }
}
