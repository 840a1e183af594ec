package dev.canopy.provisioning.internal;

import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;

import dev.canopy.platform.web.ApiException;

/** Refuses a deployment when its request arrives, not in a failed run later, if no driver here can run it. */
@Component
class DeployableDrivers {

    private final Map<String, ProvisioningDriver> drivers;

    DeployableDrivers(List<ProvisioningDriver> drivers) {
        this.drivers = drivers.stream().collect(Collectors.toMap(ProvisioningDriver::key, Function.identity()));
    }

    void require(String key) {
        ProvisioningDriver driver = drivers.get(key);
        if (driver == null) {
            throw new ApiException(HttpStatus.UNPROCESSABLE_CONTENT, "DRIVER_UNAVAILABLE", "Templates of the driver '"
                    + key + "' cannot be deployed here: this installation has no such driver.");
        }
        ProvisioningDriver.Availability availability = driver.availability();
        if (!availability.available()) {
            throw new ApiException(HttpStatus.UNPROCESSABLE_CONTENT, "DRIVER_UNAVAILABLE", "Templates of the driver '"
                    + key + "' cannot be deployed here: " + availability.detail() + ".");
        }
    }
}
