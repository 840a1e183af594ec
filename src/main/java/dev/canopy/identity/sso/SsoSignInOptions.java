package dev.canopy.identity.sso;

import java.net.URI;
import java.util.Optional;

import org.springframework.stereotype.Service;

import dev.canopy.identity.TenantDirectory;
import dev.canopy.identity.TenantInfo;
import dev.canopy.platform.db.TenantTransactions;

/** What the console's sign-in page offers for a tenant: "Sign in with <provider>", and whether passwords work. */
@Service
public class SsoSignInOptions {

    private static final String SLUG = "[a-z0-9][a-z0-9-]{1,62}";

    /** A tenant's single sign-on as its sign-in page shows it. */
    public record SsoOption(String tenantSlug, String tenantName, String provider, boolean passwordAllowed) {
    }

    private final TenantDirectory tenants;
    private final TenantTransactions scopes;
    private final SsoConfigs configs;

    SsoSignInOptions(TenantDirectory tenants, TenantTransactions scopes, SsoConfigs configs) {
        this.tenants = tenants;
        this.scopes = scopes;
        this.configs = configs;
    }

    /** The tenant's option, if the slug names a usable tenant whose single sign-on is on. */
    public Optional<SsoOption> forTenant(String slug) {
        if (!slug.matches(SLUG)) {
            return Optional.empty();
        }
        Optional<TenantInfo> tenant = tenants.findBySlug(slug).filter(TenantInfo::usable);
        return tenant.flatMap(t -> scopes.inTenant(t.id(), () -> configs.find(t.id()))
                .filter(c -> c.authMode().ssoAllowed())
                .map(c -> new SsoOption(t.slug(), t.name(), providerName(c), c.authMode().passwordAllowed())));
    }

    /** The provider's name as people know it; an OIDC provider without a preset by its host. */
    static String providerName(SsoConfig config) {
        return switch (config.preset()) {
            case ENTRA_ID -> "Microsoft";
            case GOOGLE -> "Google";
            case KEYCLOAK -> "Keycloak";
            case GENERIC -> {
                String host = URI.create(config.issuer()).getHost();
                yield host == null ? "your identity provider" : host;
            }
        };
    }
}
