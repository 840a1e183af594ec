package dev.canopy.catalog.internal;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Service;

import dev.canopy.access.AccessDecisionPoint;
import dev.canopy.access.BusinessUnitOwners;
import dev.canopy.access.MemberCard;
import dev.canopy.access.MembershipFacts;
import dev.canopy.access.Permissions;
import dev.canopy.audit.AuditTrail;
import dev.canopy.catalog.TemplateAccessDecided;
import dev.canopy.catalog.TemplateAccessRequested;
import dev.canopy.identity.Members;
import dev.canopy.notifications.MailMessage;
import dev.canopy.notifications.OutgoingMail;
import dev.canopy.platform.Ids;
import dev.canopy.platform.db.TenantTransactions;
import dev.canopy.platform.security.CanopyPrincipal;
import dev.canopy.platform.web.ApiException;
import dev.canopy.platform.web.Page;
import dev.canopy.platform.web.PageRequest;

/**
 * Locked templates: who may provision them (holders of {@code templates:manage} and users with a grant), requests
 * for access, their decision by a {@code templates:manage} holder or, for a request made inside a business unit,
 * that unit's owner, and revocation. Requesters hear of decisions by mail (and in the audit log).
 */
@Service
public class TemplateAccessControl {

    /** Deciders are looked for among this many members (by name), as approvers of runs are. */
    private static final int DECIDERS_AMONG = 1000;

    private final TemplateAccess access;
    private final TemplateDirectory directory;
    private final TenantTransactions scopes;
    private final AccessDecisionPoint decisions;
    private final BusinessUnitOwners unitOwners;
    private final Members members;
    private final OutgoingMail mail;
    private final AuditTrail audit;
    private final MembershipFacts memberships;
    private final ApplicationEventPublisher events;

    TemplateAccessControl(TemplateAccess access, TemplateDirectory directory, TenantTransactions scopes,
            AccessDecisionPoint decisions, BusinessUnitOwners unitOwners, Members members, OutgoingMail mail,
            AuditTrail audit, MembershipFacts memberships, ApplicationEventPublisher events) {
        this.memberships = memberships;
        this.events = events;
        this.access = access;
        this.directory = directory;
        this.scopes = scopes;
        this.decisions = decisions;
        this.unitOwners = unitOwners;
        this.members = members;
        this.mail = mail;
        this.audit = audit;
    }

    /** Whether the user may provision the template: it is not locked, or they manage templates or hold a grant. */
    public boolean mayProvision(CanopyPrincipal principal, CatalogEntry entry) {
        Template t = entry.template();
        // a share is the MSP's decision to let the client deploy; its lock governs the MSP's own users
        return !t.locked() || entry.shared() || principal.can(Permissions.TEMPLATES_MANAGE)
                || scopes.inTenant(t.tenantId(), () -> access.hasGrant(t.tenantId(), t.id(), principal.userId()));
    }

    public AccessRequest request(CanopyPrincipal by, UUID templateId, @Nullable String reason) {
        by.require(Permissions.TEMPLATES_READ);
        if (reason == null || reason.isBlank() || reason.length() > 1000) {
            throw ApiException.invalidField("reason", "is required, at most 1000 characters");
        }
        UUID tenantId = by.tenantId();
        CatalogEntry entry = new CatalogEntry(directory.own(tenantId, templateId), false);
        if (!entry.template().locked()) {
            throw ApiException.conflict("TEMPLATE_NOT_LOCKED", "This template is not locked; anyone who may deploy "
                    + "may use it.");
        }
        if (mayProvision(by, entry)) {
            throw ApiException.conflict("ACCESS_ALREADY_GRANTED", "You may already provision this template.");
        }
        UUID unit = decisions.activeBusinessUnit(by).orElse(null);
        var request = new AccessRequest(tenantId, Ids.newId(), templateId, by.userId(), by.email(), reason.strip(),
                unit, AccessRequest.PENDING, null, null, null, Instant.now());
        try {
            scopes.inTenant(tenantId, () -> {
                access.insertRequest(request);
                events.publishEvent(new TemplateAccessRequested(tenantId, request.id(), templateId,
                        entry.template().name(), by.userId(), request.reason(), deciders(request)));
            });
        }
        catch (DuplicateKeyException e) {
            throw ApiException.conflict("ACCESS_REQUEST_PENDING", "You already have a pending request for this "
                    + "template.");
        }
        audit.resource("template_access_request", request.id().toString());
        audit.detail("template_id", templateId.toString());
        return find(tenantId, request.id());
    }

    /**
     * Requests the caller may see: all of them for {@code templates:manage} holders, else their own and those made
     * in business units they own.
     */
    public Page<AccessRequest> list(CanopyPrincipal principal, @Nullable String status, @Nullable UUID templateId,
            PageRequest page) {
        if (status != null && !List.of(AccessRequest.PENDING, AccessRequest.APPROVED, AccessRequest.REJECTED,
                AccessRequest.REVOKED).contains(status)) {
            throw ApiException.invalidField("status", "must be pending, approved, rejected or revoked");
        }
        UUID tenantId = principal.tenantId();
        boolean all = principal.can(Permissions.TEMPLATES_MANAGE);
        // null: everyone's; else the caller's own and those made in the units they own
        UUID requester = all ? null : principal.userId();
        List<UUID> units = all ? List.of() : unitOwners.ownedBy(tenantId, principal.userId());
        return page.page(scopes.inTenant(tenantId, () -> access.requests(tenantId, status, templateId, requester,
                units, page.after(), page.fetchSize())), AccessRequest::id);
    }

