-- Invitations to join a tenant. The token that accepts one is found through platform.invitation_tokens.
create table invitations (
    tenant_id    uuid        not null references platform.tenants (id),
    id           uuid        not null,
    email        text        not null check (length(email) between 3 and 320),
    roles        text[]      not null check (cardinality(roles) between 1 and 20),
    invited_by   uuid,
    created_at   timestamptz not null default now(),
    expires_at   timestamptz not null,
    accepted_at  timestamptz,
    accepted_by  uuid references platform.users (id),
    revoked_at   timestamptz,
    primary key (tenant_id, id),
    check (accepted_at is null or revoked_at is null)
);
create index invitations_email on invitations (tenant_id, lower(email)) where accepted_at is null and revoked_at is null;

alter table invitations enable row level security;
alter table invitations force row level security;

create policy tenant_isolation on invitations
    using (tenant_id = (select nullif(current_setting('canopy.tenant_id', true), '')::uuid));
