package dev.canopy.provisioning.internal;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;

import dev.canopy.catalog.ProvisionableVersion;
import dev.canopy.catalog.TemplateCatalog;
import dev.canopy.catalog.ValidatedInputs;
import dev.canopy.cloud.CloudAccountCredentials;
import dev.canopy.platform.web.ApiException;
import tools.jackson.databind.node.ObjectNode;

/**
 * What each driver needs of the environment a deployment goes to, checked when the deployment is requested (422,
 * not a run failing later): the driver installed and available here, a cloud account of a provider it can use with
 * the settings it reads, and for Kubernetes the manifests inside the account's namespace. The drivers check again
 * at run time: the account may change in between.
 */
@Component
class DriverRequirements {

    /**
     * What a driver needs: whether a cloud account, of which providers (empty: any), with which settings, and what
     * the version's files must be with the request's inputs and the account's settings (null: nothing).
     */
    record Needs(boolean account, Set<String> providers, List<String> settings, @Nullable ArchiveCheck archive) {

        static final Needs ANY = new Needs(false, Set.of(), List.of(), null);
    }

    /** Refuses with the {@link DriverFailure} a run would fail on. */
    interface ArchiveCheck {
        void check(byte[] archive, ObjectNode inputs, Map<String, String> settings);
    }

    /** By driver key; a key not listed needs nothing. */
    static final Map<String, Needs> BY_DRIVER = Map.of(
            "kubernetes", new Needs(true, Set.of("kubernetes"), List.of("namespace"),
                    (archive, inputs, settings) -> KubernetesDriver.admit(archive, inputs, settings.get("namespace"))),
            "arm", new Needs(true, Set.of("azure"), List.of(), null),
            "opentofu", Needs.ANY,
            "ansible", Needs.ANY);

    private final Map<String, ProvisioningDriver> drivers;
    private final CloudAccountCredentials accounts;
    private final TemplateCatalog catalog;

    DriverRequirements(Collection<ProvisioningDriver> drivers, CloudAccountCredentials accounts,
            TemplateCatalog catalog) {
        this.drivers = drivers.stream().collect(Collectors.toMap(ProvisioningDriver::key, Function.identity()));
        this.accounts = accounts;
        this.catalog = catalog;
    }

    /** Refuses (422) a deployment of the version into the environment that its driver cannot run. */
    void check(ProvisionableVersion version, Environment environment, ValidatedInputs inputs) {
        String key = version.driver();
        requireAvailable(key);
        Needs needs = BY_DRIVER.getOrDefault(key, Needs.ANY);
        Optional<CloudAccountCredentials.Account> account = environment.cloudAccountId() == null ? Optional.empty()
                : accounts.find(environment.tenantId(), environment.cloudAccountId());
        if (account.isEmpty() && needs.account()) {
            throw refused("CLOUD_ACCOUNT_REQUIRED", "The " + key + " driver needs a " + String.join(" or ",
                    needs.providers()) + " cloud account; the environment " + environment.name() + " has none.");
        }
        Map<String, String> settings = account.map(CloudAccountCredentials.Account::settings).orElse(Map.of());
        if (account.isPresent()) {
            CloudAccountCredentials.Account a = account.get();
            if (!needs.providers().isEmpty() && !needs.providers().contains(a.provider())) {
                throw refused("CLOUD_ACCOUNT_PROVIDER_MISMATCH", "The " + key + " driver needs a " + String.join(
                        " or ", needs.providers()) + " cloud account; the environment " + environment.name()
                        + " uses the " + a.provider() + " account " + a.name() + ".");
            }
            for (String setting : needs.settings()) {
                String value = settings.get(setting);
                if (value == null || value.isBlank()) {
                    throw refused("CLOUD_ACCOUNT_SETTING_MISSING", "The " + key + " driver needs the cloud account "
                            + a.name() + " to have the setting '" + setting + "'.");
                }
            }
        }
        if (needs.archive() != null) {
            try {
                needs.archive().check(catalog.archive(version), inputs.values(), settings);
            }
            catch (DriverFailure e) {
                // a message may quote the substituted text: secret inputs are masked as in a run's log
                String detail = new Redactor(RunExecution.secretValues(inputs.values(), List.copyOf(
                        inputs.secretPointers()))).redact(e.getMessage());
                throw refused(e instanceof KubernetesDriver.OutsideNamespace ? "NAMESPACE_NOT_ALLOWED"
                        : "KUBERNETES_MANIFEST_INVALID", detail);
            }
        }
    }

    /** Refuses (422 {@code DRIVER_UNAVAILABLE}) templates of a driver this installation has not, or cannot run. */
    void requireAvailable(String key) {
        ProvisioningDriver driver = drivers.get(key);
        if (driver == null) {
            throw refused("DRIVER_UNAVAILABLE", "The template's driver '" + key + "' is not installed here.");
        }
        ProvisioningDriver.Availability availability = driver.availability();
        if (!availability.available()) {
            throw refused("DRIVER_UNAVAILABLE", "The template's driver '" + key + "' is not available here: "
                    + availability.detail());
        }
    }

    private static ApiException refused(String code, String detail) {
        return new ApiException(HttpStatus.UNPROCESSABLE_CONTENT, code, detail);
    }
}
