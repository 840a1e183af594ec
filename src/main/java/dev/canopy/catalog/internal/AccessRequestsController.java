package dev.canopy.catalog.internal;

import java.time.Instant;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import dev.canopy.platform.security.CanopyPrincipal;
import dev.canopy.platform.web.Audited;
import dev.canopy.platform.web.Page;
import dev.canopy.platform.web.PageRequest;

/** Requests for access to locked templates: the approvers' inbox and their decisions. */
@RestController
@RequestMapping("/api/v1/access-requests")
class AccessRequestsController {

    private final TemplateAccessControl access;

    AccessRequestsController(TemplateAccessControl access) {
        this.access = access;
    }

    record RequestView(UUID id, UUID templateId, UUID requesterId, String requesterEmail, String reason,
            @Nullable UUID businessUnitId, String status, @Nullable UUID decidedBy, @Nullable Instant decidedAt,
            @Nullable String decisionComment, Instant createdAt) {

        static RequestView of(AccessRequest r) {
            return new RequestView(r.id(), r.templateId(), r.requesterId(), r.requesterEmail(), r.reason(),
                    r.businessUnitId(), r.status(), r.decidedBy(), r.decidedAt(), r.decisionComment(), r.createdAt());
        }
    }

    record Decision(@Nullable String comment) {
    }

    @GetMapping
    Page<RequestView> list(@AuthenticationPrincipal CanopyPrincipal principal,
            @RequestParam(required = false) @Nullable String status,
            @RequestParam(name = "template_id", required = false) @Nullable UUID templateId,
            @RequestParam(required = false) @Nullable Integer limit,
            @RequestParam(required = false) @Nullable String cursor) {
        Page<AccessRequest> page = access.list(principal, status == null || status.isBlank() ? null : status,
                templateId, PageRequest.of(limit, cursor));
        return new Page<>(page.items().stream().map(RequestView::of).toList(), page.nextCursor());
    }

    @Audited(action = "template_access_request.approved", resource = "template_access_request")
    @PostMapping("/{id}/approve")
    RequestView approve(@AuthenticationPrincipal CanopyPrincipal principal, @PathVariable UUID id,
            @RequestBody(required = false) @Nullable Decision body) {
        return RequestView.of(access.approve(principal, id, body == null ? null : body.comment()));
    }

    @Audited(action = "template_access_request.rejected", resource = "template_access_request")
    @PostMapping("/{id}/reject")
    RequestView reject(@AuthenticationPrincipal CanopyPrincipal principal, @PathVariable UUID id,
            @RequestBody(required = false) @Nullable Decision body) {
        return RequestView.of(access.reject(principal, id, body == null ? null : body.comment()));
    }
}
