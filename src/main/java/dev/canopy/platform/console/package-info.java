/**
 * The web console's shared kit: what every module's console pages use (the controller stereotype,
 * navigation entries, dashboard counts, form errors). The frame and the sessions behind it live in identity.
 */
@NullMarked
package dev.canopy.platform.console;

import org.jspecify.annotations.NullMarked;
