-- The data placement registry: PostgreSQL servers tenants' data may live on (issue 18). Credentials are sealed with
-- the secrets module (binding platform/database_servers/<id>); user names are not secret. Health is what the last
-- check found: reachable with both roles, the server's version, and a runtime role that cannot bypass row-level
-- security.
create table database_servers (
    id                      uuid        primary key,
    name                    text        not null unique,
    region                  text        not null,
    jdbc_url                text        not null,
    owner_user              text        not null,
    sealed_owner_password   bytea       not null,
    runtime_user            text        not null,
    sealed_runtime_password bytea       not null,
    role                    text        not null check (role in ('primary', 'replica')),
    capacity                integer     not null check (capacity >= 0),
    health                  text        not null default 'unknown'
        check (health in ('unknown', 'healthy', 'unreachable', 'credentials_invalid', 'rls_bypass')),
    health_detail           text,
    server_version          text,
    checked_at              timestamptz,
    created_at              timestamptz not null default now(),
    updated_at              timestamptz not null default now(),
    version                 bigint      not null default 0
);
