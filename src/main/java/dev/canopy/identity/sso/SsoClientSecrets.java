package dev.canopy.identity.sso;

import java.util.UUID;

import org.springframework.stereotype.Component;

/**
 * Seals and opens the providers' client secrets: the one place that knows how they are kept at rest.
 * INTERIM: until the secrets service (module {@code dev.canopy.secrets}) is merged, the value is kept with a
 * {@code plain:} marker, so that sealed values written now can be told apart and re-sealed later.
 */
@Component
class SsoClientSecrets {

    private static final String PLAIN = "plain:";

    /** The form to store for the tenant's client secret. */
    String seal(UUID tenantId, String clientSecret) {
        return PLAIN + clientSecret;
    }

    /** The client secret from its stored form. */
    String open(UUID tenantId, String sealed) {
        if (sealed.startsWith(PLAIN)) {
            return sealed.substring(PLAIN.length());
        }
        throw new IllegalStateException("The client secret of tenant " + tenantId + " is sealed in an unknown form");
    }
}
