/**
 * The audit log: every change and security event, hash-chained per tenant. Modules name what a request
 * does with {@link Audited} or {@link AuditTrail}; the module records it in the request's transaction.
 */
@NullMarked
package dev.canopy.audit;

import org.jspecify.annotations.NullMarked;
