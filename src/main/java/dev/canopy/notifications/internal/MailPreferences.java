package dev.canopy.notifications.internal;

import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.annotation.Transactional;

/**
 * Which event types or families a user also wants by mail ({@code platform.notification_preferences}). Mail is
 * opt-in: nothing stored means no mail. A type's own choice wins over its family's.
 */
@Repository
class MailPreferences {

    private final JdbcClient jdbc;

    MailPreferences(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** The user's stored choices, by event type or family. */
    Map<String, Boolean> of(UUID userId) {
        var choices = new TreeMap<String, Boolean>();
        jdbc.sql("select event, mail from platform.notification_preferences where user_id = ?").param(userId)
                .query((rs, n) -> choices.put(rs.getString(1), rs.getBoolean(2))).list();
        return choices;
    }

    /** Replaces the user's choices with the given ones. */
    @Transactional
    void replace(UUID userId, Map<String, Boolean> choices) {
        jdbc.sql("delete from platform.notification_preferences where user_id = ?").param(userId).update();
        choices.forEach((event, mail) -> jdbc.sql("""
                insert into platform.notification_preferences (user_id, event, mail) values (?, ?, ?)
                """).params(userId, event, mail).update());
    }

    /** Whether the user gets mail for the type: its own choice, else its family's, else no. */
    static boolean mails(Map<String, Boolean> choices, String type) {
        Boolean own = choices.get(type);
        if (own != null) {
            return own;
        }
        int dot = type.indexOf('.');
        return dot > 0 && choices.getOrDefault(type.substring(0, dot), false);
    }
}
