/**
 * Canopy and other systems: outgoing webhooks, incoming GitHub webhooks, and domain events exported to Kafka.
 */
@NullMarked
package dev.canopy.integration;

import org.jspecify.annotations.NullMarked;
