-- Control-plane tables. The runtime role reads and writes them; it owns nothing.
grant usage on schema platform to ${app_role};
alter default privileges in schema platform grant select, insert, update, delete on tables to ${app_role};

create table tenants (
    id               uuid primary key,
    name             text        not null check (length(name) between 1 and 200),
    slug             text        not null unique check (slug ~ '^[a-z0-9][a-z0-9-]{1,62}$'),
    status           text        not null default 'active' check (status in ('active', 'suspended', 'deleted')),
    parent_tenant_id uuid references tenants (id),
    region           text check (length(region) <= 100),
    created_at       timestamptz not null default now(),
    updated_at       timestamptz not null default now(),
    version          bigint      not null default 0
);
create index tenants_parent on tenants (parent_tenant_id) where parent_tenant_id is not null;

create table users (
    id                uuid primary key,
    email             text        not null check (length(email) <= 320),
    full_name         text        not null check (length(full_name) <= 200),
    password_hash     text,
    is_active         boolean     not null default true,
    is_platform_admin boolean     not null default false,
    created_at        timestamptz not null default now(),
    updated_at        timestamptz not null default now(),
    version           bigint      not null default 0
);
create unique index users_email on users (lower(email));

create table sessions (
    id                        uuid primary key,
    user_id                   uuid        not null references users (id),
    tenant_id                 uuid        not null references tenants (id),
    acting_as_platform_admin  boolean     not null default false,
    created_at                timestamptz not null default now(),
    last_seen_at              timestamptz not null default now(),
    expires_at                timestamptz not null,
    revoked_at                timestamptz,
    ip                        text,
    user_agent                text
);
create index sessions_user on sessions (user_id);

-- Refresh tokens are 256-bit random values; only their SHA-256 is kept.
create table refresh_tokens (
    token_hash  bytea primary key,
    session_id  uuid        not null references sessions (id),
    issued_at   timestamptz not null default now(),
    expires_at  timestamptz not null,
    rotated_at  timestamptz
);
create index refresh_tokens_session on refresh_tokens (session_id);

create table signing_keys (
    kid         text primary key,
    algorithm   text        not null,
    jwk         text        not null,
    created_at  timestamptz not null default now(),
    retired_at  timestamptz
);
