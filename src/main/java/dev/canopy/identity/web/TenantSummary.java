package dev.canopy.identity.web;

import java.util.UUID;

import dev.canopy.identity.TenantInfo;

/** A tenant as responses name it. */
record TenantSummary(UUID id, String name, String slug, String status) {

    static TenantSummary of(TenantInfo tenant) {
        return new TenantSummary(tenant.id(), tenant.name(), tenant.slug(), tenant.status());
    }
}
