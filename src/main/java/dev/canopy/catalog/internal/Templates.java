package dev.canopy.catalog.internal;

import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import dev.canopy.platform.web.ApiException;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/** SQL for {@code templates} and {@code template_versions}; every call runs in a tenant's scope. */
@Repository
public class Templates {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final TypeReference<List<InspectedArchive.ArchiveFile>> FILES = new TypeReference<>() {
    };

    private static final RowMapper<Template> TEMPLATE = (rs, n) -> new Template(rs.getObject("tenant_id", UUID.class),
            rs.getObject("id", UUID.class), rs.getString("name"), rs.getString("description"),
            rs.getString("driver"), strings(rs.getArray("tags")), rs.getBoolean("locked"),
            rs.getString("latest_version"), rs.getObject("created_by", UUID.class), instant(rs, "created_at"),
            instant(rs, "updated_at"), rs.getLong("version"));

    private static final RowMapper<TemplateVersion> VERSION = (rs, n) -> new TemplateVersion(
            rs.getObject("tenant_id", UUID.class), rs.getObject("template_id", UUID.class), rs.getString("version"),
            rs.getString("digest"), rs.getLong("size_bytes"), rs.getLong("unpacked_bytes"),
            JSON.readTree(rs.getString("manifest")), JSON.readValue(rs.getString("files"), FILES),
            rs.getBoolean("yanked"), instant(rs, "yanked_at"), rs.getString("yank_reason"),
            rs.getObject("published_by", UUID.class), instant(rs, "published_at"));

    /** Filters of the catalog list; null means any. */
    public record Filter(@Nullable String search, @Nullable String driver, @Nullable String tag) {

        /** The filters as given in a query (blank is no filter), checked; the API and the console use it. */
        public static Filter of(@Nullable String search, @Nullable String driver, @Nullable String tag) {
            if (search != null && search.length() > 100) {
                throw ApiException.invalidField("search", "must be at most 100 characters");
            }
            if (driver != null && !driver.isBlank() && Driver.of(driver).isEmpty()) {
                throw ApiException.invalidField("driver", "must be one of " + String.join(", ", Driver.keys()));
            }
            return new Filter(blank(search) ? null : search.strip().toLowerCase(java.util.Locale.ROOT),
                    blank(driver) ? null : driver, blank(tag) ? null : tag.strip());
        }

        private static boolean blank(@Nullable String value) {
            return value == null || value.isBlank();
        }
    }

    private final JdbcClient jdbc;

