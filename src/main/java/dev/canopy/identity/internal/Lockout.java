package dev.canopy.identity.internal;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;

/** After {@code maxFailures} failed sign-ins for one email within {@code window}, it is locked for {@code duration}. */
@ConfigurationProperties("canopy.auth.lockout")
public record Lockout(int maxFailures, Duration window, Duration duration) {
}
