-- Tenant schema migrations a platform administrator asked for (issue 18): a job over a set of schemas, migrated in
-- batches, at most max_parallel at once, each schema in one owner transaction. `done` counts the schemas finished,
-- succeeded or failed; `failed` those that failed.
create table migration_jobs (
    id           uuid        primary key,
    status       text        not null check (status in ('running', 'succeeded', 'failed', 'partially_failed')),
    dry_run      boolean     not null,
    scope        text        not null check (scope in ('all', 'server', 'tenant')),
    ids          uuid[]      not null default '{}',
    batch_size   integer     not null check (batch_size between 1 and 1000),
    max_parallel integer     not null check (max_parallel between 1 and 8),
    total        integer     not null,
    done         integer     not null default 0,
    failed       integer     not null default 0,
    requested_by uuid,
    -- the caller's Idempotency-Key and what it asked for: the same key and request answer the same job
    idempotency_key text,
    request      text        not null,
    started_at   timestamptz not null default now(),
    finished_at  timestamptz
);
create unique index migration_jobs_by_idempotency_key on migration_jobs (requested_by, idempotency_key)
    where idempotency_key is not null;
create index migration_jobs_running on migration_jobs (started_at) where status = 'running';

-- One schema of a job: where it started, where it ended, what ran (or, in a dry run, would run) and why it failed.
create table migration_job_items (
    job_id       uuid    not null references migration_jobs (id) on delete cascade,
    position     integer not null,
    tenant_id    uuid    not null,
    schema_name  text    not null,
    status       text    not null check (status in ('pending', 'running', 'succeeded', 'failed', 'planned')),
    from_version text    not null,
    to_version   text,
    versions     text[]  not null default '{}',
    error        text,
    finished_at  timestamptz,
    primary key (job_id, position)
);
