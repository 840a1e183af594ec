package dev.canopy.identity.web;

import java.util.UUID;

import dev.canopy.identity.internal.UserAccount;

/** A user as responses name them. */
record UserSummary(UUID id, String email, String fullName) {

    static UserSummary of(UserAccount user) {
        return new UserSummary(user.id(), user.email(), user.fullName());
    }
}
