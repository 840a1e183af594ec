package dev.canopy.identity.internal;

import java.util.List;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.stereotype.Component;

import dev.canopy.access.BuiltInRole;
import dev.canopy.access.RoleCatalog;
import dev.canopy.platform.Ids;
import dev.canopy.platform.db.TenantTransactions;
import dev.canopy.platform.security.CanopyPrincipal;
import dev.canopy.platform.web.ApiException;
import dev.canopy.platform.web.Page;
import dev.canopy.platform.web.PageRequest;

/** The members of one tenant: listing, adding, changing and removing them. */
@Component
public class MemberDirectory {

    private final UserAccounts users;
    private final Memberships memberships;
    private final TenantTransactions scopes;
    private final PasswordEncoder passwords;
    private final RoleCatalog catalog;

    MemberDirectory(UserAccounts users, Memberships memberships, TenantTransactions scopes,
            PasswordEncoder passwords, RoleCatalog catalog) {
        this.users = users;
        this.memberships = memberships;
        this.scopes = scopes;
        this.passwords = passwords;
        this.catalog = catalog;
    }

    /** A new member: an existing account joins, or a new account is created with the given name and password. */
    public record NewMember(String email, String fullName, @Nullable String password, List<String> roles) {
    }

    /** Changes to a member; null means unchanged. */
    public record MemberChanges(@Nullable String fullName, @Nullable Boolean active, @Nullable List<String> roles,
            long version) {
    }

    public Page<Member> list(UUID tenantId, @Nullable String search, @Nullable String role, PageRequest page) {
        return page.page(scopes.inTenant(tenantId,
                () -> memberships.members(tenantId, search, role, page.after(), page.fetchSize())), Member::id);
    }

    public Member get(UUID tenantId, UUID userId) {
        return scopes.inTenant(tenantId, () -> memberships.findMember(tenantId, userId)).orElseThrow(
                MemberDirectory::notFound);
    }

    /** Adds a member to the caller's tenant with roles the caller may give. */
    public Member add(CanopyPrincipal by, NewMember request) {
        UUID tenantId = by.tenantId();
        List<String> roles = assignable(tenantId, request.roles());
        catalog.requireGivable(by, roles);
        UserAccount existing = users.findByEmail(request.email()).orElse(null);
        if (existing == null && request.password() != null) {
            PasswordPolicy.check("password", request.password(), request.email(), request.fullName());
        }
        UUID userId = existing != null ? existing.id() : Ids.newId();
        return scopes.inTenantAsUser(tenantId, userId, () -> {
            if (existing == null) {
                users.insert(userId, request.email(), request.fullName(),
                        request.password() == null ? null : passwords.encode(request.password()), false);
            }
            else if (memberships.find(tenantId, userId).isPresent()) {
                throw ApiException.conflict("ALREADY_A_MEMBER", "That user is already a member of this tenant.");
            }
            boolean first = memberships.ofUser(userId).isEmpty();
            memberships.insert(tenantId, userId, roles, first);
            return memberships.findMember(tenantId, userId).orElseThrow();
        });
    }

    /** Changes a member of the caller's tenant; roles it gains must be the caller's to give. */
    public Member change(CanopyPrincipal by, UUID userId, MemberChanges changes) {
        UUID tenantId = by.tenantId();
        boolean platformAdmin = by.platformAdmin();
        List<String> roles = changes.roles() == null ? null : assignable(tenantId, changes.roles());
        return scopes.inTenantAsUser(tenantId, userId, () -> {
            Membership membership = memberships.find(tenantId, userId).orElseThrow(MemberDirectory::notFound);
            if (roles != null) {
                catalog.requireGivable(by, roles.stream().filter(role -> !membership.roles().contains(role)).toList());
            }
            boolean accountChange = changes.fullName() != null || changes.active() != null;
            if (accountChange && !platformAdmin && (belongsElsewhere(tenantId, userId)
                    || users.findById(userId).map(UserAccount::platformAdmin).orElse(false))) {
                throw new ApiException(HttpStatus.FORBIDDEN, "USER_MANAGED_ELSEWHERE",
                        "This user's account is managed outside this tenant; only their roles here can be changed.");
            }
            boolean losesAdmin = roles != null && !roles.contains(BuiltInRole.TENANT_ADMIN.key());
            if (losesAdmin || Boolean.FALSE.equals(changes.active())) {
                requireAnotherAdmin(tenantId, membership);
            }
            String fullName = changes.fullName() == null ? null : changes.fullName().trim();
            if (!users.update(userId, changes.version(), fullName, changes.active())) {
                throw ApiException.conflict("VERSION_CONFLICT",
                        "The user was changed by someone else; reload and try again.");
            }
            if (roles != null) {
                memberships.updateRoles(tenantId, userId, roles);
            }
            return memberships.findMember(tenantId, userId).orElseThrow();
        });
    }

    public void remove(UUID tenantId, UUID userId) {
        scopes.inTenantAsUser(tenantId, userId, () -> {
            Membership membership = memberships.find(tenantId, userId).orElseThrow(MemberDirectory::notFound);
            requireAnotherAdmin(tenantId, membership);
            memberships.delete(tenantId, userId);
            if (membership.primary()) {
                // exactly one primary membership while the user has any
                memberships.ofUser(userId).stream().findFirst()
                        .ifPresent(next -> memberships.makePrimary(userId, next.tenantId()));
            }
            return null;
        });
    }

    private boolean belongsElsewhere(UUID tenantId, UUID userId) {
        return memberships.ofUser(userId).stream().anyMatch(m -> !m.tenantId().equals(tenantId));
    }

    /** A tenant keeps at least one administrator. */
    private void requireAnotherAdmin(UUID tenantId, Membership leaving) {
        String admin = BuiltInRole.TENANT_ADMIN.key();
        if (leaving.roles().contains(admin) && memberships.countWithRole(tenantId, admin) <= 1) {
            throw ApiException.conflict("LAST_ADMIN", "A tenant must keep at least one tenant administrator.");
        }
    }

    /** The roles, each a built-in or custom role of the tenant (else 400 {@code UNKNOWN_ROLE}), without repeats. */
    private List<String> assignable(UUID tenantId, List<String> roles) {
        for (int i = 0; i < roles.size(); i++) {
            if (!catalog.assignable(tenantId, roles.get(i))) {
                throw unknownRole(roles, i);
            }
        }
        return roles.stream().distinct().toList();
    }

    private static ApiException unknownRole(List<String> roles, int i) {
        return new ApiException(HttpStatus.BAD_REQUEST, "UNKNOWN_ROLE", "Unknown role '" + roles.get(i) + "'.",
                List.of(new ApiException.FieldError("roles[" + i + "]", "is not a role of this tenant")));
    }

    /** The built-in roles, each one a tenant can give (else 400 {@code UNKNOWN_ROLE}), without repeats. */
    static List<String> assignable(List<String> roles) {
        for (int i = 0; i < roles.size(); i++) {
            if (BuiltInRole.assignable(roles.get(i)).isEmpty()) {
                throw new ApiException(HttpStatus.BAD_REQUEST, "UNKNOWN_ROLE", "Unknown role '" + roles.get(i) + "'.",
                        List.of(new ApiException.FieldError("roles[" + i + "]", "is not a role of this tenant")));
            }
        }
        return roles.stream().distinct().toList();
    }

    private static ApiException notFound() {
        return ApiException.notFound("USER_NOT_FOUND", "No such user in this tenant.");
    }
}
