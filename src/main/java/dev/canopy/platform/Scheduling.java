package dev.canopy.platform;

import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.annotation.EnableScheduling;

/**
 * Turns on {@code @Scheduled} jobs (the audit module's daily archiving and verification). Each job's
 * cron is a setting of its module; on virtual threads Boot runs them on its virtual-thread scheduler.
 */
@Configuration(proxyBeanMethods = false)
@EnableScheduling
class Scheduling {
}
