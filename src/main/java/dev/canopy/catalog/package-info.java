/**
 * The template catalog: a tenant's templates with immutable versions uploaded as ZIP archives (a {@code canopy.yaml}
 * manifest with JSON Schema inputs plus the driver's files), locking with access requests and grants, and an MSP's
 * shares to its client tenants. Served at {@code /api/v1/templates} and {@code /api/v1/access-requests};
 * {@link dev.canopy.catalog.TemplateCatalog} is what other modules (provisioning) use.
 */
@NullMarked
package dev.canopy.catalog;

import org.jspecify.annotations.NullMarked;
