-- Tenants whose rows live in a schema of their own (the schema tier of issue 18) rather than in the pooled schema
-- `tenant`. A tenant without a row here is in the pool. `version` is the last tenant migration the schema has; a
-- schema behind the pool's is migrated in the background and its tenant's requests wait (503) until it catches up.
create table tenant_schemas (
    tenant_id   uuid        primary key references tenants (id) on delete cascade,
    schema_name text        not null unique check (schema_name ~ '^t_[0-9a-f]{32}$'),
    version     text        not null,
    failure     text,
    created_at  timestamptz not null default now(),
    updated_at  timestamptz not null default now()
);

-- Which tenant schemas hold a user's memberships: signing in lists a user's tenants without visiting every schema.
-- Kept by a trigger on each tenant schema's memberships (the pool's are found there directly).
create table member_locations (
    user_id     uuid not null,
    tenant_id   uuid not null,
    schema_name text not null,
    primary key (user_id, tenant_id)
);

create function locate_member() returns trigger
    language plpgsql security definer set search_path = platform, pg_temp as $$
begin
    if tg_table_schema = 'tenant' then
        return null;
    end if;
    if tg_op = 'INSERT' then
        insert into member_locations (user_id, tenant_id, schema_name)
        values (new.user_id, new.tenant_id, tg_table_schema)
        on conflict do nothing;
    else
        delete from member_locations where user_id = old.user_id and tenant_id = old.tenant_id;
    end if;
    return null;
end
$$;
-- the runtime role reads the index; only the trigger writes it
revoke insert, update, delete on member_locations from ${app_role};

-- A tenant's placement as chosen at its creation: the tier, the region its data stays in and the server holding it
-- (null for tenants created before placements: the pool on the server 'local', in the default region).
alter table tenants
    add column tier             text not null default 'pool' check (tier in ('pool', 'schema', 'database')),
    add column placement_region text,
    add column server_id        uuid references database_servers (id);
create index tenants_by_server on tenants (server_id) where server_id is not null;
