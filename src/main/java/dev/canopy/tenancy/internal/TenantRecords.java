package dev.canopy.tenancy.internal;

import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import dev.canopy.platform.db.ChangeBroadcast;
import dev.canopy.platform.db.TenantSchemas;
import dev.canopy.tenancy.Tenant;
import dev.canopy.tenancy.TenantCreated;

/** SQL for {@code platform.tenants}. */
@Repository
public class TenantRecords {

    private static final String COLUMNS = """
            id, name, slug, status, parent_tenant_id, region, created_at, updated_at, version, mfa_required, tier,
            coalesce(placement_region, (select region from platform.database_servers where name = 'local'))
                as placement_region,
            coalesce(server_id, (select id from platform.database_servers where name = 'local')) as server_id
            """;

    private final JdbcClient jdbc;
    private final ChangeBroadcast changes;
    private final ApplicationEventPublisher events;

    private final TenantSchemas schemas;

    TenantRecords(JdbcClient jdbc, ChangeBroadcast changes, ApplicationEventPublisher events, TenantSchemas schemas) {
        this.schemas = schemas;
        this.jdbc = jdbc;
        this.changes = changes;
        this.events = events;
    }

    public Optional<Tenant> find(UUID id) {
        return jdbc.sql("select " + COLUMNS + " from platform.tenants where id = ?").param(id).query(Tenant.class)
                .optional();
    }

    public Optional<Tenant> findBySlug(String slug) {
        return jdbc.sql("select " + COLUMNS + " from platform.tenants where slug = ?").param(slug).query(Tenant.class)
                .optional();
    }

    public List<Tenant> findAll(Collection<UUID> ids) {
        if (ids.isEmpty()) {
            return List.of();
        }
        return jdbc.sql("select " + COLUMNS + " from platform.tenants where id in (:ids)").param("ids", ids)
                .query(Tenant.class).list();
    }

    /** One page in id order of the tenants matching the filters; {@code memberOf} null means all tenants. */
    public List<Tenant> list(@Nullable Collection<UUID> memberOf, @Nullable UUID clientsOf, boolean includeDeleted,
            @Nullable String status, @Nullable UUID parent, @Nullable String search, @Nullable UUID after, int limit) {
        return jdbc.sql("select " + COLUMNS + """
                  from platform.tenants
                 where (:all or id = any (:memberOf) or parent_tenant_id = :clientsOf)
                   and (:includeDeleted or status <> 'deleted')
                   and (cast(:status as text) is null or status = :status)
                   and (cast(:parent as uuid) is null or parent_tenant_id = :parent)
                   and (cast(:search as text) is null or name ilike '%' || :search || '%' or slug ilike '%' || :search || '%')
                   and (cast(:after as uuid) is null or id > :after)
                 order by id
                 limit :limit
                """)
                .param("all", memberOf == null)
                .param("memberOf", memberOf == null ? new UUID[0] : memberOf.toArray(UUID[]::new))
                .param("clientsOf", clientsOf)
                .param("includeDeleted", includeDeleted)
                .param("status", status)
                .param("parent", parent)
                .param("search", search == null ? null
                        : search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_"))
                .param("after", after)
                .param("limit", limit)
                .query(Tenant.class)
                .list();
    }

    /** Inserts a tenant in the pool on the server {@code local}. */
    public void insert(UUID id, String name, String slug, @Nullable UUID parentTenantId, @Nullable String region) {
        insert(id, name, slug, parentTenantId, region, null);
    }

    /** Inserts a tenant: every way a tenant comes to exist passes here, so this is where it is announced. */
    public void insert(UUID id, String name, String slug, @Nullable UUID parentTenantId, @Nullable String region,
            @Nullable Placement placement) {
        jdbc.sql("""
                insert into platform.tenants (id, name, slug, parent_tenant_id, region, tier, placement_region, server_id)
                values (:id, :name, :slug, :parent, :region, :tier, :placementRegion, :server)
                """)
                .param("id", id)
                .param("name", name)
                .param("slug", slug)
                .param("parent", parentTenantId)
                .param("region", region)
                .param("tier", placement == null ? Tenant.POOL : placement.tier())
                .param("placementRegion", placement == null ? null : placement.region())
                .param("server", placement == null ? null : placement.serverId())
                .update();
        if (placement != null && Tenant.SCHEMA.equals(placement.tier())) {
            // before the announcement: its listeners (the default environments) write the tenant's first rows
            schemas.route(id);
        }
        events.publishEvent(new TenantCreated(id, slug, parentTenantId));
    }

    /** Records where a moved tenant's data lives now. */
    public void placed(UUID id, Placement placement) {
        jdbc.sql("update platform.tenants set tier = ?, placement_region = ?, server_id = ?, updated_at = now() "
                + "where id = ?").params(placement.tier(), placement.region(), placement.serverId(), id).update();
        changes.publish("tenant", id.toString());
    }

    /** How many tenants (deleted ones too: their data is still there) the server holds. */
    public int countOnServer(UUID serverId) {
        // tenants from before placements (no server recorded) are on 'local'
        return jdbc.sql("""
                select count(*) from platform.tenants
                 where coalesce(server_id, (select id from platform.database_servers where name = 'local')) = ?
                """).param(serverId).query(Integer.class).single();
    }

    /** The tenants of the schema tier and the server each is on (tenants from before placements: 'local'). */
    java.util.Map<UUID, UUID> schemaTierServers() {
        var servers = new java.util.HashMap<UUID, UUID>();
        jdbc.sql("""
                select id, coalesce(server_id, (select id from platform.database_servers where name = 'local'))
                  from platform.tenants where tier = 'schema'
                """).query(rs -> {
            servers.put(rs.getObject(1, UUID.class), rs.getObject(2, UUID.class));
        });
        return servers;
    }

    /** Applies the changes if the row is still at {@code version}; false when it moved on. */
    public boolean update(UUID id, long version, @Nullable String name, @Nullable String region,
            @Nullable String status, @Nullable Boolean mfaRequired) {
        return jdbc.sql("""
                update platform.tenants
                   set name = coalesce(:name, name),
                       region = coalesce(:region, region),
                       status = coalesce(:status, status),
                       mfa_required = coalesce(:mfaRequired, mfa_required),
                       updated_at = now(),
                       version = version + 1
                 where id = :id and version = :version
                """)
                .param("id", id)
                .param("version", version)
                .param("name", name)
                .param("region", region)
                .param("status", status)
                .param("mfaRequired", mfaRequired)
                .update() == 1 && changed(id);
    }

    private boolean changed(UUID id) {
        changes.publish("tenant", id.toString());
        return true;
    }

    public boolean hasLiveClients(UUID id) {
        return jdbc.sql("select exists (select 1 from platform.tenants where parent_tenant_id = ? and status <> 'deleted')")
                .param(id)
                .query(Boolean.class)
                .single();
    }
}
