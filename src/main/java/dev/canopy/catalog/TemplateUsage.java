package dev.canopy.catalog;

import java.util.UUID;

/**
 * Tells the catalog whether live deployments use a template, so it is not deleted from under them. The
 * provisioning module implements it; every implementation is asked.
 */
public interface TemplateUsage {

    /** Whether a live (not destroyed) deployment of the tenant uses the template. */
    boolean inUse(UUID tenantId, UUID templateId);
}
