/**
 * Shared kernel: ids, database access and tenant scoping, problem+json errors, paging and the
 * authenticated principal. Open to every module.
 */
@ApplicationModule(type = ApplicationModule.Type.OPEN)
@NullMarked
package dev.canopy.platform;

import org.jspecify.annotations.NullMarked;
import org.springframework.modulith.ApplicationModule;