    public AccessRequest approve(CanopyPrincipal by, UUID requestId, @Nullable String comment) {
        return decide(by, requestId, AccessRequest.APPROVED, comment);
    }

    public AccessRequest reject(CanopyPrincipal by, UUID requestId, @Nullable String comment) {
        return decide(by, requestId, AccessRequest.REJECTED, comment);
    }

    private AccessRequest decide(CanopyPrincipal by, UUID requestId, String status, @Nullable String comment) {
        if (comment != null && comment.length() > 1000) {
            throw ApiException.invalidField("comment", "must be at most 1000 characters");
        }
        UUID tenantId = by.tenantId();
        AccessRequest request = find(tenantId, requestId);
        boolean unitOwner = request.businessUnitId() != null && unitOwners.ownerOf(tenantId, request.businessUnitId())
                .filter(by.userId()::equals).isPresent();
        if (!by.can(Permissions.TEMPLATES_MANAGE) && !unitOwner) {
            if (!request.requesterId().equals(by.userId())) {
                throw notFound(requestId);
            }
            throw ApiException.forbidden("Requests are decided by holders of 'templates:manage' or the owner of "
                    + "the business unit they were made in.");
        }
        if (request.requesterId().equals(by.userId())) {
            throw new ApiException(org.springframework.http.HttpStatus.FORBIDDEN, "SELF_APPROVAL",
                    "You cannot decide your own access request.");
        }
        boolean decided = scopes.inTenant(tenantId, () -> {
            if (!access.decide(tenantId, requestId, status, by.userId(), comment)) {
                return false;
            }
            if (AccessRequest.APPROVED.equals(status)) {
                access.grant(tenantId, request.templateId(), request.requesterId(), by.userId(), requestId);
            }
            events.publishEvent(new TemplateAccessDecided(tenantId, requestId, request.templateId(),
                    directory.own(tenantId, request.templateId()).name(), request.requesterId(), status, by.userId(),
                    comment));
            return true;
        });
        if (!decided) {
            throw ApiException.conflict("ACCESS_REQUEST_DECIDED", "This request was decided already ("
                    + find(tenantId, requestId).status() + ").");
        }
        audit.resource("template_access_request", requestId.toString());
        audit.detail("template_id", request.templateId().toString());
        audit.detail("requester_id", request.requesterId().toString());
        audit.detail("decided_as", unitOwner && !by.can(Permissions.TEMPLATES_MANAGE) ? "business_unit_owner"
                : "templates_manager");
        Template template = directory.own(tenantId, request.templateId());
        mail.sendAfterCommit(new MailMessage(request.requesterEmail(), "Your access request for '"
                + template.name() + "' was " + status, "Your request to use the template '" + template.name()
                        + "' was " + status + " by " + by.email() + "."
                        + (comment == null || comment.isBlank() ? "" : "\n\nComment: " + comment)));
        return find(tenantId, requestId);
    }

    /** Who may decide the request: members holding {@code templates:manage}, and its business unit's owner. */
    private List<UUID> deciders(AccessRequest request) {
        UUID tenantId = request.tenantId();
        var deciders = new java.util.LinkedHashSet<UUID>();
        for (MemberCard member : memberships.members(tenantId, DECIDERS_AMONG)) {
            if (decisions.allows(tenantId, member.userId(), false, Permissions.TEMPLATES_MANAGE.name())) {
                deciders.add(member.userId());
            }
        }
        if (request.businessUnitId() != null) {
            unitOwners.ownerOf(tenantId, request.businessUnitId()).ifPresent(deciders::add);
        }
        deciders.remove(request.requesterId());
        return List.copyOf(deciders);
    }

    /** Lets a member provision a locked template without a request. */
    public TemplateGrant grant(CanopyPrincipal by, UUID templateId, UUID userId) {
        by.require(Permissions.TEMPLATES_MANAGE);
        UUID tenantId = by.tenantId();
        directory.own(tenantId, templateId);
        if (!members.tenantsOf(userId).contains(tenantId)) {
            throw ApiException.notFound("USER_NOT_FOUND", "No member " + userId + " in this tenant.");
        }
        scopes.inTenant(tenantId, () -> access.grant(tenantId, templateId, userId, by.userId(), null));
        audit.detail("user_id", userId.toString());
        return grants(by, templateId).stream().filter(g -> g.userId().equals(userId)).findFirst().orElseThrow();
    }

    public List<TemplateGrant> grants(CanopyPrincipal principal, UUID templateId) {
        principal.require(Permissions.TEMPLATES_MANAGE);
        UUID tenantId = principal.tenantId();
        directory.own(tenantId, templateId);
        return scopes.inTenant(tenantId, () -> access.grants(tenantId, templateId));
    }

    public void revoke(CanopyPrincipal by, UUID templateId, UUID userId) {
        by.require(Permissions.TEMPLATES_MANAGE);
        UUID tenantId = by.tenantId();
        directory.own(tenantId, templateId);
        if (!scopes.inTenant(tenantId, () -> access.revoke(tenantId, templateId, userId))) {
            throw ApiException.notFound("TEMPLATE_GRANT_NOT_FOUND", "User " + userId + " holds no grant for this "
                    + "template.");
        }
        audit.detail("user_id", userId.toString());
    }

    private AccessRequest find(UUID tenantId, UUID id) {
        return scopes.inTenant(tenantId, () -> access.findRequest(tenantId, id)).orElseThrow(() -> notFound(id));
    }

    private static ApiException notFound(UUID id) {
        return ApiException.notFound("ACCESS_REQUEST_NOT_FOUND", "No access request " + id + " in this tenant.");
    }
}
