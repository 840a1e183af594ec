-- Drift detection: an environment may check its deployments on a schedule with a plan-only run; the deployment keeps
-- what the last check found.
alter table environments add column drift_check interval;
alter table deployments add column drift_status text check (drift_status in ('in_sync', 'drifted', 'check_failed'));
alter table deployments add column drift_changes jsonb;
alter table deployments add column drift_checked_at timestamptz;
create index deployments_drifted on deployments (tenant_id, id) where drift_status = 'drifted';
