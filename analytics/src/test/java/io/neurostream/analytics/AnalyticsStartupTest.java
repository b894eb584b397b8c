package io.neurostream.analytics;

import static org.assertj.core.api.Assertions.assertThat;

import io.neurostream.broker.EmbeddedBroker;
import io.neurostream.schemas.ClusterWait;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The analytics against an address where no broker answers: Kafka Streams alone would wait, REBALANCING and
 * unready, for ever (150 s tried by hand, with the client's connection warnings only); the application
 * says within max.block.ms that nothing answered, naming the address.
 */
class AnalyticsStartupTest {
    @TempDir
    Path stateDir;

    @Test
    void shouldReportAStartFailureNamingTheAddressWhenNoBrokerAnswers() throws Exception {
        int port = EmbeddedBroker.freePort();
        Map<String, Object> props = new HashMap<>();
        props.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:" + port);
        props.put(AnalyticsConfig.TOPIC_PREFIX, "startup.");
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "3000");
        AnalyticsApp app = new AnalyticsApp(new AnalyticsConfig(props));
        try {
            app.start();
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (app.startFailure() == null && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(app.startFailure()).isInstanceOf(ClusterWait.UnreachableException.class)
                    .hasMessage("no Kafka broker answered at bootstrap.servers=127.0.0.1:" + port
                            + " within 3.0 s (max.block.ms): check the address and that the broker is up");
        } finally {
            app.close(Duration.ofSeconds(10));
        }
    }
}
