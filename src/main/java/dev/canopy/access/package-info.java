/** Permissions, roles and the decision of what a principal may do. */
@NullMarked
package dev.canopy.access;

import org.jspecify.annotations.NullMarked;
