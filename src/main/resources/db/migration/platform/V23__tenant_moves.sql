-- Where a tenant's rows are, read as a tenant transaction enters the tenant's scope: after taking the tenant's data
-- lock shared (a live move takes it exclusively for its switch), in a statement of its own inside this function, so
-- that a transaction that waited for a move's switch sees the placement the move committed, not the one its first
-- statement's snapshot held.
create function tenant_placement(p_tenant uuid, out schema_name text, out version text)
    language plpgsql volatile as $$
begin
    if p_tenant is null then
        return;
    end if;
    perform pg_advisory_xact_lock_shared(hashtextextended('tenant-data:' || p_tenant::text, 0));
    select s.schema_name, s.version into schema_name, version
      from platform.tenant_schemas s where s.tenant_id = p_tenant;
end
$$;

-- Live moves of a tenant between the pool and a schema of its own (issue 18): progress, the write-blocking window
-- measured, and until when the source is kept.
create table tenant_moves (
    id                  uuid        primary key,
    tenant_id           uuid        not null references tenants (id),
    from_tier           text        not null,
    to_tier             text        not null,
    status              text        not null check (status in ('copying', 'switching', 'done', 'failed')),
    rows_copied         bigint      not null default 0,
    tables              jsonb       not null default '{}',
    write_blocked_ms    integer,
    error               text,
    requested_by        uuid,
    started_at          timestamptz not null default now(),
    finished_at         timestamptz,
    source_schema       text,
    keep_source_until   timestamptz,
    source_dropped_at   timestamptz
);
create unique index tenant_moves_one_at_a_time on tenant_moves (tenant_id) where status in ('copying', 'switching');
create index tenant_moves_sources_kept on tenant_moves (keep_source_until) where source_dropped_at is null
    and status = 'done';
