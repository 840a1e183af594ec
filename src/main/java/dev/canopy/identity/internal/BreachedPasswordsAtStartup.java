package dev.canopy.identity.internal;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.stereotype.Component;

/**
 * Reads the breached-password list while the application starts, before the web server takes requests: the
 * first sign-up should not wait a few hundred milliseconds for it, and a jar without it should not start.
 */
@Component
class BreachedPasswordsAtStartup implements SmartInitializingSingleton {

    private static final Logger log = LoggerFactory.getLogger(BreachedPasswordsAtStartup.class);

    @Override
    public void afterSingletonsInstantiated() {
        log.debug("{} breached passwords loaded", PasswordPolicy.load());
    }
}
