package dev.canopy.integration.internal.kafka;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

import tools.jackson.databind.json.JsonMapper;

/**
 * The Kafka export's beans, made only when {@code canopy.kafka.bootstrap-servers} is set: without it no producer
 * exists and nothing connects.
 */
@Configuration(proxyBeanMethods = false)
@Conditional(KafkaExportConfigured.class)
class KafkaExport {

    /** Events waiting for the sender thread; past this the publication fails at once and is resubmitted later. */
    private static final int QUEUE_CAPACITY = 10_000;

    @Bean
    KafkaEventExport kafkaEventExport(Environment environment, JsonMapper json) {
        KafkaExportSettings settings = Binder.get(environment).bindOrCreate("canopy.kafka", KafkaExportSettings.class);
        var producer = new KafkaProducer<>(producerConfig(settings), new StringSerializer(), new ByteArraySerializer());
        return new KafkaEventExport(producer, json, settings.topicPrefix(), QUEUE_CAPACITY);
    }

    /**
     * What the export relies on wins over {@code canopy.kafka.properties}: every in-sync replica has the record before
     * it counts as sent (acks=all), retries neither duplicate nor reorder it (idempotence, at most 5 requests in
     * flight), and a send gives up within the delivery timeout, so its publication fails and is resubmitted rather
     * than hanging.
     */
    static Map<String, Object> producerConfig(KafkaExportSettings settings) {
        Duration delivery = settings.deliveryTimeout();
        if (delivery.compareTo(Duration.ofSeconds(2)) < 0) {
            throw new IllegalStateException("canopy.kafka.delivery-timeout must be at least 2s, is " + delivery);
        }
        int deliveryMs = Math.toIntExact(delivery.toMillis());
        int lingerMs = 5;
        Map<String, Object> config = new HashMap<>();
        if (settings.properties() != null) {
            config.putAll(settings.properties());
        }
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
        config.put(ProducerConfig.CLIENT_ID_CONFIG, settings.clientId());
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
        config.put(ProducerConfig.LINGER_MS_CONFIG, lingerMs);
        config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, deliveryMs);
        // the client insists on delivery timeout >= linger + request timeout
        config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (deliveryMs - lingerMs) / 2);
        // send() itself may wait for a topic's metadata or buffer space: on the sender thread, and not for long
        config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, Math.min(deliveryMs, 5_000));
        return config;
    }
}
