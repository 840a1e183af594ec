/**
 * Domain events: what a module publishes ({@link dev.canopy.platform.events.DomainEvent}), and the envelope its
 * listeners get through Spring Modulith's event publication registry, the transactional outbox.
 */
@NullMarked
package dev.canopy.platform.events;

import org.jspecify.annotations.NullMarked;
