package dev.canopy.identity.internal;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;
import org.springframework.web.servlet.support.ServletUriComponentsBuilder;

/**
 * The token issuer URL: {@code CANOPY_ISSUER} when set (it should be in production), else the base URL
 * the current request came in on, so a local start needs no configuration.
 */
@Component
public class Issuer {

    private final String configured;

    Issuer(@Value("${canopy.issuer}") String configured) {
        this.configured = configured.endsWith("/") ? configured.substring(0, configured.length() - 1) : configured;
    }

    public String current() {
        if (!configured.isBlank()) {
            return configured;
        }
        return ServletUriComponentsBuilder.fromCurrentContextPath().replacePath(null).build().toUriString();
    }
}
