package io.neurostream.analytics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.LogAndContinueExceptionHandler;
import org.junit.jupiter.api.Test;

class AnalyticsConfigTest {

    @Test
    void shouldDefaultToTheDocumentedValues() {
        AnalyticsConfig c = AnalyticsConfig.defaults();
        assertThat(c.topicPrefix()).isEqualTo("neurostream.");
        assertThat(c.applicationId()).isEqualTo("neurostream.analytics");
        assertThat(c.windowSizeMs()).isEqualTo(1000);
        assertThat(c.windowAdvanceMs()).isEqualTo(100);
        assertThat(c.windowGraceMs()).isEqualTo(200);
        assertThat(c.exactlyOnce()).isTrue();
        assertThat(c.standbyReplicas()).isZero();
        assertThat(c.frameMaxJumpMs()).isEqualTo(60_000);
        assertThat(c.alertDefaults()).isEqualTo(new AlertSettings(3, 0.4, 3.0, 50.0, 0.5));
        assertThat(c.alertSettings("any")).isEqualTo(c.alertDefaults());
        for (String key : AnalyticsConfig.DEF.names()) {
            assertThat(AnalyticsConfig.DEF.configKeys().get(key).documentation).as(key).isNotBlank();
        }
    }

    @Test
    void shouldDeriveTheApplicationIdFromThePrefixUnlessOneIsGiven() {
        assertThat(new AnalyticsConfig(Map.of(AnalyticsConfig.TOPIC_PREFIX, "lab2.")).applicationId())
                .as("two prefixes on one cluster must not share a group").isEqualTo("lab2.analytics");
        assertThat(new AnalyticsConfig(Map.of(AnalyticsConfig.TOPIC_PREFIX, "lab2.", "application.id", "mine"))
                .applicationId()).as("Kafka Streams' own key, when the analytics key is unset").isEqualTo("mine");
        assertThat(new AnalyticsConfig(Map.of("application.id", "mine", AnalyticsConfig.APPLICATION_ID, "ours"))
                .applicationId()).isEqualTo("ours");
    }

    @Test
    void shouldPassOtherKeysToKafkaStreamsAndLetTheAnalyticsKeysWin() {
        AnalyticsConfig c = new AnalyticsConfig(Map.of("bootstrap.servers", "k:9092", "application.id", "ignored",
                AnalyticsConfig.APPLICATION_ID, "lab-analytics", AnalyticsConfig.STANDBY_REPLICAS, "1"));
        assertThat(c.streamsProperties()).containsOnlyKeys("bootstrap.servers", "application.id");
        Properties p = AnalyticsApp.config(c);
        assertThat(p).containsEntry("bootstrap.servers", "k:9092")
                .containsEntry(StreamsConfig.APPLICATION_ID_CONFIG, "lab-analytics")
                .containsEntry(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2)
                .containsEntry(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, 1)
                .containsEntry(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG,
                        LogAndContinueExceptionHandler.class.getName())
                .doesNotContainKey("consumer.isolation.level");
    }

    @Test
    void shouldReadOnlyCommittedFramesAlsoAtLeastOnce() {
        Properties p = AnalyticsApp.config(new AnalyticsConfig(Map.of(AnalyticsConfig.EXACTLY_ONCE, "false")));
        assertThat(p).containsEntry(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.AT_LEAST_ONCE)
                .containsEntry("consumer.isolation.level", "read_committed");
    }

    @Test
    void shouldReadPerNetworkAlertOverridesWhoseIdsMayHoldDots() {
        AnalyticsConfig c = new AnalyticsConfig(Map.of(
                "analytics.alert.ei.ratio.max", "4",
                "analytics.alert.lab1.cuba.ei.ratio.max", "8.0",
                "analytics.alert.lab1.cuba.consecutive.windows", "5",
                "analytics.alert.demo.silence.rate.hz", "0"));
        assertThat(c.alertSettings("lab1.cuba")).isEqualTo(new AlertSettings(5, 0.4, 8.0, 50.0, 0.5));
        assertThat(c.alertSettings("demo")).isEqualTo(new AlertSettings(3, 0.4, 4.0, 50.0, 0.0));
        assertThat(c.alertSettings("other")).isEqualTo(new AlertSettings(3, 0.4, 4.0, 50.0, 0.5));
        assertThat(c.alertOverrides()).containsOnlyKeys("lab1.cuba", "demo");
        assertThat(c.streamsProperties()).isEmpty();
    }

    @Test
    void shouldFailLoudlyOnMisspelledOrInvalidSettings() {
        assertThatThrownBy(() -> new AnalyticsConfig(Map.of("analytics.window.sise.ms", "10")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("unknown analytics setting");
        assertThatThrownBy(() -> new AnalyticsConfig(Map.of("analytics.alert.net.ratio.max", "10")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("unknown analytics setting");
        assertThatThrownBy(() -> new AnalyticsConfig(Map.of("analytics.alert.net.consecutive.windows", "0")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("analytics.alert.net.consecutive.windows");
        assertThatThrownBy(() -> new AnalyticsConfig(Map.of("analytics.alert.net.runaway.rate.hz", "fast")))
                .isInstanceOf(ConfigException.class);
        assertThatThrownBy(() -> new AnalyticsConfig(Map.of(AnalyticsConfig.WINDOW_ADVANCE_MS, "2000")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("must not exceed the window size");
        assertThatThrownBy(() -> new AnalyticsConfig(Map.of("analytics.alert.net.ei.ratio.min", "5")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("min exceeds its max");
        assertThatThrownBy(() -> new AnalyticsConfig(Map.of(AnalyticsConfig.TOPIC_PREFIX, "bad prefix")))
                .isInstanceOf(ConfigException.class);
    }
}
