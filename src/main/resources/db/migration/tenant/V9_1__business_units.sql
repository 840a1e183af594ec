-- Business units inside a tenant: members hold one role each there, groups may be scoped to one, and a
-- session may work in one of them at a time.
create table business_units (
    tenant_id   uuid        not null references platform.tenants (id),
    id          uuid        not null,
    code        text        not null check (code ~ '^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$'),
    name        text        not null check (length(name) between 1 and 100),
    owner_id    uuid        references platform.users (id),
    created_at  timestamptz not null default now(),
    updated_at  timestamptz not null default now(),
    version     bigint      not null default 0,
    primary key (tenant_id, id)
);
create unique index business_units_code on business_units (tenant_id, lower(code));

create table business_unit_members (
    tenant_id         uuid        not null,
    business_unit_id  uuid        not null,
    user_id           uuid        not null references platform.users (id),
    role_key          text        not null check (length(role_key) <= 64),
    added_at          timestamptz not null default now(),
    primary key (tenant_id, business_unit_id, user_id),
    foreign key (tenant_id, business_unit_id) references business_units (tenant_id, id) on delete cascade
);
create index business_unit_members_user on business_unit_members (tenant_id, user_id);

-- a group scoped to a business unit gives its roles only there; deleting the unit deletes its groups
alter table groups add column business_unit_id uuid;
alter table groups add foreign key (tenant_id, business_unit_id) references business_units (tenant_id, id)
    on delete cascade;

-- the business unit a session works in (sessions are the identity module's; this is access's own record)
create table session_business_units (
    tenant_id         uuid        not null,
    session_id        uuid        not null,
    business_unit_id  uuid        not null,
    chosen_at         timestamptz not null default now(),
    primary key (tenant_id, session_id),
    foreign key (tenant_id, business_unit_id) references business_units (tenant_id, id) on delete cascade
);

alter table business_units enable row level security;
alter table business_units force row level security;
create policy tenant_isolation on business_units
    using (tenant_id = (select nullif(current_setting('canopy.tenant_id', true), '')::uuid));

alter table business_unit_members enable row level security;
alter table business_unit_members force row level security;
create policy tenant_isolation on business_unit_members
    using (tenant_id = (select nullif(current_setting('canopy.tenant_id', true), '')::uuid));

alter table session_business_units enable row level security;
alter table session_business_units force row level security;
create policy tenant_isolation on session_business_units
    using (tenant_id = (select nullif(current_setting('canopy.tenant_id', true), '')::uuid));
