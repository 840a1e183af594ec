package dev.canopy.provisioning;

import java.util.UUID;

/**
 * A deployment's drift check found that what is deployed no longer matches its template version: {@code changes}
 * changes would bring it back. Published (in the check's transaction) when a deployment becomes drifted.
 */
public record DeploymentDrifted(UUID tenantId, UUID deploymentId, String deploymentName, int changes) {
}
