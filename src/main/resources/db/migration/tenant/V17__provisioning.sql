-- Provisioning: environments with their protection rules, deployments of pinned template versions, the runs that
-- change them (with their checkpointed steps, approvals and log lines). Every table is tenant data under forced
-- row-level security.
create table environments (
    tenant_id           uuid        not null references platform.tenants (id),
    id                  uuid        not null,
    name                text        not null check (name ~ '^[a-z0-9][a-z0-9_-]{0,39}$'),
    description         text        not null default '' check (length(description) <= 500),
    cloud_account_id    uuid,
    business_unit_id    uuid,
    required_approvals  integer     not null default 0 check (required_approvals between 0 and 10),
    approver_roles      text[]      not null default '{}',
    allow_self_approval boolean     not null default false,
    approval_timeout    interval    not null default interval 'P2D',
    ttl_default         interval,
    ttl_max             interval,
    required_tags       text[]      not null default '{}',
    created_at          timestamptz not null default now(),
    updated_at          timestamptz not null default now(),
    version             bigint      not null default 0,
    primary key (tenant_id, id),
    foreign key (tenant_id, cloud_account_id) references cloud_accounts (tenant_id, id)
);
create unique index environments_name on environments (tenant_id, name);

create table deployments (
    tenant_id           uuid        not null references platform.tenants (id),
    id                  uuid        not null,
    name                text        not null check (length(name) between 1 and 100),
    template_owner_id   uuid        not null,
    template_id         uuid        not null,
    template_name       text        not null,
    driver              text        not null,
    template_version    text        not null,
    template_digest     text        not null,
    environment_id      uuid        not null,
    business_unit_id    uuid,
    owner_id            uuid        not null,
    owner_email         text        not null,
    -- shown: the inputs with secrets masked; used: all of them, sealed with the secrets module
    inputs              jsonb       not null,
    sealed_inputs       bytea       not null,
    secret_pointers     text[]      not null default '{}',
    tags                jsonb       not null default '{}',
    cost_center         text        check (length(cost_center) <= 100),
    project_code        text        check (length(project_code) <= 100),
    status              text        not null default 'pending'
                                    check (status in ('pending', 'active', 'failed', 'destroying', 'destroyed')),
    expires_at          timestamptz,
    outputs             jsonb       not null default '{}',
    idempotency_key     text        check (length(idempotency_key) <= 200),
    request_hash        text,
    created_at          timestamptz not null default now(),
    updated_at          timestamptz not null default now(),
    version             bigint      not null default 0,
    search_text         text        generated always as (lower(name || ' ' || template_name)) stored,
    primary key (tenant_id, id),
    foreign key (tenant_id, environment_id) references environments (tenant_id, id)
);
create unique index deployments_live_name on deployments (tenant_id, lower(name)) where status <> 'destroyed';
create unique index deployments_idempotency on deployments (tenant_id, owner_id, idempotency_key)
    where idempotency_key is not null;
create index deployments_tags on deployments using gin (tags jsonb_path_ops);
create index deployments_environment on deployments (tenant_id, environment_id, id);
create index deployments_template on deployments (tenant_id, template_id) where status <> 'destroyed';
create index deployments_expiring on deployments (expires_at) where status = 'active' and expires_at is not null;

create table runs (
    tenant_id           uuid        not null,
    id                  uuid        not null,
    deployment_id       uuid        not null,
    kind                text        not null check (kind in ('apply', 'destroy', 'plan')),
    state               text        not null default 'queued'
                                    check (state in ('queued', 'planning', 'awaiting_approval', 'approved', 'applying',
                                        'succeeded', 'failed', 'dead_letter', 'rejected', 'expired',
                                        'cancel_requested', 'canceling', 'canceled')),
    requested_by        uuid,
    requested_by_email  text        not null,
    replay_of           uuid,
    -- the protection in force when the run was requested: a later change of the environment does not move it
    required_approvals  integer     not null default 0,
    approver_roles      text[]      not null default '{}',
    allow_self_approval boolean     not null default false,
    approval_timeout    interval    not null default interval 'P2D',
    approval_deadline   timestamptz,
    plan                jsonb,
    plan_digest         text,
    attempts            integer     not null default 0,
    error               text,
    created_at          timestamptz not null default now(),
    started_at          timestamptz,
    finished_at         timestamptz,
    updated_at          timestamptz not null default now(),
    primary key (tenant_id, id),
    foreign key (tenant_id, deployment_id) references deployments (tenant_id, id)
);
create index runs_deployment on runs (tenant_id, deployment_id, created_at);
create index runs_awaiting on runs (tenant_id, state) where state = 'awaiting_approval';
create index runs_deadline on runs (approval_deadline) where state = 'awaiting_approval';

