-- prune_archived_audit_events runs as the owner of audit_events, and FORCE ROW LEVEL SECURITY binds the
-- owner too: with no DELETE policy its DELETE matched no rows, so archived events were never removed.
-- This policy lets the owner alone delete the current tenant's rows up to its newest archived segment;
-- the runtime role still holds no DELETE privilege at all.
create policy owner_prunes_archived on audit_events for delete to current_user
    using (tenant_id = (select nullif(current_setting('canopy.tenant_id', true), '')::uuid)
           and seq <= (select max(a.to_seq) from audit_archives a
                        where a.tenant_id = (select nullif(current_setting('canopy.tenant_id', true), '')::uuid)));
