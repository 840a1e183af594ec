/**
 * Provisioning: a tenant's environments with their protection rules, deployments of pinned template versions, and
 * the runs that plan, apply and destroy them, with approvals, checkpointed steps and live logs. Runs are executed by
 * a job engine on a PostgreSQL queue (leases, heartbeats, LISTEN/NOTIFY wake-up, retries, dead letters) through
 * drivers (Ansible first). Served at {@code /api/v1/environments}, {@code /api/v1/deployments},
 * {@code /api/v1/runs} and {@code /api/v1/approvals}.
 */
@NullMarked
package dev.canopy.provisioning;

import org.jspecify.annotations.NullMarked;
