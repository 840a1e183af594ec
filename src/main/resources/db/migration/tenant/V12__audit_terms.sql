-- The words of each audit event, for the `search` filter. Under row-level security PostgreSQL lets a
-- condition use an index only when its operators are leakproof: full-text `@@` is not, so the GIN index
-- over the events could never serve the runtime role and a rare word meant reading the tenant's whole
-- chain. Text equality is leakproof: a search looks its words up here, through the primary key.
create table audit_terms (
    tenant_id uuid   not null,
    term      text   not null,
    seq       bigint not null,
    primary key (tenant_id, term, seq)
);

-- Existing events, read once across tenants: the owner is bound by FORCE ROW LEVEL SECURITY otherwise.
alter table audit_events no force row level security;
insert into audit_terms (tenant_id, term, seq)
select e.tenant_id, t.term, e.seq
  from audit_events e,
       unnest(tsvector_to_array(to_tsvector('simple', e.action || ' ' || e.details::text))) as t(term);
alter table audit_events force row level security;

alter table audit_terms enable row level security;
alter table audit_terms force row level security;

create policy tenant_reads on audit_terms for select
    using (tenant_id = (select nullif(current_setting('canopy.tenant_id', true), '')::uuid));
create policy tenant_appends on audit_terms for insert
    with check (tenant_id = (select nullif(current_setting('canopy.tenant_id', true), '')::uuid));
create policy owner_prunes_archived on audit_terms for delete to current_user
    using (tenant_id = (select nullif(current_setting('canopy.tenant_id', true), '')::uuid)
           and seq <= (select max(a.to_seq) from audit_archives a
                        where a.tenant_id = (select nullif(current_setting('canopy.tenant_id', true), '')::uuid)));

revoke update, delete, truncate on audit_terms from ${app_role};

-- Failures are few and searched for by action family: without this, "failures of user.* before a date"
-- read a few hundred thousand rows of a million. Partial, so successful appends do not pay for it.
create index audit_events_failures on audit_events (tenant_id, action text_pattern_ops, seq)
    where status = 'failure';

-- Served nobody but the owner, and cost every append a third of its time.
drop index audit_events_text;

-- Pruning an archived segment removes its words too.
create or replace function prune_archived_audit_events(p_tenant uuid, p_to_seq bigint) returns bigint
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
    delete from audit_terms where tenant_id = p_tenant and seq <= p_to_seq;
    delete from audit_events where tenant_id = p_tenant and seq <= p_to_seq;
    get diagnostics removed = row_count;
    return removed;
end
$$;
