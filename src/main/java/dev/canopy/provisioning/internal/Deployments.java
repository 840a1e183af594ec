package dev.canopy.provisioning.internal;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import dev.canopy.provisioning.DeploymentCiStatus;
import dev.canopy.secrets.SealedSecret;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** SQL for {@code deployments}. */
@Repository
class Deployments {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final TypeReference<Map<String, String>> TAGS = new TypeReference<>() {
    };

    private static final RowMapper<Deployment> ROW = (rs, n) -> new Deployment(rs.getObject("tenant_id", UUID.class),
            rs.getObject("id", UUID.class), rs.getString("name"), rs.getObject("template_owner_id", UUID.class),
            rs.getObject("template_id", UUID.class), rs.getString("template_name"), rs.getString("driver"),
            rs.getString("template_version"), rs.getString("template_digest"),
            rs.getObject("environment_id", UUID.class), rs.getObject("business_unit_id", UUID.class),
            rs.getObject("owner_id", UUID.class), rs.getString("owner_email"), JSON.readTree(rs.getString("inputs")),
            rs.getBytes("sealed_inputs"), Environments.strings(rs.getArray("secret_pointers")),
            JSON.readValue(rs.getString("tags"), TAGS), rs.getString("cost_center"), rs.getString("project_code"),
            rs.getString("status"), instant(rs.getTimestamp("expires_at")), JSON.readTree(rs.getString("outputs")),
            rs.getString("idempotency_key"), rs.getString("request_hash"),
            rs.getTimestamp("created_at").toInstant(), rs.getTimestamp("updated_at").toInstant(),
            rs.getLong("version"), rs.getString("drift_status"),
            rs.getString("drift_changes") == null ? null : JSON.readTree(rs.getString("drift_changes")),
            instant(rs.getTimestamp("drift_checked_at")), rs.getString("repository"), rs.getString("branch"),
            rs.getString("ci_state") == null ? null : new DeploymentCiStatus.CiStatus(rs.getString("ci_state"),
                    rs.getString("ci_name"), rs.getString("ci_url"), rs.getString("ci_head_sha"),
                    rs.getTimestamp("ci_updated_at").toInstant()));

    /** A deployment whose CI status a report changed, with what it showed before. */
    record CiChange(UUID id, String name, UUID ownerId, @Nullable String previousState, @Nullable String previousName,
            @Nullable String previousHeadSha) {
    }

    /** What a list asks for; null fields do not filter. {@code ownerId} also serves {@code :own} permissions. */
    record Filter(@Nullable String search, @Nullable String status, @Nullable UUID environmentId,
            @Nullable UUID templateId, Map<String, String> tags, @Nullable UUID ownerId,
            @Nullable UUID businessUnitId, @Nullable String drift) {

        Filter(@Nullable String search, @Nullable String status, @Nullable UUID environmentId,
                @Nullable UUID templateId, Map<String, String> tags, @Nullable UUID ownerId,
                @Nullable UUID businessUnitId) {
            this(search, status, environmentId, templateId, tags, ownerId, businessUnitId, null);
        }
    }

    /** How many deployments an environment has, by status. */
    record EnvironmentCount(UUID environmentId, String status, long count) {
    }

    private final JdbcClient jdbc;

