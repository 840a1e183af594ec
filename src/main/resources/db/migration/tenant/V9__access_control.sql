-- Access control: custom roles, groups and direct per-user grants and denies, all tenant data.

-- Custom roles. Built-in roles live in code; a custom role's key (in memberships and groups) is its id.
create table roles (
    tenant_id    uuid        not null references platform.tenants (id),
    id           uuid        not null,
    name         text        not null check (length(name) between 1 and 100),
    description  text        not null default '' check (length(description) <= 500),
    permissions  text[]      not null check (cardinality(permissions) <= 500),
    created_at   timestamptz not null default now(),
    updated_at   timestamptz not null default now(),
    version      bigint      not null default 0,
    primary key (tenant_id, id)
);
create unique index roles_name on roles (tenant_id, lower(name));

create table groups (
    tenant_id    uuid        not null references platform.tenants (id),
    id           uuid        not null,
    name         text        not null check (length(name) between 1 and 100),
    description  text        not null default '' check (length(description) <= 500),
    created_at   timestamptz not null default now(),
    updated_at   timestamptz not null default now(),
    version      bigint      not null default 0,
    primary key (tenant_id, id)
);
create unique index groups_name on groups (tenant_id, lower(name));

create table group_members (
    tenant_id  uuid        not null,
    group_id   uuid        not null,
    user_id    uuid        not null references platform.users (id),
    added_at   timestamptz not null default now(),
    primary key (tenant_id, group_id, user_id),
    foreign key (tenant_id, group_id) references groups (tenant_id, id) on delete cascade
);
create index group_members_user on group_members (tenant_id, user_id);

-- role_key: a built-in role's key or a custom role's id (as text), like memberships.roles
create table group_roles (
    tenant_id  uuid        not null,
    group_id   uuid        not null,
    role_key   text        not null check (length(role_key) <= 64),
    added_at   timestamptz not null default now(),
    primary key (tenant_id, group_id, role_key),
    foreign key (tenant_id, group_id) references groups (tenant_id, id) on delete cascade
);
create index group_roles_role on group_roles (tenant_id, role_key);

-- One direct decision per user and permission pattern: allow or deny, optionally until a time.
create table user_permissions (
    tenant_id   uuid        not null references platform.tenants (id),
    user_id     uuid        not null references platform.users (id),
    permission  text        not null check (length(permission) <= 200),
    effect      text        not null check (effect in ('allow', 'deny')),
    expires_at  timestamptz,
    created_by  uuid,
    created_at  timestamptz not null default now(),
    primary key (tenant_id, user_id, permission)
);

alter table roles enable row level security;
alter table roles force row level security;
create policy tenant_isolation on roles
    using (tenant_id = (select nullif(current_setting('canopy.tenant_id', true), '')::uuid));

alter table groups enable row level security;
alter table groups force row level security;
create policy tenant_isolation on groups
    using (tenant_id = (select nullif(current_setting('canopy.tenant_id', true), '')::uuid));

alter table group_members enable row level security;
alter table group_members force row level security;
create policy tenant_isolation on group_members
    using (tenant_id = (select nullif(current_setting('canopy.tenant_id', true), '')::uuid));

alter table group_roles enable row level security;
alter table group_roles force row level security;
create policy tenant_isolation on group_roles
    using (tenant_id = (select nullif(current_setting('canopy.tenant_id', true), '')::uuid));

alter table user_permissions enable row level security;
alter table user_permissions force row level security;
create policy tenant_isolation on user_permissions
    using (tenant_id = (select nullif(current_setting('canopy.tenant_id', true), '')::uuid));
