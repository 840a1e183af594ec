-- Which tenants granted another one access (MSP delegation, issue 18): a grant is its grantor's row, in whichever
-- schema the grantor lives, and its grantee lists its grantors here without visiting every schema. Kept by a trigger
-- on each tenant schema's access_grants (tenant migration V27); read only by tenants_granting_to().
create table access_grant_index (
    grantor_tenant_id uuid        not null,
    grant_id          uuid        not null,
    grantee_tenant_id uuid        not null,
    expires_at        timestamptz,
    revoked_at        timestamptz,
    primary key (grantor_tenant_id, grant_id)
);
create index access_grant_index_by_grantee on access_grant_index (grantee_tenant_id) where revoked_at is null;
revoke select, insert, update, delete on access_grant_index from ${app_role};

create function index_access_grant() returns trigger
    language plpgsql security definer set search_path = platform, pg_temp as $$
begin
    if tg_op = 'DELETE' then
        -- a live move's source dropped later is a copy: the grant lives on where the tenant is routed
        if coalesce((select s.schema_name from tenant_schemas s where s.tenant_id = old.tenant_id), 'tenant')
           = tg_table_schema then
            delete from access_grant_index where grantor_tenant_id = old.tenant_id and grant_id = old.id;
        end if;
        return null;
    end if;
    insert into access_grant_index (grantor_tenant_id, grant_id, grantee_tenant_id, expires_at, revoked_at)
    values (new.tenant_id, new.id, new.grantee_tenant_id, new.expires_at, new.revoked_at)
    on conflict (grantor_tenant_id, grant_id) do update
        set grantee_tenant_id = excluded.grantee_tenant_id, expires_at = excluded.expires_at,
            revoked_at = excluded.revoked_at;
    return null;
end
$$;