    Deployments(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    void insert(Deployment d) {
        jdbc.sql("""
                insert into deployments (tenant_id, id, name, template_owner_id, template_id, template_name,
                       driver, template_version, template_digest, environment_id, business_unit_id, owner_id,
                       owner_email, inputs, sealed_inputs, secret_pointers, tags, cost_center, project_code, status,
                       expires_at, idempotency_key, request_hash, repository, branch)
                values (:tenant, :id, :name, :owner_tenant, :template, :template_name, :driver, :version, :digest,
                        :environment, :unit, :owner, :owner_email, cast(:inputs as jsonb), :sealed, :pointers,
                        cast(:tags as jsonb), :cost_center, :project_code, :status, :expires, :key, :hash,
                        :repository, :branch)
                """)
                .param("tenant", d.tenantId()).param("id", d.id()).param("name", d.name())
                .param("owner_tenant", d.templateOwnerId()).param("template", d.templateId())
                .param("template_name", d.templateName()).param("driver", d.driver())
                .param("version", d.templateVersion()).param("digest", d.templateDigest())
                .param("environment", d.environmentId()).param("unit", d.businessUnitId())
                .param("owner", d.ownerId()).param("owner_email", d.ownerEmail())
                .param("inputs", JSON.writeValueAsString(d.inputs())).param("sealed", d.sealedInputs())
                .param("pointers", d.secretPointers().toArray(String[]::new))
                .param("tags", JSON.writeValueAsString(d.tags())).param("cost_center", d.costCenter())
                .param("project_code", d.projectCode()).param("status", d.status())
                .param("expires", timestamp(d.expiresAt())).param("key", d.idempotencyKey())
                .param("hash", d.requestHash()).param("repository", d.repository()).param("branch", d.branch())
                .update();
        insertTags(d.tenantId(), d.id(), d.tags());
    }

    private void insertTags(UUID tenantId, UUID id, Map<String, String> tags) {
        tags.forEach((key, value) -> jdbc.sql("""
                insert into deployment_tags (tenant_id, deployment_id, key, value) values (?, ?, ?, ?)
                """).params(tenantId, id, key, value).update());
    }

    Optional<Deployment> find(UUID tenantId, UUID id) {
        return jdbc.sql("select * from deployments where tenant_id = ? and id = ?").params(tenantId, id)
                .query(ROW).optional();
    }

    /** The deployment row locked for the caller's transaction: run admission is decided one at a time. */
    Optional<Deployment> lock(UUID tenantId, UUID id) {
        return jdbc.sql("select * from deployments where tenant_id = ? and id = ? for update")
                .params(tenantId, id).query(ROW).optional();
    }

    Optional<Deployment> findByIdempotencyKey(UUID tenantId, UUID ownerId, String key) {
        return jdbc.sql("select * from deployments where tenant_id = ? and owner_id = ? and idempotency_key = ?")
                .params(tenantId, ownerId, key).query(ROW).optional();
    }

    /**
     * A page in id order. With tags, the first tag's rows drive (walked in id order on their btree, stopping at the
     * page's end) and the others are checked per row.
     */
    List<Deployment> list(UUID tenantId, Filter filter, @Nullable UUID after, int limit) {
        var where = new ArrayList<String>();
        var params = new java.util.HashMap<String, Object>();
        params.put("tenant", tenantId);
        String from = "deployments d";
        String id = "d.id";
        int n = 0;
        for (Map.Entry<String, String> tag : filter.tags().entrySet()) {
            params.put("key" + n, tag.getKey());
            params.put("value" + n, tag.getValue());
            if (n == 0) {
                from = "deployment_tags t join deployments d on d.tenant_id = t.tenant_id"
                        + " and d.id = t.deployment_id";
                id = "t.deployment_id";
                where.add("t.tenant_id = :tenant and t.key = :key0 and t.value = :value0");
            }
            else {
                where.add("exists (select 1 from deployment_tags x where x.tenant_id = d.tenant_id"
                        + " and x.deployment_id = d.id and x.key = :key" + n + " and x.value = :value" + n + ")");
            }
            n++;
        }
        where.add("d.tenant_id = :tenant");
        if (after != null) {
            where.add(id + " > :after");
            params.put("after", after);
        }
        if (filter.search() != null) {
            where.add("d.search_text like :search");
            params.put("search", "%" + filter.search().toLowerCase().replace("\\", "\\\\").replace("%", "\\%")
                    .replace("_", "\\_") + "%");
        }
        if (filter.status() != null) {
            where.add("d.status = :status");
            params.put("status", filter.status());
        }
        if (filter.environmentId() != null) {
            where.add("d.environment_id = :environment");
            params.put("environment", filter.environmentId());
        }
        if (filter.templateId() != null) {
            where.add("d.template_id = :template");
            params.put("template", filter.templateId());
        }
        if (filter.ownerId() != null) {
            where.add("d.owner_id = :owner");
            params.put("owner", filter.ownerId());
        }
        if (filter.businessUnitId() != null) {
            where.add("d.business_unit_id = :unit");
            params.put("unit", filter.businessUnitId());
        }
        if (filter.drift() != null) {
            where.add("d.drift_status = :drift");
            params.put("drift", filter.drift());
        }
        params.put("limit", limit);
        return jdbc.sql("select d.* from " + from + " where " + String.join(" and ", where) + " order by " + id
                + " limit :limit").params(params).query(ROW).list();
    }

    void setStatus(UUID tenantId, UUID id, String status) {
        jdbc.sql("""
                update deployments set status = ?, updated_at = now(), version = version + 1
                 where tenant_id = ? and id = ?
                """).params(status, tenantId, id).update();
    }

    void setOutputs(UUID tenantId, UUID id, JsonNode outputs) {
        jdbc.sql("""
                update deployments set outputs = cast(? as jsonb), updated_at = now(), version = version + 1
                 where tenant_id = ? and id = ?
                """).params(JSON.writeValueAsString(outputs), tenantId, id).update();
    }

    boolean setTags(UUID tenantId, UUID id, Map<String, String> tags, long version) {
        boolean written = jdbc.sql("""
                update deployments set tags = cast(? as jsonb), updated_at = now(), version = version + 1
                 where tenant_id = ? and id = ? and version = ?
                """).params(JSON.writeValueAsString(tags), tenantId, id, version).update() == 1;
        if (written) {
            jdbc.sql("delete from deployment_tags where tenant_id = ? and deployment_id = ?").params(tenantId, id)
                    .update();
            insertTags(tenantId, id, tags);
        }
        return written;
    }

    void setExpiry(UUID tenantId, UUID id, @Nullable Instant expiresAt) {
        jdbc.sql("""
                update deployments set expires_at = ?, updated_at = now(), version = version + 1
                 where tenant_id = ? and id = ?
                """).params(timestamp(expiresAt), tenantId, id).update();
    }

    /**
     * Sets the repository and branch (both null: none) if the row is still at {@code version}; the CI status of
     * another source is forgotten.
     */
    boolean setSource(UUID tenantId, UUID id, @Nullable String repository, @Nullable String branch, long version) {
        return jdbc.sql("""
                update deployments
                   set ci_state = case when repository is not distinct from :repository
                                        and branch is not distinct from :branch then ci_state end,
                       ci_name = case when repository is not distinct from :repository
                                       and branch is not distinct from :branch then ci_name end,
                       ci_url = case when repository is not distinct from :repository
                                      and branch is not distinct from :branch then ci_url end,
                       ci_head_sha = case when repository is not distinct from :repository
                                          and branch is not distinct from :branch then ci_head_sha end,
                       ci_updated_at = case when repository is not distinct from :repository
                                            and branch is not distinct from :branch then ci_updated_at end,
                       repository = :repository, branch = :branch, updated_at = now(), version = version + 1
                 where tenant_id = :tenant and id = :id and version = :version
                """).param("repository", repository).param("branch", branch).param("tenant", tenantId).param("id", id)
                .param("version", version).update() == 1;
    }

    /**
     * Writes a CI report on the live deployments built from the repository (any case) and branch, except those
     * showing a newer report: a later {@code updated_at}, or the same one with a final state where this report's is
     * still running (GitHub's times have whole seconds). The CI status does not count as a change of the deployment
     * itself: its {@code version} stays, so that it does not make a tag edit conflict.
     */
    List<CiChange> recordCi(UUID tenantId, String repository, String branch, DeploymentCiStatus.CiStatus status) {
        int rank = DeploymentCiStatus.FINAL.contains(status.state()) ? 2 : 1;
        return jdbc.sql("""
                with matched as materialized (
                    select id, ci_state, ci_name, ci_head_sha from deployments
                     where tenant_id = :tenant and lower(repository) = lower(:repository) and branch = :branch
                       and status <> 'destroyed'
                       and (ci_updated_at is null or ci_updated_at < :at
                            or ci_updated_at = :at and (case when ci_state in ('requested', 'queued', 'pending',
                                'waiting', 'in_progress') then 1 else 2 end) <= :rank)
                     for update
                )
                update deployments d
                   set ci_state = :state, ci_name = :name, ci_url = :url, ci_head_sha = :sha, ci_updated_at = :at
                  from matched m
                 where d.tenant_id = :tenant and d.id = m.id
                returning d.id, d.name, d.owner_id, m.ci_state, m.ci_name, m.ci_head_sha
                """).param("tenant", tenantId).param("repository", repository).param("branch", branch)
                .param("at", Timestamp.from(status.updatedAt())).param("rank", rank).param("state", status.state())
                .param("name", status.name()).param("url", status.url()).param("sha", status.headSha())
                .query((rs, n) -> new CiChange(rs.getObject(1, UUID.class), rs.getString(2),
                        rs.getObject(3, UUID.class), rs.getString(4), rs.getString(5), rs.getString(6)))
                .list();
    }

    List<EnvironmentCount> countByEnvironment(UUID tenantId, @Nullable UUID ownerId) {
        return jdbc.sql("""
                select environment_id, status, count(*) from deployments
                 where tenant_id = :tenant and (cast(:owner as uuid) is null or owner_id = :owner)
                 group by environment_id, status order by environment_id, status
                """).param("tenant", tenantId).param("owner", ownerId)
                .query((rs, n) -> new EnvironmentCount(rs.getObject(1, UUID.class), rs.getString(2), rs.getLong(3)))
                .list();
    }

    void recordDrift(UUID tenantId, UUID id, String status, @Nullable JsonNode changes) {
        jdbc.sql("""
                update deployments set drift_status = ?, drift_changes = cast(? as jsonb), drift_checked_at = now()
                 where tenant_id = ? and id = ?
                """).params(status, changes == null ? null : JSON.writeValueAsString(changes), tenantId, id).update();
    }

    List<UUID> activeIn(UUID tenantId, UUID environmentId) {
        return jdbc.sql("select id from deployments where tenant_id = ? and environment_id = ? and status = 'active'")
                .params(tenantId, environmentId).query(UUID.class).list();
    }

    boolean templateInUse(UUID tenantId, UUID templateId) {
        return jdbc.sql("""
                select exists (select 1 from deployments
                                where tenant_id = ? and template_id = ? and status <> 'destroyed')
                """).params(tenantId, templateId).query(Boolean.class).single();
    }


    /** Sealed inputs of the tenant's deployments after an id, for re-encryption under a new data key. */
    List<SealedSecret> sealedAfter(UUID tenantId, @Nullable UUID after, int limit) {
        return jdbc.sql("""
                select id, sealed_inputs from deployments
                 where tenant_id = :tenant and (cast(:after as uuid) is null or id > :after) order by id limit :limit
                """).param("tenant", tenantId).param("after", after).param("limit", limit)
                .query((rs, n) -> new SealedSecret(DeploymentDirectory.inputsBinding(tenantId,
                        rs.getObject(1, UUID.class)), rs.getBytes(2))).list();
    }

    boolean replaceSealed(UUID tenantId, UUID id, byte[] current, byte[] resealed) {
        return jdbc.sql("""
                update deployments set sealed_inputs = ? where tenant_id = ? and id = ? and sealed_inputs = ?
                """).params(resealed, tenantId, id, current).update() == 1;
    }

    private static @Nullable Timestamp timestamp(@Nullable Instant instant) {
        return instant == null ? null : Timestamp.from(instant);
    }

    static @Nullable Instant instant(@Nullable Timestamp t) {
        return t == null ? null : t.toInstant();
    }
}
