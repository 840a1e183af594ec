package dev.canopy.identity;

import java.util.UUID;

import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.stereotype.Service;

import dev.canopy.identity.internal.PasswordPolicy;
import dev.canopy.identity.internal.UserAccounts;
import dev.canopy.platform.Ids;
import dev.canopy.platform.StartupRefusedException;

/** User accounts as other modules see them: enough to bootstrap a platform. */
@Service
public class Accounts {

    private final UserAccounts users;
    private final PasswordEncoder passwords;

    Accounts(UserAccounts users, PasswordEncoder passwords) {
        this.users = users;
        this.passwords = passwords;
    }

    public boolean anyUser() {
        return users.any();
    }

    /** Creates an ordinary, active user account; the password must satisfy the password policy. */
    public UUID createUser(String email, String fullName, String password) {
        PasswordPolicy.Refusal refusal = PasswordPolicy.refusal(password, email, fullName);
        if (refusal != null) {
            throw new IllegalArgumentException("The password " + refusal.message() + ".");
        }
        UUID id = Ids.newId();
        users.insert(id, email, fullName, passwords.encode(password), false);
        return id;
    }

    /** Creates a platform administrator; the password must satisfy the password policy. */
    public UUID createPlatformAdmin(String email, String fullName, String password) {
        PasswordPolicy.Refusal refusal = PasswordPolicy.refusal(password, email, fullName);
        if (refusal != null) {
            throw new StartupRefusedException("The bootstrap administrator password " + refusal.message() + ".",
                    "Choose another CANOPY_BOOTSTRAP_ADMIN_PASSWORD, or unset it to have one generated.");
        }
        UUID id = Ids.newId();
        users.insert(id, email, fullName, passwords.encode(password), true);
        return id;
    }
}
