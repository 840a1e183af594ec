-- A live move (issue 18) copies a tenant's audit rows to its new schema and keeps the old ones for a while. Audit
-- rows are otherwise never deleted but archived and pruned; once the tenant's transactions are routed elsewhere,
-- the rows left here are a copy nobody reads, and the owner alone may drop them.
create policy owner_drops_moved on audit_events for delete to current_user
    using (tenant_id = (select nullif(current_setting('canopy.tenant_id', true), '')::uuid)
           and coalesce((select s.schema_name from platform.tenant_schemas s where s.tenant_id = audit_events.tenant_id),
                        'tenant') <> '${flyway:defaultSchema}');
create policy owner_drops_moved on audit_terms for delete to current_user
    using (tenant_id = (select nullif(current_setting('canopy.tenant_id', true), '')::uuid)
           and coalesce((select s.schema_name from platform.tenant_schemas s where s.tenant_id = audit_terms.tenant_id),
                        'tenant') <> '${flyway:defaultSchema}');
