package dev.canopy.access.web;

import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import dev.canopy.access.Explanation;
import dev.canopy.access.MembershipFacts;
import dev.canopy.access.Permissions;
import dev.canopy.access.ResourceContext;
import dev.canopy.access.internal.Explaining;
import dev.canopy.platform.db.TenantTransactions;
import dev.canopy.platform.security.CanopyPrincipal;
import dev.canopy.platform.web.ApiException;

/**
 * {@code GET /api/v1/access/explain?user_id=&permission=&resource=}: allowed or denied, and which roles,
 * groups, grants or denies decided it. {@code resource} describes the resource acted on as
 * {@code owner=<user id>,environment=<name>,business_unit=<unit id>} (each part optional; with a business
 * unit, the user's role and groups there count, as while they work in it). Anyone may explain their own
 * decisions; explaining another member's needs {@code permissions:explain}.
 */
@RestController
@RequestMapping("/api/v1/access")
class ExplainController {

    private final Explaining explaining;
    private final MembershipFacts memberships;
    private final TenantTransactions scopes;

    ExplainController(Explaining explaining, MembershipFacts memberships, TenantTransactions scopes) {
        this.explaining = explaining;
        this.memberships = memberships;
        this.scopes = scopes;
    }

    @GetMapping("/explain")
    Explanation explain(@AuthenticationPrincipal CanopyPrincipal principal,
            @RequestParam(name = "user_id", required = false) @Nullable UUID userId,
            @RequestParam(required = false) @Nullable String permission,
            @RequestParam(required = false) @Nullable String resource) {
        if (permission == null || permission.isBlank() || permission.length() > 200) {
            throw ApiException.invalidField("permission", "must name a registered permission");
        }
        ResourceContext context = parse(resource);
        UUID tenantId = principal.tenantId();
        if (userId == null || userId.equals(principal.userId())) {
            if (principal.kind() == CanopyPrincipal.Kind.API_KEY) {
                throw ApiException.forbidden("API keys have no member policy to explain; name a user_id.");
            }
            return explaining.explain(tenantId, principal.userId(), principal.platformAdmin(), principal.viaTenantId(),
                    permission, context);
        }
        principal.require(Permissions.PERMISSIONS_EXPLAIN);
        boolean member = scopes.inTenant(tenantId, () -> !memberships.rolesOf(tenantId, userId).isEmpty());
        if (!member) {
            throw ApiException.notFound("USER_NOT_FOUND", "No such user in this tenant.");
        }
        return explaining.explain(tenantId, userId, memberships.platformAdmin(userId), permission, context);
    }

    private static ResourceContext parse(@Nullable String resource) {
        if (resource == null || resource.isBlank()) {
            return ResourceContext.NONE;
        }
        UUID owner = null;
        String environment = null;
        UUID unit = null;
        for (String part : resource.split(",")) {
            String[] kv = part.trim().split("=", 2);
            if (kv.length == 2 && kv[0].equals("owner") && owner == null) {
                try {
                    owner = UUID.fromString(kv[1].trim());
                    continue;
                }
                catch (IllegalArgumentException e) {
                    throw invalidResource();
                }
            }
            if (kv.length == 2 && kv[0].equals("business_unit") && unit == null) {
                try {
                    unit = UUID.fromString(kv[1].trim());
                    continue;
                }
                catch (IllegalArgumentException e) {
                    throw invalidResource();
                }
            }
            if (kv.length == 2 && kv[0].equals("environment") && environment == null
                    && kv[1].trim().matches("[a-z_]{1,64}")) {
                environment = kv[1].trim();
                continue;
            }
            throw invalidResource();
        }
        return new ResourceContext(owner, environment, unit);
    }

    private static ApiException invalidResource() {
        return ApiException.invalidField("resource",
                "must be owner=<user id>,environment=<name>,business_unit=<unit id> (each optional)");
    }
}
