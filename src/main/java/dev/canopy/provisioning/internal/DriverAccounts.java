package dev.canopy.provisioning.internal;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;

import dev.canopy.cloud.CloudAccountCredentials;
import dev.canopy.platform.web.ApiException;

/**
 * Refuses a deployment when it is requested, not in a failed run later, if its template's driver deploys with a
 * cloud account of a provider the environment has no account of (422 {@code CLOUD_ACCOUNT_REQUIRED}).
 */
@Component
class DriverAccounts {

    private final Map<String, ProvisioningDriver> drivers;
    private final CloudAccountCredentials accounts;

    DriverAccounts(List<ProvisioningDriver> drivers, CloudAccountCredentials accounts) {
        this.drivers = drivers.stream().collect(Collectors.toMap(ProvisioningDriver::key, Function.identity()));
        this.accounts = accounts;
    }

    void require(UUID tenantId, Environment environment, String driverKey) {
        ProvisioningDriver driver = drivers.get(driverKey);
        Optional<String> provider = driver == null ? Optional.empty() : driver.accountProvider();
        if (provider.isEmpty()) {
            return;
        }
        String needs = "The template's driver '" + driverKey + "' deploys with an " + provider.get()
                + " cloud account; ";
        if (environment.cloudAccountId() == null) {
            throw refused(needs + "the environment '" + environment.name() + "' has no cloud account.");
        }
        Optional<CloudAccountCredentials.Account> account = accounts.find(tenantId, environment.cloudAccountId());
        if (account.isEmpty()) {
            throw refused(needs + "the environment '" + environment.name() + "' names an account that is gone.");
        }
        if (!account.get().provider().equals(provider.get())) {
            throw refused(needs + "the environment '" + environment.name() + "' uses the " + account.get().provider()
                    + " account '" + account.get().name() + "'.");
        }
    }

    private static ApiException refused(String detail) {
        return new ApiException(HttpStatus.UNPROCESSABLE_CONTENT, "CLOUD_ACCOUNT_REQUIRED", detail);
    }
}
