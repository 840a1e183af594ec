package dev.canopy.integration;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.regex.Pattern;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

import kafka.server.BrokerServer;

/**
 * One Kafka broker in KRaft mode (combined broker and controller) in the test JVM, from Kafka's own test kit. Started
 * on first use and kept for the JVM; a failure to start fails the test. The broker can be stopped and started again
 * on the same port and log directory. Records carry the time the broker appended them (LogAppendTime), which the
 * benchmark reads as the moment of the acknowledgement.
 */
final class InProcessKafka {

    private static KafkaClusterTestKit cluster;

    private InProcessKafka() {
    }

    static synchronized KafkaClusterTestKit cluster() {
        if (cluster == null) {
            try {
                TestKitNodes nodes = new TestKitNodes.Builder().setCombined(true).setNumBrokerNodes(1)
                        .setNumControllerNodes(1).build();
                KafkaClusterTestKit kit = new KafkaClusterTestKit.Builder(nodes)
                        .setConfigProp("num.partitions", "4")
                        .setConfigProp("auto.create.topics.enable", "true")
                        .setConfigProp("log.message.timestamp.type", "LogAppendTime")
                        .setConfigProp("offsets.topic.replication.factor", "1")
                        .setConfigProp("group.initial.rebalance.delay.ms", "0")
                        .build();
                kit.format();
                kit.startup();
                kit.waitForReadyBrokers();
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    try {
                        kit.close();
                    }
                    catch (Exception e) {
                        // the JVM is ending anyway
                    }
                }));
                cluster = kit;
            }
            catch (Exception e) {
                throw new IllegalStateException("The in-process Kafka broker could not start", e);
            }
        }
        return cluster;
    }

    static String bootstrapServers() {
        return cluster().bootstrapServers();
    }

    private static BrokerServer broker() {
        return cluster().brokers().values().iterator().next();
    }

    /** Stops the broker (the controller stays): producers find nothing listening on its port. */
    static void stopBroker() {
        broker().shutdown();
    }

    /** Starts the stopped broker again, on its port and with its log directory. */
    static void startBroker() throws Exception {
        broker().startup();
        cluster().waitForReadyBrokers();
    }

    /** A consumer of every {@code canopy.*} topic from their beginning, in a group of its own. */
    static KafkaConsumer<String, String> consumer() {
        var properties = new Properties();
        properties.putAll(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "test-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.METADATA_MAX_AGE_CONFIG, 500));
        var consumer = new KafkaConsumer<>(properties, new StringDeserializer(), new StringDeserializer());
        consumer.subscribe(Pattern.compile("canopy\\..*"));
        return consumer;
    }

    /** Polls until {@code done} holds for what arrived so far, or fails after {@code timeout}. */
    static List<ConsumerRecord<String, String>> pollUntil(KafkaConsumer<String, String> consumer, Duration timeout,
            java.util.function.Predicate<List<ConsumerRecord<String, String>>> done) {
        List<ConsumerRecord<String, String>> received = new ArrayList<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!done.test(received)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("Kafka records did not arrive within " + timeout + "; got " + received.size()
                        + ": " + received.stream().map(r -> r.topic() + "/" + r.key()).toList());
            }
            consumer.poll(Duration.ofMillis(200)).forEach(received::add);
        }
        return received;
    }
}
