-- The job queue of the provisioning engine. A job is enqueued in the transaction of the change that needs it, so
-- it exists if and only if that change committed. Workers claim with FOR UPDATE SKIP LOCKED and hold a lease they
-- renew by heartbeat; a job whose lease ran out (its worker died) is claimed again. Jobs of every tenant share the
-- queue, so it is platform data; what a job acts on stays in the tenant's rows under row-level security. A job
-- also serves as a timer: it waits until run_at (an approval deadline, a TTL).
create table provisioning_jobs (
    id              uuid        primary key,
    tenant_id       uuid        not null references tenants (id),
    -- 'run': execute the run's next step; 'expire': destroy the deployment whose TTL ends at run_at
    kind            text        not null check (kind in ('run', 'expire')),
    subject_id      uuid        not null,
    state           text        not null default 'queued' check (state in ('queued', 'running')),
    attempts        integer     not null default 0,
    max_attempts    integer     not null check (max_attempts >= 1),
    run_at          timestamptz not null default now(),
    lease_owner     text,
    lease_until     timestamptz,
    last_error      text,
    -- asked for again while a worker held it: when that worker lets it go to wait, it is due at once instead
    wake            boolean     not null default false,
    enqueued_at     timestamptz not null default now()
);
-- what a claim looks at: due queued jobs, and running ones whose lease has run out
create index provisioning_jobs_due on provisioning_jobs (run_at) where state = 'queued';
create index provisioning_jobs_leases on provisioning_jobs (lease_until) where state = 'running';
-- one job per subject at a time: a run is executed by one worker or none
create unique index provisioning_jobs_subject on provisioning_jobs (tenant_id, kind, subject_id);
