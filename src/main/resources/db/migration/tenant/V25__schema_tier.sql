-- The same migrations build a tenant schema of the schema tier (issue 18): owner-run functions work on the schema
-- they belong to, and memberships outside the pool are indexed in platform.member_locations.
alter function prune_archived_audit_events(uuid, bigint) set search_path = ${flyway:defaultSchema}, pg_temp;
alter function tenants_granting_to(uuid) set search_path = ${flyway:defaultSchema}, pg_temp;

create trigger memberships_located after insert or delete on memberships
    for each row execute function platform.locate_member();
