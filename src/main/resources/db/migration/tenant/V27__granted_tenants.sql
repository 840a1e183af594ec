-- A grantee finds its grantors through platform.access_grant_index (platform V24), wherever their grants live: in
-- the pool or in a client's own schema. The index learns every grant from here on, and the ones made before.
create trigger access_grants_indexed after insert or update or delete on access_grants
    for each row execute function platform.index_access_grant();

-- the owner reads every tenant's grants once, to index them (row-level security lifted for this statement only)
alter table access_grants no force row level security;
insert into platform.access_grant_index (grantor_tenant_id, grant_id, grantee_tenant_id, expires_at, revoked_at)
select tenant_id, id, grantee_tenant_id, expires_at, revoked_at from access_grants
    on conflict do nothing;
alter table access_grants force row level security;

create or replace function tenants_granting_to(p_grantee uuid) returns setof uuid
    language plpgsql stable security definer set search_path = ${flyway:defaultSchema}, pg_temp as $$
begin
    if p_grantee is distinct from nullif(current_setting('canopy.tenant_id', true), '')::uuid then
        raise exception 'only the current tenant''s grantors can be listed' using errcode = '42501';
    end if;
    return query
        select distinct g.grantor_tenant_id from platform.access_grant_index g
         where g.grantee_tenant_id = p_grantee and g.revoked_at is null
           and (g.expires_at is null or g.expires_at > now());
end
$$;
