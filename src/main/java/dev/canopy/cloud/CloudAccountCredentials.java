package dev.canopy.cloud;

import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import org.springframework.stereotype.Service;

import dev.canopy.cloud.internal.AddressPolicy;
import dev.canopy.cloud.internal.CloudAccount;
import dev.canopy.cloud.internal.CloudAccountDirectory;
import dev.canopy.platform.web.ApiException;
import dev.canopy.secrets.Secrets;
import tools.jackson.databind.json.JsonMapper;

/** What provisioning needs of a cloud account: that it exists, and at run time its opened credentials. */
@Service
public class CloudAccountCredentials {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    /**
     * An account as an environment names it: which provider, which environments it is meant for, and its settings
     * (never its credentials).
     */
    public record Account(UUID id, String name, String provider, List<String> environments,
            Map<String, String> settings) {
    }

    /**
     * An account's settings and opened credentials, for a driver's process and nothing else: never logged,
     * stored or shown ({@link #toString()} says nothing of them).
     */
    public record Opened(UUID id, String provider, String authType, Map<String, String> settings,
            Map<String, Object> credentials) {

        @Override
        public String toString() {
            return "Opened[" + id + ", " + provider + "]";
        }
    }

    private final CloudAccountDirectory directory;
    private final Secrets secrets;
    private final AddressPolicy addresses;

    CloudAccountCredentials(CloudAccountDirectory directory, Secrets secrets, AddressPolicy addresses) {
        this.directory = directory;
        this.secrets = secrets;
        this.addresses = addresses;
    }

    /**
     * Why Canopy may not connect to the server (loopback, private, link-local or metadata addresses the installation
     * does not allow, as for an account's test), if it may not. Resolves the host once; a driver whose client
     * resolves it again is not protected against DNS rebinding by this.
     */
    public Optional<String> refusal(URI server) {
        try {
            addresses.resolve(server);
            return Optional.empty();
        }
        catch (RuntimeException e) {
            return Optional.of(e.getMessage());
        }
    }

    /** The tenant's account with this id, if it has one. */
    public Optional<Account> find(UUID tenantId, UUID id) {
        try {
            CloudAccount a = directory.get(tenantId, id);
            return Optional.of(new Account(a.id(), a.name(), a.provider(), a.environments(), a.settings()));
        }
        catch (ApiException e) {
            return Optional.empty();
        }
    }

    /** Opens the account's credentials for a run; the caller's audit record says they were opened. */
    @SuppressWarnings("unchecked")
    public Opened open(UUID tenantId, UUID id) {
        CloudAccount a = directory.get(tenantId, id);
        Map<String, Object> credentials = JSON.readValue(secrets.openText(CloudAccountDirectory.binding(tenantId, id),
                a.sealedCredentials()), Map.class);
        return new Opened(a.id(), a.provider(), a.authType(), a.settings(), credentials);
    }
}
