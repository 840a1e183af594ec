package dev.canopy.identity.internal;

import java.util.UUID;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import dev.canopy.platform.db.ChangeBroadcast;

/**
 * SQL for self-registered accounts: created inactive and without a password, activated once their
 * address is verified. Only an account still waiting for verification is activated this way, never one
 * an administrator disabled.
 */
@Repository
class Registrations {

    private final JdbcClient jdbc;
    private final ChangeBroadcast changes;

    Registrations(JdbcClient jdbc, ChangeBroadcast changes) {
        this.jdbc = jdbc;
        this.changes = changes;
    }

    void insertPending(UUID id, String email, String fullName) {
        jdbc.sql("""
                insert into platform.users (id, email, full_name, password_hash, is_active)
                values (:id, :email, :fullName, null, false)
                """)
                .param("id", id)
                .param("email", email)
                .param("fullName", fullName)
                .update();
        jdbc.sql("insert into platform.registrations (user_id) values (?)").param(id).update();
    }

    /** True when the user signed up and has not verified their address yet. */
    boolean pending(UUID userId) {
        return jdbc.sql("select exists (select 1 from platform.registrations where user_id = ? and verified_at is null)")
                .param(userId)
                .query(Boolean.class)
                .single();
    }

    /**
     * The address is verified (a link mailed to it was used): completes a pending registration, activates
     * the account and ends its other verification links. False when no registration was pending.
     */
    boolean complete(UUID userId) {
        boolean completed = jdbc.sql("""
                update platform.registrations set verified_at = now() where user_id = ? and verified_at is null
                """)
                .param(userId)
                .update() == 1;
        if (completed) {
            jdbc.sql("update platform.users set is_active = true, updated_at = now(), version = version + 1 where id = ?")
                    .param(userId)
                    .update();
            jdbc.sql("""
                    update platform.account_tokens set used_at = now()
                     where user_id = ? and purpose = 'email_verification' and used_at is null
                    """)
                    .param(userId)
                    .update();
            changes.publish("user", userId.toString());
        }
        return completed;
    }
}
