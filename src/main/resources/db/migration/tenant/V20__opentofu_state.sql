-- The OpenTofu/Terraform driver: Canopy keeps each deployment's state (served to the engine as its http backend,
-- with the engine's lock) and the plan file an apply run made in its plan step, until its apply step applies exactly
-- that file. State and plans hold secrets (inputs, provider attributes), so both are sealed with the secrets module.
create table opentofu_states (
    tenant_id       uuid        not null,
    deployment_id   uuid        not null,
    sealed_state    bytea,
    -- from the state document: which history it belongs to and how far it is, shown without opening it
    lineage         text,
    serial          bigint,
    -- the engine's lock: its id and the lock info it sent (who, which operation), and the run that took it
    lock_id         text        check (length(lock_id) <= 200),
    lock_info       jsonb,
    lock_run_id     uuid,
    locked_at       timestamptz,
    updated_at      timestamptz not null default now(),
    primary key (tenant_id, deployment_id),
    foreign key (tenant_id, deployment_id) references deployments (tenant_id, id)
);

create table opentofu_plans (
    tenant_id       uuid        not null,
    run_id          uuid        not null,
    deployment_id   uuid        not null,
    sealed_plan     bytea       not null,
    created_at      timestamptz not null default now(),
    primary key (tenant_id, run_id),
    foreign key (tenant_id, run_id) references runs (tenant_id, id)
);
create index opentofu_plans_deployment on opentofu_plans (tenant_id, deployment_id);

alter table opentofu_states enable row level security;
alter table opentofu_states force row level security;
alter table opentofu_plans enable row level security;
alter table opentofu_plans force row level security;

create policy tenant_isolation on opentofu_states
    using (tenant_id = (select nullif(current_setting('canopy.tenant_id', true), '')::uuid));
create policy tenant_isolation on opentofu_plans
    using (tenant_id = (select nullif(current_setting('canopy.tenant_id', true), '')::uuid));
