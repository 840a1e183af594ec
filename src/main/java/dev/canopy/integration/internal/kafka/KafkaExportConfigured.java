package dev.canopy.integration.internal.kafka;

import org.springframework.context.annotation.Condition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.type.AnnotatedTypeMetadata;
import org.springframework.util.StringUtils;

/**
 * True when {@code canopy.kafka.bootstrap-servers} names brokers. {@code @ConditionalOnProperty} would also match the
 * empty value that {@code application.yml} gives it when {@code CANOPY_KAFKA_BOOTSTRAP_SERVERS} is unset.
 */
class KafkaExportConfigured implements Condition {

    @Override
    public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
        return StringUtils.hasText(context.getEnvironment().getProperty("canopy.kafka.bootstrap-servers"));
    }
}