    Templates(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    void insert(Template t) {
        jdbc.sql("""
                insert into templates (tenant_id, id, name, description, driver, tags, locked, created_by)
                values (:tenant, :id, :name, :description, :driver, :tags, :locked, :createdBy)
                """).param("tenant", t.tenantId()).param("id", t.id()).param("name", t.name())
                .param("description", t.description()).param("driver", t.driver())
                .param("tags", t.tags().toArray(String[]::new)).param("locked", t.locked())
                .param("createdBy", t.createdBy()).update();
    }

    public Optional<Template> find(UUID tenantId, UUID id) {
        return jdbc.sql("select * from templates where tenant_id = ? and id = ?").params(tenantId, id)
                .query(TEMPLATE).optional();
    }

    /** The tenant's templates in id order after the cursor, matching the filter. */
    public List<Template> list(UUID tenantId, Filter filter, @Nullable UUID after, int limit) {
        return jdbc.sql("""
                select * from templates
                 where tenant_id = :tenant
                   and (cast(:after as uuid) is null or id > :after)
                   and (cast(:driver as text) is null or driver = :driver)
                   and (cast(:tag as text) is null or :tag = any (tags))
                   and (cast(:search as text) is null or strpos(search_text, :search) > 0)
                 order by id limit :limit
                """).param("tenant", tenantId).param("after", after).param("driver", filter.driver())
                .param("tag", filter.tag()).param("search", filter.search()).param("limit", limit)
                .query(TEMPLATE).list();
    }

    /** Shared templates of an MSP (read in its scope) that it publishes to the client, in id order. */
    public List<Template> listSharedWith(UUID mspId, UUID clientId, Filter filter, @Nullable UUID after, int limit) {
        return jdbc.sql("""
                select t.* from templates t
                 where t.tenant_id = :msp
                   and exists (select 1 from template_shares s
                                where s.tenant_id = t.tenant_id and s.template_id = t.id
                                  and (s.all_clients or s.client_tenant_id = :client))
                   and (cast(:after as uuid) is null or t.id > :after)
                   and (cast(:driver as text) is null or t.driver = :driver)
                   and (cast(:tag as text) is null or :tag = any (t.tags))
                   and (cast(:search as text) is null or strpos(t.search_text, :search) > 0)
                 order by t.id limit :limit
                """).param("msp", mspId).param("client", clientId).param("after", after)
                .param("driver", filter.driver()).param("tag", filter.tag()).param("search", filter.search())
                .param("limit", limit).query(TEMPLATE).list();
    }

    boolean isSharedWith(UUID mspId, UUID templateId, UUID clientId) {
        return jdbc.sql("""
                select exists (select 1 from template_shares
                                where tenant_id = ? and template_id = ? and (all_clients or client_tenant_id = ?))
                """).params(mspId, templateId, clientId).query(Boolean.class).single();
    }

    boolean update(UUID tenantId, UUID id, String name, String description, List<String> tags, boolean locked,
            long expectedVersion) {
        return jdbc.sql("""
                update templates
                   set name = :name, description = :description, tags = :tags, locked = :locked,
                       updated_at = now(), version = version + 1
                 where tenant_id = :tenant and id = :id and version = :version
                """).param("name", name).param("description", description).param("tags", tags.toArray(String[]::new))
                .param("locked", locked).param("tenant", tenantId).param("id", id).param("version", expectedVersion)
                .update() == 1;
    }

    void setLatest(UUID tenantId, UUID id, @Nullable String latest) {
        jdbc.sql("update templates set latest_version = ?, updated_at = now() where tenant_id = ? and id = ?")
                .params(latest, tenantId, id).update();
    }

    /** Takes the template's row lock: publishing and yanking one template happen one at a time. */
    boolean lock(UUID tenantId, UUID id) {
        return jdbc.sql("select 1 from templates where tenant_id = ? and id = ? for update")
                .params(tenantId, id).query(Integer.class).optional().isPresent();
    }

    boolean delete(UUID tenantId, UUID id) {
        return jdbc.sql("delete from templates where tenant_id = ? and id = ?").params(tenantId, id)
                .update() == 1;
    }

    public long count(UUID tenantId) {
        return jdbc.sql("select count(*) from templates where tenant_id = ?").param(tenantId)
                .query(Long.class).single();
    }

    void insertVersion(TemplateVersion v) {
        jdbc.sql("""
                insert into template_versions (tenant_id, template_id, version, digest, size_bytes,
                       unpacked_bytes, manifest, files, published_by)
                values (:tenant, :template, :version, :digest, :size, :unpacked, cast(:manifest as jsonb),
                        cast(:files as jsonb), :by)
                """).param("tenant", v.tenantId()).param("template", v.templateId()).param("version", v.version())
                .param("digest", v.digest()).param("size", v.sizeBytes()).param("unpacked", v.unpackedBytes())
                .param("manifest", JSON.writeValueAsString(v.manifest()))
                .param("files", JSON.writeValueAsString(v.files())).param("by", v.publishedBy()).update();
    }

    public Optional<TemplateVersion> findVersion(UUID tenantId, UUID templateId, String version) {
        return jdbc.sql("select * from template_versions where tenant_id = ? and template_id = ? and version = ?")
                .params(tenantId, templateId, version).query(VERSION).optional();
    }

    /** Every version of a template, in no particular order (semver order is the caller's). */
    public List<TemplateVersion> versions(UUID tenantId, UUID templateId) {
        return jdbc.sql("select * from template_versions where tenant_id = ? and template_id = ?")
                .params(tenantId, templateId).query(VERSION).list();
    }

    boolean yank(UUID tenantId, UUID templateId, String version, UUID by, @Nullable String reason) {
        return jdbc.sql("""
                update template_versions set yanked = true, yanked_at = now(), yanked_by = ?, yank_reason = ?
                 where tenant_id = ? and template_id = ? and version = ? and not yanked
                """).params(by, reason, tenantId, templateId, version).update() == 1;
    }

    private static List<String> strings(Array array) throws SQLException {
        return Arrays.asList((String[]) array.getArray());
    }

    private static @Nullable Instant instant(ResultSet rs, String column) throws SQLException {
        Timestamp value = rs.getTimestamp(column);
        return value == null ? null : value.toInstant();
    }
}
