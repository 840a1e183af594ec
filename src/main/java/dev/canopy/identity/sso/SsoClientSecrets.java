package dev.canopy.identity.sso;

import java.util.UUID;

import org.springframework.stereotype.Component;

import dev.canopy.secrets.SecretBinding;
import dev.canopy.secrets.Secrets;

/**
 * Seals and opens the providers' client secrets with the secrets service: the one place that knows how they
 * are kept at rest. A tenant has one configuration, so the binding's record is the tenant itself; a sealed
 * secret copied to another tenant's row does not open.
 */
@Component
class SsoClientSecrets {

    static final String TABLE = "tenant.sso_configs";

    private final Secrets secrets;

    SsoClientSecrets(Secrets secrets) {
        this.secrets = secrets;
    }

    /** The ciphertext to store for the tenant's client secret. */
    byte[] seal(UUID tenantId, String clientSecret) {
        return secrets.sealText(binding(tenantId), clientSecret);
    }

    /** The client secret from its stored ciphertext. */
    String open(UUID tenantId, byte[] sealed) {
        return secrets.openText(binding(tenantId), sealed);
    }

    static SecretBinding binding(UUID tenantId) {
        return SecretBinding.tenant(tenantId, TABLE, tenantId.toString());
    }
}
