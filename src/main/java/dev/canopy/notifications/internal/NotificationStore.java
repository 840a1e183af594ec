package dev.canopy.notifications.internal;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * The rows of {@code notifications}. Every method runs inside a tenant transaction and names the user, so a
 * caller reaches only the notifications of the user it names in the tenant it is scoped to.
 */
@Repository
class NotificationStore {

    private static final String COLUMNS = "id, event_type, title, message, severity, link, read_at is not null as read, created_at";

    private final JdbcClient jdbc;

    NotificationStore(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** Records that the envelope was handled; false when it was already (a repeated delivery). */
    boolean firstDelivery(UUID tenantId, UUID eventId) {
        return jdbc.sql("""
                insert into notification_events (tenant_id, event_id) values (?, ?)
                on conflict do nothing
                """).params(tenantId, eventId).update() == 1;
    }

    /**
     * Holds the user's notifications in this tenant for the rest of the transaction: ids are then taken and committed
     * in one order, so a stream that has sent one id never misses a smaller one committed after it.
     */
    void lockUser(UUID tenantId, UUID userId) {
        jdbc.sql("select pg_advisory_xact_lock(hashtextextended(?, 0))").param(tenantId + "/" + userId)
                .query((rs, n) -> 1).single();
    }

    void insert(UUID tenantId, UUID id, UUID eventId, String eventType, Notice notice, boolean mail) {
        jdbc.sql("""
                insert into notifications (tenant_id, id, user_id, event_id, event_type, title, message,
                                                  severity, link, mail_pending)
                values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
                .params(tenantId, id, notice.recipient(), eventId, eventType, notice.title(), notice.message(),
                        notice.severity(), notice.link(), mail)
                .update();
    }

    /** Newest first, before the given id (a page's cursor). */
    List<Notification> page(UUID tenantId, UUID userId, boolean unreadOnly, @Nullable UUID before, int limit) {
        return jdbc.sql("select " + COLUMNS + """
                 from notifications
                 where tenant_id = :tenant and user_id = :user
                   and (cast(:before as uuid) is null or id < cast(:before as uuid))
                   and (not :unread or read_at is null)
                 order by id desc
                 limit :limit
                """)
                .param("tenant", tenantId).param("user", userId).param("before", before)
                .param("unread", unreadOnly).param("limit", limit)
                .query(NotificationStore::map).list();
    }

    /** Oldest first, after the given id: what a stream has not sent yet. */
    List<Notification> after(UUID tenantId, UUID userId, UUID after, int limit) {
        return jdbc.sql("select " + COLUMNS + """
                 from notifications
                 where tenant_id = ? and user_id = ? and id > ?
                 order by id
                 limit ?
                """).params(tenantId, userId, after, limit).query(NotificationStore::map).list();
    }

    /** The id of the user's newest notification, the point a stream opened without Last-Event-ID starts from. */
    @Nullable
    UUID newest(UUID tenantId, UUID userId) {
        return jdbc.sql("""
                select id from notifications where tenant_id = ? and user_id = ? order by id desc limit 1
                """).params(tenantId, userId).query(UUID.class).optional().orElse(null);
    }

    long unread(UUID tenantId, UUID userId) {
        return jdbc.sql("select count(*) from notifications where tenant_id = ? and user_id = ? and read_at is null")
                .params(tenantId, userId).query(Long.class).single();
    }

    java.util.Optional<Notification> find(UUID tenantId, UUID userId, UUID id) {
        return jdbc.sql("select " + COLUMNS + " from notifications where tenant_id = ? and user_id = ? and id = ?")
                .params(tenantId, userId, id).query(NotificationStore::map).optional();
    }

    /** Marks one read; false when the user has no such notification. Reading twice keeps the first time. */
    boolean markRead(UUID tenantId, UUID userId, UUID id) {
        return jdbc.sql("""
                update notifications set read_at = coalesce(read_at, now())
                 where tenant_id = ? and user_id = ? and id = ?
                """).params(tenantId, userId, id).update() == 1;
    }

    int markAllRead(UUID tenantId, UUID userId) {
        return jdbc.sql("""
                update notifications set read_at = now()
                 where tenant_id = ? and user_id = ? and read_at is null
                """).params(tenantId, userId).update();
    }

    boolean delete(UUID tenantId, UUID userId, UUID id) {
        return jdbc.sql("delete from notifications where tenant_id = ? and user_id = ? and id = ?")
                .params(tenantId, userId, id).update() == 1;
    }

    /** Takes the user's notifications waiting for a digest, oldest first: they are not mailed again. */
    List<Notification> takeMailPending(UUID tenantId, UUID userId) {
        return jdbc.sql("""
                update notifications set mail_pending = false
                 where tenant_id = ? and user_id = ? and mail_pending
                returning """ + " " + COLUMNS)
                .params(tenantId, userId).query(NotificationStore::map).list()
                .stream().sorted(java.util.Comparator.comparing(Notification::createdAt)
                        .thenComparing(n -> n.id().toString()))
                .toList();
    }

    private static Notification map(ResultSet rs, int n) throws SQLException {
        return new Notification(rs.getObject("id", UUID.class), rs.getString("event_type"), rs.getString("title"),
                rs.getString("message"), rs.getString("severity"), rs.getString("link"), rs.getBoolean("read"),
                rs.getTimestamp("created_at").toInstant());
    }
}
