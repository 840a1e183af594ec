/**
 * The audit log: every change and security event, hash-chained per tenant. Modules name what a request
 * does with {@link Audited} or {@link AuditTrail}; the module records it in the request's transaction.
 * It serves {@code /api/v1/audit-events} (search, export, verify), verifies every chain daily (publishing
 * {@link AuditChainBroken} on a break) and archives events past each tenant's {@link AuditRetention}.
 */
@NullMarked
package dev.canopy.audit;

import org.jspecify.annotations.NullMarked;
