package dev.canopy.identity.console;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.ModelAttribute;

import dev.canopy.access.BuiltInRole;
import dev.canopy.access.Delegations;
import dev.canopy.access.RoleCatalog;
import dev.canopy.identity.TenantDirectory;
import dev.canopy.identity.TenantInfo;
import dev.canopy.identity.internal.Membership;
import dev.canopy.identity.internal.Memberships;
import dev.canopy.identity.internal.MultiFactor;
import dev.canopy.identity.internal.UserAccount;
import dev.canopy.identity.internal.UserAccounts;
import dev.canopy.platform.console.ConsoleController;
import dev.canopy.platform.console.NavItem;
import dev.canopy.platform.db.TenantTransactions;
import dev.canopy.platform.security.CanopyPrincipal;
import dev.canopy.platform.web.ApiException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * Adds the {@link Frame} to every console page and renders refusals as pages. Everything comes from the
 * request's principal, resolved afresh from its session, so header, navigation and page always agree on the
 * tenant and the role, also right after a switch or a change of roles.
 */
@ControllerAdvice(annotations = ConsoleController.class)
@Order(Ordered.HIGHEST_PRECEDENCE)
class ConsoleFrameAdvice {

    private static final Logger log = LoggerFactory.getLogger(ConsoleFrameAdvice.class);
    /** The switcher lists at most this many delegated client tenants. */
    private static final int MAX_DELEGATED = 50;

    private final UserAccounts users;
    private final Memberships memberships;
    private final TenantDirectory tenants;
    private final TenantTransactions scopes;
    private final MultiFactor multiFactor;
    private final List<NavItem> navigation;
    private final RoleCatalog catalog;
    private final Delegations delegations;

    ConsoleFrameAdvice(UserAccounts users, Memberships memberships, TenantDirectory tenants,
            TenantTransactions scopes, MultiFactor multiFactor, List<NavItem> navigation, RoleCatalog catalog,
            Delegations delegations) {
        this.catalog = catalog;
        this.delegations = delegations;
        this.users = users;
        this.memberships = memberships;
        this.tenants = tenants;
        this.scopes = scopes;
        this.multiFactor = multiFactor;
        this.navigation = navigation.stream().sorted(Comparator.comparingInt(NavItem::order)).toList();
    }

    @ModelAttribute("frame")
    @Nullable
    Frame frame(HttpServletRequest request) {
        CanopyPrincipal principal = principal();
        if (principal == null) {
            return null;
        }
        UserAccount user = users.findById(principal.userId()).orElseThrow();
        List<Membership> own = scopes.asUser(user.id(), () -> memberships.ofUser(user.id()));
        Map<UUID, TenantInfo> known = tenants.findAll(own.stream().map(Membership::tenantId).toList());
        TenantInfo current = tenants.find(principal.tenantId()).orElseThrow();
        Membership here = own.stream().filter(m -> m.tenantId().equals(current.id())).findFirst().orElse(null);
        String role = here != null ? roleLabel(current.id(), here.roles())
                : principal.viaTenantId() != null ? delegatedRole(user.id(), current.id(), principal.viaTenantId())
                : principal.platformAdmin() ? BuiltInRole.PLATFORM_ADMIN.displayName() : "";
        List<Frame.TenantChoice> choices = own.stream()
                .filter(m -> known.containsKey(m.tenantId()) && known.get(m.tenantId()).usable())
                .map(m -> new Frame.TenantChoice(m.tenantId(), known.get(m.tenantId()).name(),
                        roleLabel(m.tenantId(), m.roles())))
                .sorted(Comparator.comparing(Frame.TenantChoice::name, String.CASE_INSENSITIVE_ORDER))
                .toList();
        if (here == null) {
            choices = new java.util.ArrayList<>(choices);
            choices.addFirst(new Frame.TenantChoice(current.id(), current.name(), role));
        }
        else if (principal.viaTenantId() == null) {
            choices = new java.util.ArrayList<>(choices);
            choices.addAll(delegatedClients(user.id(), current, own));
        }
        List<NavItem> allowed = navigation.stream().filter(item -> item.visibleTo().test(principal)).toList();
        return new Frame(user.fullName(), user.email(), new Frame.TenantChoice(current.id(), current.name(), role),
                role, choices, allowed, request.getRequestURI(),
                current.mfaRequired() && !multiFactor.active(user.id()), principal.permissions());
    }

    /** The role a delegated session works with in the client, and the tenant it comes from. */
    private String delegatedRole(UUID userId, UUID clientId, UUID viaTenantId) {
        String via = tenants.find(viaTenantId).map(TenantInfo::name).orElse("another tenant");
        return delegations.available(clientId, userId, viaTenantId).stream().findFirst()
                .map(d -> roleLabel(clientId, List.of(d.roleKey())) + " via " + via)
                .orElse("");
    }

    /**
     * The client tenants the user may enter from the current tenant through its grants, after their own
     * tenants; a switch from inside a client goes back to an own tenant first, as the API's does.
     */
    private List<Frame.TenantChoice> delegatedClients(UUID userId, TenantInfo current, List<Membership> own) {
        var ownIds = own.stream().map(Membership::tenantId).collect(java.util.stream.Collectors.toSet());
        List<Delegations.Delegation> reachable = delegations.clientsReachable(current.id(), userId, MAX_DELEGATED)
                .stream().filter(d -> !ownIds.contains(d.clientTenantId())).toList();
        Map<UUID, TenantInfo> clients = tenants.findAll(reachable.stream().map(Delegations.Delegation::clientTenantId)
                .toList());
        return reachable.stream()
                .filter(d -> clients.containsKey(d.clientTenantId()) && clients.get(d.clientTenantId()).usable())
                .map(d -> new Frame.TenantChoice(d.clientTenantId(), clients.get(d.clientTenantId()).name(),
                        roleLabel(d.clientTenantId(), List.of(d.roleKey())), current.name()))
                .sorted(Comparator.comparing(Frame.TenantChoice::name, String.CASE_INSENSITIVE_ORDER))
                .toList();
    }

    /** A refusal from a service: the console's error page with the same status and the same message. */
    @ExceptionHandler(ApiException.class)
    String refused(ApiException e, Model model, HttpServletRequest request, HttpServletResponse response) {
        response.setStatus(e.status().value());
        model.addAttribute("status", e.status().value());
        model.addAttribute("reason", e.status().getReasonPhrase());
        model.addAttribute("message", e.status() == HttpStatus.NOT_FOUND ? "There is nothing here, or it is not "
                + "yours to see." : e.getMessage());
        model.addAttribute("code", e.code());
        model.addAttribute("frame", frame(request));
        if (e.status().is5xxServerError()) {
            log.error("Console request {} failed: {}", request.getRequestURI(), e.getMessage());
        }
        return "console/error";
    }

    /** The roles' names, custom roles' included (they are held by id), as the header and the switcher show them. */
    String roleLabel(UUID tenantId, List<String> roles) {
        return String.join(", ", catalog.names(tenantId, roles).values());
    }

    static @Nullable CanopyPrincipal principal() {
        Authentication authentication = SecurityContextHolder.getContext().getAuthentication();
        return authentication != null && authentication.getPrincipal() instanceof CanopyPrincipal p ? p : null;
    }
}
