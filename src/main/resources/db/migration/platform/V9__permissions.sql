-- The permission registry as declared in code, rewritten at every start-up: reports and SQL can join it.
create table permissions (
    name        text primary key,
    description text        not null,
    category    text        not null,
    level       text        not null check (level in ('platform', 'tenant')),
    qualifiers  text[]      not null default '{}',
    synced_at   timestamptz not null default now()
);
