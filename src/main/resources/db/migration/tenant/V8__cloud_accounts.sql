-- Cloud accounts: a tenant's connections to AWS, Azure, GCP or a Kubernetes cluster. The credentials are a
-- JSON object sealed by the secrets module (AES-256-GCM under the tenant's data key, bound to tenant, table and
-- id); only a masked hint is kept beside them for display.
create table cloud_accounts (
    tenant_id           uuid        not null references platform.tenants (id),
    id                  uuid        not null,
    name                text        not null check (length(name) between 1 and 100),
    provider            text        not null check (provider in ('aws', 'azure', 'gcp', 'kubernetes')),
    auth_type           text        not null check (length(auth_type) <= 40),
    settings            jsonb       not null default '{}',
    sealed_credentials  bytea       not null,
    credentials_hint    text        not null check (length(credentials_hint) <= 200),
    environments        text[]      not null default '{}',
    tags                jsonb       not null default '{}',
    last_test_at        timestamptz,
    last_test_ok        boolean,
    last_test_detail    text,
    created_by          uuid,
    created_at          timestamptz not null default now(),
    updated_at          timestamptz not null default now(),
    version             bigint      not null default 0,
    primary key (tenant_id, id)
);
create unique index cloud_accounts_name on cloud_accounts (tenant_id, lower(name));

alter table cloud_accounts enable row level security;
alter table cloud_accounts force row level security;

create policy tenant_isolation on cloud_accounts
    using (tenant_id = (select nullif(current_setting('canopy.tenant_id', true), '')::uuid));
