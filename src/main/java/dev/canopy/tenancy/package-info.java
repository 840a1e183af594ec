/** Tenants: the MSP and its client tenants, their lifecycle, and the platform's first start. */
@NullMarked
package dev.canopy.tenancy;

import org.jspecify.annotations.NullMarked;
