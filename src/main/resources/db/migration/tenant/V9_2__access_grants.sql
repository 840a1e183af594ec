-- MSP delegation: a client tenant grants another tenant (its MSP) a role here. Members of the grantee who
-- hold grantee_role there act in this tenant with role_key, without being members; this tenant owns and
-- sees the grants.
create table access_grants (
    tenant_id          uuid        not null references platform.tenants (id),
    id                 uuid        not null,
    grantee_tenant_id  uuid        not null references platform.tenants (id),
    role_key           text        not null check (length(role_key) <= 64),
    grantee_role       text        not null check (length(grantee_role) <= 64),
    expires_at         timestamptz,
    created_by         uuid,
    created_at         timestamptz not null default now(),
    revoked_at         timestamptz,
    primary key (tenant_id, id),
    check (grantee_tenant_id <> tenant_id)
);
create index access_grants_grantee on access_grants (tenant_id, grantee_tenant_id) where revoked_at is null;

-- the grant a delegated session works under (sessions are the identity module's)
create table session_delegations (
    tenant_id        uuid        not null,
    session_id       uuid        not null,
    grant_id         uuid        not null,
    via_tenant_id    uuid        not null,
    started_at       timestamptz not null default now(),
    primary key (tenant_id, session_id),
    foreign key (tenant_id, grant_id) references access_grants (tenant_id, id)
);

alter table access_grants enable row level security;
alter table access_grants force row level security;
create policy tenant_isolation on access_grants
    using (tenant_id = (select nullif(current_setting('canopy.tenant_id', true), '')::uuid));

alter table session_delegations enable row level security;
alter table session_delegations force row level security;
create policy tenant_isolation on session_delegations
    using (tenant_id = (select nullif(current_setting('canopy.tenant_id', true), '')::uuid));
