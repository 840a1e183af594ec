package dev.canopy.identity.web;

import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import dev.canopy.access.Delegations;
import dev.canopy.audit.AuditTrail;
import dev.canopy.platform.web.Audited;
import dev.canopy.identity.TenantDirectory;
import dev.canopy.identity.TenantInfo;
import dev.canopy.identity.internal.Membership;
import dev.canopy.identity.internal.Memberships;
import dev.canopy.identity.internal.MultiFactor;
import dev.canopy.identity.internal.SignIn;
import dev.canopy.identity.internal.UserAccount;
import dev.canopy.identity.internal.UserAccounts;
import dev.canopy.platform.db.TenantTransactions;
import dev.canopy.platform.security.CanopyPrincipal;
import dev.canopy.platform.web.ApiException;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/** The caller's own profile: who they are, where they belong, what they may do in the current tenant. */
@RestController
@RequestMapping("/api/v1/auth/me")
class ProfileController {

    private final UserAccounts users;
    private final Memberships memberships;
    private final TenantDirectory tenants;
    private final TenantTransactions scopes;
    private final AuditTrail audit;
    private final MultiFactor multiFactor;
    private final SignIn signIn;
    private final Delegations delegations;

    ProfileController(UserAccounts users, Memberships memberships, TenantDirectory tenants,
            TenantTransactions scopes, AuditTrail audit, MultiFactor multiFactor, SignIn signIn,
            Delegations delegations) {
        this.delegations = delegations;
        this.users = users;
        this.memberships = memberships;
        this.tenants = tenants;
        this.scopes = scopes;
        this.audit = audit;
        this.multiFactor = multiFactor;
        this.signIn = signIn;
    }

    /**
     * {@code mfa_enrollment_required}: the current tenant requires MFA and the caller has none yet, so the
     * console asks them to enrol. {@code delegated_tenants}: the client tenants an access grant to one of the
     * caller's own tenants lets them enter ({@code switch-tenant} from any own tenant), one entry per client and
     * own tenant.
     */
    record Me(MeUser user, TenantSummary tenant, boolean actingAsPlatformAdmin, List<MembershipView> memberships,
            List<DelegatedTenant> delegatedTenants, List<String> permissions, boolean mfaEnabled,
            boolean mfaEnrollmentRequired) {
    }

    /** {@code role}: the role key the grant gives in the client; {@code expires_at} null: until revoked. */
    record DelegatedTenant(TenantSummary tenant, TenantSummary viaTenant, String role,
            @Nullable Instant expiresAt) {
    }

    /** Per own tenant, as the console's switcher lists them. */
    static final int MAX_DELEGATED = 50;

    record MeUser(UUID id, String email, String fullName, boolean isPlatformAdmin, long version) {
    }

    record MembershipView(TenantSummary tenant, List<String> roles, boolean isPrimary) {
    }

    record ProfileChanges(@Nullable @Size(min = 1, max = 200) @Pattern(regexp = ".*\\S.*") String fullName,
            @Nullable UUID primaryTenantId, @NotNull Long version) {
    }

    @GetMapping
    Me me(@AuthenticationPrincipal CanopyPrincipal principal) {
        UserAccount user = users.findById(principal.userId()).orElseThrow();
        List<Membership> own = scopes.asUser(user.id(), () -> memberships.ofUser(user.id()));
        var known = tenants.findAll(own.stream().map(Membership::tenantId).toList());
        TenantInfo current = tenants.find(principal.tenantId()).orElseThrow();
        List<MembershipView> views = own.stream()
                .filter(m -> known.containsKey(m.tenantId()))
                .map(m -> new MembershipView(TenantSummary.of(known.get(m.tenantId())), m.roles(), m.primary()))
                .toList();
        boolean acting = own.stream().noneMatch(m -> m.tenantId().equals(principal.tenantId()));
        boolean mfa = multiFactor.active(user.id());
        return new Me(new MeUser(user.id(), user.email(), user.fullName(), user.platformAdmin(), user.version()),
                TenantSummary.of(current), acting, views, delegated(user.id(), own, known),
                principal.permissions().stream().sorted().toList(), mfa, current.mfaRequired() && !mfa);
    }

    /** The usable clients reachable through grants to the user's usable own tenants, sorted by name. */
    private List<DelegatedTenant> delegated(UUID userId, List<Membership> own, Map<UUID, TenantInfo> known) {
        Set<UUID> ownIds = own.stream().map(Membership::tenantId).collect(Collectors.toSet());
        List<Delegations.Delegation> reachable = own.stream()
                .filter(m -> known.containsKey(m.tenantId()) && known.get(m.tenantId()).usable())
                .flatMap(m -> delegations.clientsReachable(m.tenantId(), userId, MAX_DELEGATED).stream())
                .filter(d -> !ownIds.contains(d.clientTenantId()))
                .toList();
        if (reachable.isEmpty()) {
            return List.of();
        }
        Map<UUID, TenantInfo> clients = tenants.findAll(reachable.stream()
                .map(Delegations.Delegation::clientTenantId).distinct().toList());
        return reachable.stream()
                .filter(d -> clients.containsKey(d.clientTenantId()) && clients.get(d.clientTenantId()).usable())
                .map(d -> new DelegatedTenant(TenantSummary.of(clients.get(d.clientTenantId())),
                        TenantSummary.of(known.get(d.viaTenantId())), d.roleKey(), d.expiresAt()))
                .sorted(Comparator.comparing((DelegatedTenant d) -> d.tenant().name(), String.CASE_INSENSITIVE_ORDER)
                        .thenComparing(d -> d.viaTenant().name(), String.CASE_INSENSITIVE_ORDER))
                .toList();
    }

    @Audited(action = "user.profile_updated", resource = "user")
    @PatchMapping
    Me update(@AuthenticationPrincipal CanopyPrincipal principal, @Valid @RequestBody ProfileChanges changes) {
        UUID userId = principal.userId();
        audit.resource("user", userId.toString());
        signIn.requireAccountSession(principal);
        scopes.asUser(userId, () -> {
            String fullName = changes.fullName() == null ? null : changes.fullName().trim();
            if (!users.update(userId, changes.version(), fullName, null)) {
                throw ApiException.conflict("VERSION_CONFLICT", "Your profile was changed elsewhere; reload it.");
            }
            if (changes.primaryTenantId() != null) {
                boolean member = memberships.ofUser(userId).stream()
                        .anyMatch(m -> m.tenantId().equals(changes.primaryTenantId()));
                if (!member) {
                    throw new ApiException(HttpStatus.FORBIDDEN, "NOT_A_MEMBER",
                            "The primary tenant must be one you belong to.");
                }
                memberships.makePrimary(userId, changes.primaryTenantId());
            }
            return null;
        });
        return me(principal);
    }
}
