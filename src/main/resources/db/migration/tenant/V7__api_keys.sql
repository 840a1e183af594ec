-- API keys: service principals of one tenant with the roles they were given, for automation and CI.
create table api_keys (
    tenant_id     uuid        not null references platform.tenants (id),
    id            uuid        not null,
    name          text        not null check (length(name) between 1 and 100),
    prefix        text        not null check (length(prefix) = 8),
    roles         text[]      not null check (cardinality(roles) between 1 and 20),
    created_by    uuid,
    created_at    timestamptz not null default now(),
    expires_at    timestamptz,
    last_used_at  timestamptz,
    revoked_at    timestamptz,
    primary key (tenant_id, id)
);
-- names are unique among a tenant's live keys
create unique index api_keys_name on api_keys (tenant_id, lower(name)) where revoked_at is null;

alter table api_keys enable row level security;
alter table api_keys force row level security;

create policy tenant_isolation on api_keys
    using (tenant_id = (select nullif(current_setting('canopy.tenant_id', true), '')::uuid));
