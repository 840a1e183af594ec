/**
 * Outgoing webhooks: a tenant's receivers of its domain events, the deliveries fanned out to them from the outbox,
 * and the worker that signs and sends them with retries.
 */
@NullMarked
package dev.canopy.integration.internal.webhooks;

import org.jspecify.annotations.NullMarked;
