/**
 * Envelope encryption of every secret Canopy keeps. Other modules {@link Secrets#seal seal} a secret bound
 * to its owner (a tenant or the platform), table and record id, store the ciphertext themselves and
 * {@link Secrets#open open} it when needed; a ciphertext copied anywhere else does not open.
 */
@NullMarked
package dev.canopy.secrets;

import org.jspecify.annotations.NullMarked;
