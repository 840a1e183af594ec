package dev.canopy.integration;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Objects;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationContext;

import dev.canopy.support.ApiTest;

/** Without {@code canopy.kafka.bootstrap-servers} (the default) there is no Kafka export: no bean, no producer. */
class KafkaExportOffTest extends ApiTest {

    @Autowired
    private ApplicationContext context;

    @Test
    void noKafkaBeanExistsWhenNoBrokerIsConfigured() {
        assertThat(context.getEnvironment().getProperty("canopy.kafka.bootstrap-servers")).isEmpty();
        assertThat(Arrays.stream(context.getBeanDefinitionNames()).map(context::getType).filter(Objects::nonNull)
                .map(Class::getName).filter(name -> name.toLowerCase().contains("kafka")))
                .isEmpty();
        // the tenant still gets created, its event handled by the other listeners only
        fixtures.tenant();
    }
}
