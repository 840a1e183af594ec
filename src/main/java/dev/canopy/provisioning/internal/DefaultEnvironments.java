package dev.canopy.provisioning.internal;

import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

import dev.canopy.tenancy.TenantCreated;

/** Gives every new tenant its development, staging and production environments, in the tenant's transaction. */
@Component
class DefaultEnvironments {

    private final EnvironmentDirectory directory;

    DefaultEnvironments(EnvironmentDirectory directory) {
        this.directory = directory;
    }

    @EventListener
    void on(TenantCreated created) {
        directory.createDefaults(created.tenantId());
    }
}
