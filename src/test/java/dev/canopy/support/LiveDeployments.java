package dev.canopy.support;

import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import org.springframework.stereotype.Component;

import dev.canopy.catalog.TemplateUsage;

/**
 * Stands in for the provisioning module, which does not exist yet, as the catalog's {@link TemplateUsage}: tests
 * say which templates live deployments use. Scanned into the one shared test context.
 */
@Component
public class LiveDeployments implements TemplateUsage {

    private final Set<UUID> inUse = ConcurrentHashMap.newKeySet();

    public void deployed(UUID templateId) {
        inUse.add(templateId);
    }

    public void destroyed(UUID templateId) {
        inUse.remove(templateId);
    }

    @Override
    public boolean inUse(UUID tenantId, UUID templateId) {
        return inUse.contains(templateId);
    }
}
