package dev.canopy.identity.internal;

import java.util.Optional;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import dev.canopy.platform.db.ChangeBroadcast;

/** SQL for users, who live in the control plane: one account across all the tenants they belong to. */
@Repository
public class UserAccounts {

    private static final String COLUMNS = """
            id, email, full_name, password_hash, is_active as active, is_platform_admin as platform_admin,
            created_at, updated_at, version
            """;

    private final JdbcClient jdbc;
    private final ChangeBroadcast changes;

    UserAccounts(JdbcClient jdbc, ChangeBroadcast changes) {
        this.jdbc = jdbc;
        this.changes = changes;
    }

    public Optional<UserAccount> findById(UUID id) {
        return jdbc.sql("select " + COLUMNS + " from platform.users where id = ?")
                .param(id)
                .query(UserAccount.class)
                .optional();
    }

    public Optional<UserAccount> findByEmail(String email) {
        return jdbc.sql("select " + COLUMNS + " from platform.users where lower(email) = lower(?)")
                .param(email)
                .query(UserAccount.class)
                .optional();
    }

    public boolean any() {
        return jdbc.sql("select exists (select 1 from platform.users)").query(Boolean.class).single();
    }

    public void insert(UUID id, String email, String fullName, @Nullable String passwordHash, boolean platformAdmin) {
        jdbc.sql("""
                insert into platform.users (id, email, full_name, password_hash, is_platform_admin)
                values (:id, :email, :fullName, :passwordHash, :platformAdmin)
                """)
                .param("id", id)
                .param("email", email)
                .param("fullName", fullName)
                .param("passwordHash", passwordHash)
                .param("platformAdmin", platformAdmin)
                .update();
    }

    /** Applies the given changes if the row is still at {@code version}; false when someone else changed it. */
    public boolean update(UUID id, long version, @Nullable String fullName, @Nullable Boolean active) {
        return jdbc.sql("""
                update platform.users
                   set full_name = coalesce(:fullName, full_name),
                       is_active = coalesce(:active, is_active),
                       updated_at = now(),
                       version = version + 1
                 where id = :id and version = :version
                """)
                .param("id", id)
                .param("version", version)
                .param("fullName", fullName)
                .param("active", active)
                .update() == 1 && changed(id);
    }

    public void changePassword(UUID id, String passwordHash) {
        jdbc.sql("update platform.users set password_hash = ?, updated_at = now(), version = version + 1 where id = ?")
                .params(passwordHash, id)
                .update();
        changed(id);
    }

    private boolean changed(UUID id) {
        changes.publish("user", id.toString());
        return true;
    }
}
