package dev.canopy.identity.internal;

import java.net.URI;
import java.time.Duration;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

import dev.canopy.platform.StartupRefusedException;

/**
 * Puts the installation's breach API, when {@code canopy.identity.breach-api.url} names one, behind
 * {@link PasswordPolicy}; unset (the default), passwords are checked against the shipped list only.
 */
@Component
class BreachApiSetup implements DisposableBean {

    BreachApiSetup(@Value("${canopy.identity.breach-api.url:}") String url,
            @Value("${canopy.identity.breach-api.timeout:2s}") Duration timeout) {
        if (url.isBlank()) {
            PasswordPolicy.useBreachApi(null);
            return;
        }
        URI base;
        try {
            base = URI.create(url.strip());
        }
        catch (IllegalArgumentException e) {
            base = null;
        }
        if (base == null || base.getHost() == null
                || !("https".equals(base.getScheme()) || "http".equals(base.getScheme()))) {
            throw new StartupRefusedException("canopy.identity.breach-api.url is not an http(s) URL: " + url,
                    "Set CANOPY_BREACH_API_URL to the range API's base, e.g. https://api.pwnedpasswords.com, or unset it.");
        }
        if (timeout.isNegative() || timeout.isZero() || timeout.compareTo(Duration.ofSeconds(10)) > 0) {
            throw new StartupRefusedException("canopy.identity.breach-api.timeout must be more than 0 and at most 10 s",
                    "A password check waits for it; 2 s is the default.");
        }
        PasswordPolicy.useBreachApi(new BreachApi(base, timeout));
    }

    @Override
    public void destroy() {
        PasswordPolicy.useBreachApi(null);
    }
}
