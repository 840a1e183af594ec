package dev.canopy.audit;

import java.util.UUID;

import org.jspecify.annotations.Nullable;

/** Who did something. */
public sealed interface Actor {

    String type();

    @Nullable UUID id();

    @Nullable String email();

    default @Nullable UUID viaTenantId() {
        return null;
    }

    /** A signed-in person. */
    record UserActor(UUID id, String email) implements Actor {

        @Override
        public String type() {
            return "user";
        }
    }

    /** A person acting in a tenant through another tenant (a platform administrator, an MSP's staff). */
    record DelegatedActor(UUID id, String email, UUID viaTenantId) implements Actor {

        @Override
        public String type() {
            return "delegated";
        }
    }

    /** An API key acting with its own roles; {@code email} carries its name. */
    record ApiKeyActor(UUID id, String email) implements Actor {

        @Override
        public String type() {
            return "api_key";
        }
    }

    /** Canopy itself: scheduled jobs, start-up. */
    record SystemActor(String name) implements Actor {

        @Override
        public String type() {
            return "system";
        }

        @Override
        public @Nullable UUID id() {
            return null;
        }

        @Override
        public String email() {
            return name;
        }
    }

    /** Nobody signed in yet: a failed login, a refresh with an unknown token. */
    record Anonymous() implements Actor {

        @Override
        public String type() {
            return "anonymous";
        }

        @Override
        public @Nullable UUID id() {
            return null;
        }

        @Override
        public @Nullable String email() {
            return null;
        }
    }
}
