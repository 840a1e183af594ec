package dev.canopy.integration.internal.kafka;

import java.time.Duration;
import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * Where domain events go in Kafka ({@code canopy.kafka.*}): the brokers (unset: no export, nothing connects), the
 * prefix of the per-family topics ({@code canopy.} gives {@code canopy.run}), how long one event may take to be
 * acknowledged before its publication is left for the next resubmission, and further producer properties (TLS,
 * SASL) passed to the client as they are. Bound by {@link KafkaExport} only when the export is on, so that without
 * Kafka not even this exists.
 */
record KafkaExportSettings(@Nullable String bootstrapServers, String topicPrefix, Duration deliveryTimeout,
        String clientId, @Nullable Map<String, String> properties) {
}
