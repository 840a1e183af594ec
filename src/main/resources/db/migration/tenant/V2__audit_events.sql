-- Append-only audit log, hash-chained per tenant: hash = SHA-256(prev_hash || canonical JSON of the row).
create table audit_events (
    tenant_id            uuid        not null,
    seq                  bigint      not null,
    id                   uuid        not null,
    occurred_at          timestamptz not null,
    actor_type           text        not null,
    actor_id             uuid,
    actor_email          text,
    actor_via_tenant_id  uuid,
    action               text        not null,
    resource_type        text,
    resource_id          text,
    status               text        not null check (status in ('success', 'failure')),
    http_status          integer,
    ip                   text,
    user_agent           text,
    request_id           text,
    details              jsonb       not null default '{}',
    prev_hash            bytea       not null,
    hash                 bytea       not null,
    primary key (tenant_id, seq),
    unique (tenant_id, id)
);
create index audit_events_action on audit_events (tenant_id, action text_pattern_ops, seq);
create index audit_events_actor on audit_events (tenant_id, actor_id, seq);
create index audit_events_resource on audit_events (tenant_id, resource_type, resource_id, seq);
create index audit_events_request on audit_events (tenant_id, request_id);
create index audit_events_time on audit_events (tenant_id, occurred_at);
create index audit_events_text on audit_events
    using gin (to_tsvector('simple', action || ' ' || details::text));

alter table audit_events enable row level security;
alter table audit_events force row level security;

create policy tenant_reads on audit_events for select
    using (tenant_id = (select nullif(current_setting('canopy.tenant_id', true), '')::uuid));
create policy tenant_appends on audit_events for insert
    with check (tenant_id = (select nullif(current_setting('canopy.tenant_id', true), '')::uuid));

-- The runtime role may append and read, never rewrite history.
revoke update, delete, truncate on audit_events from ${app_role};

-- Retention: segments archived to files; the kept chain starts from the archived segment's last hash.
create table audit_archives (
    tenant_id   uuid        not null,
    from_seq    bigint      not null,
    to_seq      bigint      not null,
    anchor_hash bytea       not null,
    file        text        not null,
    file_sha256 text        not null,
    archived_at timestamptz not null default now(),
    primary key (tenant_id, to_seq)
);

alter table audit_archives enable row level security;
alter table audit_archives force row level security;

create policy tenant_isolation on audit_archives
    using (tenant_id = (select nullif(current_setting('canopy.tenant_id', true), '')::uuid));

revoke update, delete, truncate on audit_archives from ${app_role};

-- Deleting audit rows is only possible for a segment already archived, and only through this
-- function owned by the schema owner.
create function prune_archived_audit_events(p_tenant uuid, p_to_seq bigint) returns bigint
    language plpgsql security definer set search_path = tenant, pg_temp as $$
declare
    removed bigint;
begin
    if p_tenant is distinct from nullif(current_setting('canopy.tenant_id', true), '')::uuid then
        raise exception 'audit pruning is limited to the current tenant' using errcode = '42501';
    end if;
    if not exists (select 1 from audit_archives where tenant_id = p_tenant and to_seq = p_to_seq) then
        raise exception 'segment up to % is not archived', p_to_seq using errcode = '42501';
    end if;
    delete from audit_events where tenant_id = p_tenant and seq <= p_to_seq;
    get diagnostics removed = row_count;
    return removed;
end
$$;
revoke all on function prune_archived_audit_events(uuid, bigint) from public;
grant execute on function prune_archived_audit_events(uuid, bigint) to ${app_role};
