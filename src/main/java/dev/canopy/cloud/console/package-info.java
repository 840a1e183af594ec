/**
 * The console's cloud account pages: list, connect, change, test and remove accounts, through the same use cases
 * and checks as the API. Credentials are write-only here too: no page ever carries them back.
 */
@NullMarked
package dev.canopy.cloud.console;

import org.jspecify.annotations.NullMarked;
