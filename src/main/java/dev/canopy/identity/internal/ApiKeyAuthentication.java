package dev.canopy.identity.internal;

import dev.canopy.platform.security.CanopyAuthentication;
import dev.canopy.platform.security.CanopyPrincipal;

/** A request authenticated by an API key: a service principal, not a person with a session. */
final class ApiKeyAuthentication extends CanopyAuthentication {

    ApiKeyAuthentication(CanopyPrincipal principal, String secret) {
        super(principal, secret);
    }
}
