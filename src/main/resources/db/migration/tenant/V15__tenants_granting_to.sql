-- The tenants whose grants in force let the current tenant's members in (the console's switcher lists them).
-- Grants are their client's rows, out of the grantee's sight under row-level security. This owner-run function
-- shows the current tenant only which tenants granted it something; the owner alone may read grants naming the
-- current tenant as grantee (FORCE ROW LEVEL SECURITY binds the owner too), the runtime role still sees only
-- its own tenant's grants.
create policy owner_reads_grants_to_current on access_grants for select to current_user
    using (grantee_tenant_id = (select nullif(current_setting('canopy.tenant_id', true), '')::uuid));

create function tenants_granting_to(p_grantee uuid) returns setof uuid
    language plpgsql stable security definer set search_path = tenant, pg_temp as $$
begin
    if p_grantee is distinct from nullif(current_setting('canopy.tenant_id', true), '')::uuid then
        raise exception 'only the current tenant''s grantors can be listed' using errcode = '42501';
    end if;
    return query
        select distinct g.tenant_id from access_grants g
         where g.grantee_tenant_id = p_grantee and g.revoked_at is null
           and (g.expires_at is null or g.expires_at > now());
end
$$;
revoke all on function tenants_granting_to(uuid) from public;
grant execute on function tenants_granting_to(uuid) to ${app_role};
create index access_grants_by_grantee on access_grants (grantee_tenant_id) where revoked_at is null;
