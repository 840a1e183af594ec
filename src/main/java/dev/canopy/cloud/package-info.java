/**
 * Cloud accounts: a tenant's connections to AWS, Azure, GCP and Kubernetes clusters, with credentials that are
 * write-only (sealed by the secrets module, shown only as configured with a masked hint) and a test that
 * checks them against the provider for real. Served at {@code /api/v1/cloud-accounts}.
 */
@NullMarked
package dev.canopy.cloud;

import org.jspecify.annotations.NullMarked;
