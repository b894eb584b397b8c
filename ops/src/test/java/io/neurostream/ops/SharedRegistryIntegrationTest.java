package io.neurostream.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.neurostream.analytics.AnalyticsApp;
import io.neurostream.analytics.AnalyticsConfig;
import io.neurostream.broker.EmbeddedBroker;
import io.neurostream.broker.SharedBroker;
import io.neurostream.schemas.TopicAdmin;
import io.neurostream.simulator.SimulatorConfig;
import io.neurostream.simulator.SimulatorService;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;

/**
 * As in {@code demo}: a simulator and the analytics in one JVM, on one registry. Micrometer's Kafka client
 * binder and its Kafka Streams binder register meters of the same names (kafka_consumer_*, kafka_producer_*);
 * each must keep its own series, told apart by {@code instance}, rather than one binder dropping the other's.
 */
class SharedRegistryIntegrationTest {

    @Test
    void shouldKeepTheSimulatorsAndTheAnalyticsKafkaClientSeriesSideBySide() throws Exception {
        EmbeddedBroker kafka = SharedBroker.get();
        String prefix = "shared-" + UUID.randomUUID().toString().substring(0, 8) + ".";
        try (Admin admin = kafka.admin()) {
            assertThat(TopicAdmin.ensureTopics(admin, TopicAdmin.Options.defaults().withPrefix(prefix).withPartitions(1)).ok())
                    .isTrue();
        }
        Map<String, Object> sim = new HashMap<>(kafka.clientConfig());
        sim.put(SimulatorConfig.TOPIC_PREFIX, prefix);
        sim.put(SimulatorConfig.GROUP_ID, prefix + "simulator");
        sim.put(SimulatorConfig.INSTANCE_ID, "shared-sim");
        Map<String, Object> an = new HashMap<>(kafka.clientConfig());
        an.put(AnalyticsConfig.TOPIC_PREFIX, prefix);
        an.put(AnalyticsConfig.APPLICATION_ID, prefix + "analytics");
        an.put("state.dir", Files.createTempDirectory("shared-registry").toString());
        try (MetricsEndpoint metrics = MetricsEndpoint.start(OpsHttpServer.DEFAULT_HOST, null, "shared-sim", () -> null,
                () -> null, new PrintWriter(new StringWriter()));
                SimulatorService simulator = new SimulatorService(new SimulatorConfig(sim), metrics.registry());
                AnalyticsApp analytics = new AnalyticsApp(new AnalyticsConfig(an), metrics.registry())) {
            simulator.start();
            analytics.start();
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while ((simulator.notReadyBecause() != null || analytics.state() != KafkaStreams.State.RUNNING)
                    && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertThat(simulator.notReadyBecause()).isNull();
            assertThat(analytics.state()).isEqualTo(KafkaStreams.State.RUNNING);

            String scrape = metrics.registry().scrape();
            String analyticsInstance = "instance=\"" + prefix + "analytics\"";
            for (String client : new String[] {"kafka_consumer_", "kafka_producer_"}) {
                assertThat(scrape.lines().filter(l -> l.startsWith(client) && l.contains("instance=\"shared-sim\"")))
                        .as("the simulator's %s series", client).isNotEmpty();
                assertThat(scrape.lines().filter(l -> l.startsWith(client) && l.contains(analyticsInstance)))
                        .as("the analytics' %s series", client).isNotEmpty();
            }
            assertThat(scrape.lines().filter(l -> l.startsWith("kafka_stream_") && l.contains(analyticsInstance))).isNotEmpty();
            assertThat(scrape.lines().filter(l -> l.startsWith("jvm_memory_used_bytes")))
                    .isNotEmpty().allMatch(l -> l.contains("instance=\"shared-sim\""));
            assertThat(scrape.lines().filter(l -> !l.startsWith("#") && !l.isBlank())).allMatch(l -> l.contains("instance=\""));
        }
    }
}
