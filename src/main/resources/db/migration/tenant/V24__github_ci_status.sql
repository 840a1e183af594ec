-- Incoming GitHub webhooks (issue 17): a deployment may name the GitHub repository and branch it is built from, and
-- keeps the CI status the last workflow_run or check_suite delivery for them reported. The tenant's webhook secret is
-- sealed with the secrets module; delivery ids are kept for a while so that a redelivery is not applied twice.
alter table deployments add column repository text
    check (length(repository) between 3 and 140 and repository ~ '^[A-Za-z0-9-]+/[A-Za-z0-9._-]+$');
alter table deployments add column branch text check (length(branch) between 1 and 255);
alter table deployments add constraint deployments_repository_and_branch
    check ((repository is null) = (branch is null));
alter table deployments add column ci_state text check (ci_state in ('requested', 'queued', 'pending', 'waiting',
    'in_progress', 'success', 'failure', 'cancelled', 'neutral', 'skipped', 'stale', 'timed_out', 'action_required',
    'startup_failure'));
alter table deployments add column ci_name text check (length(ci_name) <= 200);
alter table deployments add column ci_url text check (length(ci_url) <= 2000);
alter table deployments add column ci_head_sha text check (ci_head_sha ~ '^[0-9a-f]{40}([0-9a-f]{24})?$');
alter table deployments add column ci_updated_at timestamptz;
-- repository names are case-insensitive on GitHub, branch names are not
create index deployments_source on deployments (tenant_id, lower(repository), branch)
    where repository is not null and status <> 'destroyed';

create table github_hook_secrets (
    tenant_id       uuid        not null references platform.tenants (id),
    sealed_secret   bytea       not null,
    created_at      timestamptz not null default now(),
    updated_at      timestamptz not null default now(),
    primary key (tenant_id)
);

create table github_deliveries (
    tenant_id       uuid        not null,
    delivery_id     text        not null check (length(delivery_id) between 1 and 100),
    event           text        not null check (length(event) between 1 and 64),
    outcome         text        not null check (outcome in ('accepted', 'ignored')),
    received_at     timestamptz not null default now(),
    primary key (tenant_id, delivery_id)
);
create index github_deliveries_received on github_deliveries (tenant_id, received_at);

alter table github_hook_secrets enable row level security;
alter table github_hook_secrets force row level security;
alter table github_deliveries enable row level security;
alter table github_deliveries force row level security;
create policy tenant_isolation on github_hook_secrets
    using (tenant_id = (select nullif(current_setting('canopy.tenant_id', true), '')::uuid));
create policy tenant_isolation on github_deliveries
    using (tenant_id = (select nullif(current_setting('canopy.tenant_id', true), '')::uuid));