-- a step's checkpoint: a retry skips the steps that succeeded and resumes at the one that failed
create table run_steps (
    tenant_id   uuid        not null,
    run_id      uuid        not null,
    name        text        not null,
    state       text        not null check (state in ('running', 'succeeded', 'failed')),
    attempts    integer     not null default 1,
    result      jsonb,
    started_at  timestamptz not null default now(),
    finished_at timestamptz,
    primary key (tenant_id, run_id, name),
    foreign key (tenant_id, run_id) references runs (tenant_id, id)
);

-- an approval approves one plan: a new plan (another digest) leaves earlier approvals behind
create table run_approvals (
    tenant_id       uuid        not null,
    run_id          uuid        not null,
    approver_id     uuid        not null,
    approver_email  text        not null,
    decision        text        not null check (decision in ('approve', 'reject')),
    comment         text        not null default '' check (length(comment) <= 1000),
    plan_digest     text        not null,
    decided_at      timestamptz not null default now(),
    primary key (tenant_id, run_id, plan_digest, approver_id),
    foreign key (tenant_id, run_id) references runs (tenant_id, id)
);

-- what a driver wrote, redacted before it got here; lines are appended, never changed
create table run_logs (
    tenant_id   uuid        not null,
    run_id      uuid        not null,
    seq         bigint      not null,
    at          timestamptz not null,
    stream      text        not null check (stream in ('stdout', 'stderr', 'system')),
    level       text        not null check (level in ('debug', 'info', 'warn', 'error')),
    text        text        not null,
    primary key (tenant_id, run_id, seq)
);
revoke update on run_logs from ${app_role};

-- every tenant that exists has the three environments a new tenant gets (before row-level security binds the owner)
insert into environments (tenant_id, id, name, description, required_approvals, approver_roles, ttl_default)
select t.id, gen_random_uuid(), e.name, e.description, e.approvals, e.roles, e.ttl
  from platform.tenants t
 cross join (values ('development', 'For trying things out', 0, '{}'::text[], interval 'P7D'),
                    ('staging', 'For testing before production', 0, '{}'::text[], null::interval),
                    ('production', 'What customers use', 1, '{tenant_admin}'::text[], null::interval)) as e(name, description, approvals, roles, ttl);

alter table environments enable row level security;
alter table environments force row level security;
alter table deployments enable row level security;
alter table deployments force row level security;
alter table runs enable row level security;
alter table runs force row level security;
alter table run_steps enable row level security;
alter table run_steps force row level security;
alter table run_approvals enable row level security;
alter table run_approvals force row level security;
alter table run_logs enable row level security;
alter table run_logs force row level security;

create policy tenant_isolation on environments
    using (tenant_id = (select nullif(current_setting('canopy.tenant_id', true), '')::uuid));
create policy tenant_isolation on deployments
    using (tenant_id = (select nullif(current_setting('canopy.tenant_id', true), '')::uuid));
create policy tenant_isolation on runs
    using (tenant_id = (select nullif(current_setting('canopy.tenant_id', true), '')::uuid));
create policy tenant_isolation on run_steps
    using (tenant_id = (select nullif(current_setting('canopy.tenant_id', true), '')::uuid));
create policy tenant_isolation on run_approvals
    using (tenant_id = (select nullif(current_setting('canopy.tenant_id', true), '')::uuid));
create policy tenant_isolation on run_logs
    using (tenant_id = (select nullif(current_setting('canopy.tenant_id', true), '')::uuid));
