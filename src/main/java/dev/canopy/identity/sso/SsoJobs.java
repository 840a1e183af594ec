package dev.canopy.identity.sso;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/** Forgets SSO logins that were started and never finished (their state expired an hour ago or more). */
@Component
class SsoJobs {

    private static final Logger log = LoggerFactory.getLogger(SsoJobs.class);

    private final SsoLoginStates states;

    SsoJobs(SsoLoginStates states) {
        this.states = states;
    }

    @Scheduled(cron = "${canopy.sso.purge-cron:0 17 * * * *}")
    void purgeUnfinishedLogins() {
        int purged = states.purgeExpired();
        if (purged > 0) {
            log.info("Forgot {} unfinished SSO logins", purged);
        }
    }
}
