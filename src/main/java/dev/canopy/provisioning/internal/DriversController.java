package dev.canopy.provisioning.internal;

import java.util.Comparator;
import java.util.List;

import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

import dev.canopy.access.Permissions;
import dev.canopy.platform.security.CanopyPrincipal;
import dev.canopy.platform.web.Page;

/** The drivers this installation has, so a template author knows which {@code driver} keys can run here. */
@RestController
class DriversController {

    private final List<ProvisioningDriver> drivers;

    DriversController(List<ProvisioningDriver> drivers) {
        this.drivers = drivers;
    }

    record DriverView(String key, boolean available, String detail) {
    }

    // whoever may browse the catalog may know which of its drivers can run
    @GetMapping("/api/v1/drivers")
    Page<DriverView> list(@AuthenticationPrincipal CanopyPrincipal principal) {
        principal.require(Permissions.TEMPLATES_LIST);
        return new Page<>(drivers.stream().sorted(Comparator.comparing(ProvisioningDriver::key)).map(d -> {
            ProvisioningDriver.Availability a = d.availability();
            return new DriverView(d.key(), a.available(), a.detail());
        }).toList(), null);
    }
}
