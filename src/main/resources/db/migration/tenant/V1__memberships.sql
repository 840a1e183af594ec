-- Tenant-owned tables: tenant_id leads every key; row-level security is enabled and forced.
grant usage on schema tenant to ${app_role};
alter default privileges in schema tenant grant select, insert, update, delete on tables to ${app_role};

create table memberships (
    tenant_id   uuid        not null references platform.tenants (id),
    user_id     uuid        not null references platform.users (id),
    roles       text[]      not null check (cardinality(roles) between 1 and 20),
    is_primary  boolean     not null default false,
    created_at  timestamptz not null default now(),
    primary key (tenant_id, user_id)
);
create index memberships_user on memberships (user_id);
-- At most one primary membership per user; the application keeps "exactly one when any".
create unique index memberships_one_primary on memberships (user_id) where is_primary;

alter table memberships enable row level security;
alter table memberships force row level security;

create policy tenant_isolation on memberships
    using (tenant_id = (select nullif(current_setting('canopy.tenant_id', true), '')::uuid));

-- A user sees their own memberships across tenants (login, /me, switching) ...
create policy member_reads_own on memberships for select
    using (user_id = (select nullif(current_setting('canopy.user_id', true), '')::uuid));

-- ... and may move their primary flag, but nothing else, outside the tenant's scope.
create policy member_moves_primary on memberships for update
    using (user_id = (select nullif(current_setting('canopy.user_id', true), '')::uuid))
    with check (user_id = (select nullif(current_setting('canopy.user_id', true), '')::uuid));

create function guard_membership_update() returns trigger language plpgsql as $$
begin
    if new.tenant_id is distinct from nullif(current_setting('canopy.tenant_id', true), '')::uuid
       and (new.roles is distinct from old.roles or new.tenant_id <> old.tenant_id or new.user_id <> old.user_id) then
        raise exception 'outside its tenant scope only a membership''s primary flag may change'
            using errcode = '42501';
    end if;
    return new;
end
$$;

create trigger memberships_guard before update on memberships
    for each row execute function guard_membership_update();
