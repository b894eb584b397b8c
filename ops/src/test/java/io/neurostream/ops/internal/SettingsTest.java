package io.neurostream.ops.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.neurostream.ops.internal.Settings.Known;
import io.neurostream.ops.internal.Settings.SettingsException;
import io.neurostream.simulator.SimulatorConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SettingsTest {
    private static final Known SIM = Known.of(List.of(SimulatorConfig.DEF));
    private static final Set<String> KAFKA = Settings.kafkaClientKeys();

    @Test
    void shouldApplyDefaultsThenFileThenEnvironmentThenPropertiesThenBootstrapServer(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("sim.properties");
        Files.writeString(file, """
                simulator.frame.ms = 2.0
                simulator.commit.interval.ms=300
                simulator.status.interval.ms=400
                bootstrap.servers=file:9092
                security.protocol=SASL_SSL
                """);
        Map<String, String> env = Map.of(
                "NEUROSTREAM_SIMULATOR_COMMIT_INTERVAL_MS", "50",
                "NEUROSTREAM_SIMULATOR_STATUS_INTERVAL_MS", "500",
                "NEUROSTREAM_BOOTSTRAP_SERVERS", "env:9092",
                "HOME", "/root");
        Settings s = Settings.resolve(Map.of("bootstrap.servers", "localhost:9092", "simulator.max.lag.ms", "7"), file, env,
                List.of("simulator.status.interval.ms=600", "bootstrap.servers=prop:9092"), "flag:9092", SIM, KAFKA);

        assertThat(s.get("simulator.max.lag.ms", null)).isEqualTo("7");
        assertThat(s.source("simulator.max.lag.ms")).isEqualTo("default");
        assertThat(s.get("simulator.frame.ms", null)).isEqualTo("2.0");
        assertThat(s.source("simulator.frame.ms")).isEqualTo(file.toString());
        assertThat(s.get("simulator.commit.interval.ms", null)).isEqualTo("50");
        assertThat(s.source("simulator.commit.interval.ms")).isEqualTo("environment NEUROSTREAM_SIMULATOR_COMMIT_INTERVAL_MS");
        assertThat(s.get("simulator.status.interval.ms", null)).isEqualTo("600");
        assertThat(s.source("simulator.status.interval.ms")).isEqualTo("--property");
        assertThat(s.get("bootstrap.servers", null)).isEqualTo("flag:9092");
        assertThat(s.get("security.protocol", null)).as("security settings pass through").isEqualTo("SASL_SSL");
        assertThat(s.asMap()).doesNotContainKey("home");
        assertThat(s.warnings()).isEmpty();

        SimulatorConfig config = new SimulatorConfig(s.forService(SIM));
        assertThat(config.frameMs()).isEqualTo(2.0);
        assertThat(config.commitIntervalMs()).isEqualTo(50);
        assertThat(config.statusIntervalMs()).isEqualTo(600);
        assertThat(config.kafkaProperties()).containsEntry("bootstrap.servers", "flag:9092")
                .containsEntry("security.protocol", "SASL_SSL");
    }

    @Test
    void shouldMapEnvironmentNamesToKeysAndBack() {
        assertThat(Settings.envToKey("NEUROSTREAM_BOOTSTRAP_SERVERS")).isEqualTo("bootstrap.servers");
        assertThat(Settings.envToKey("NEUROSTREAM_SIMULATOR_FRAME_MS")).isEqualTo("simulator.frame.ms");
        assertThat(Settings.keyToEnv("neurostream.topic.prefix")).isEqualTo("NEUROSTREAM_NEUROSTREAM_TOPIC_PREFIX");
    }

    @Test
    void shouldRefuseAMisspelledNeuroStreamKeyFromEverySourceWithADidYouMean(@TempDir Path dir) throws Exception {
        assertThatThrownBy(() -> resolve(null, Map.of(), List.of("simulator.frame.mss=2")))
                .isInstanceOf(SettingsException.class)
                .hasMessage("unknown setting 'simulator.frame.mss' (--property); did you mean 'simulator.frame.ms'?");
        assertThatThrownBy(() -> resolve(null, Map.of("NEUROSTREAM_SIMULATOR_FRAMES_MS", "2"), List.of()))
                .hasMessage("unknown setting 'simulator.frames.ms' (environment NEUROSTREAM_SIMULATOR_FRAMES_MS); "
                        + "did you mean 'simulator.frame.ms'?");
        Path file = dir.resolve("a.properties");
        Files.writeString(file, "neurostream.topic.prefx=lab.\n");
        assertThatThrownBy(() -> resolve(file, Map.of(), List.of()))
                .hasMessage("unknown setting 'neurostream.topic.prefx' (" + file + "); did you mean 'neurostream.topic.prefix'?");
        assertThatThrownBy(() -> resolve(null, Map.of(), List.of("analytics.something.else=1")))
                .hasMessageStartingWith("unknown setting 'analytics.something.else' (--property)");
    }

    @Test
    void shouldAcceptKeysMatchedByAPatternSuchAsPerNetworkOverrides() {
        Known known = new Known(SimulatorConfig.DEF.names(), k -> k.startsWith("analytics.alert.") && k.endsWith(".ei.ratio.max"));
        Settings s = Settings.resolve(Map.of(), null, Map.of(), List.of("analytics.alert.demo.ei.ratio.max=5"), null, known, KAFKA);
        assertThat(s.get("analytics.alert.demo.ei.ratio.max", null)).isEqualTo("5");
        assertThat(s.forService(SIM)).doesNotContainKey("analytics.alert.demo.ei.ratio.max");
    }

    @Test
    void shouldWarnAboutKeysNoKafkaClientKnowsButPassThemOn() {
        Settings s = resolve(null, Map.of(), List.of("bootstrap.server=x:1", "producer.linger.ms=5"));
        assertThat(s.warnings()).singleElement().asString()
                .contains("'bootstrap.server' (--property)").contains("did you mean 'bootstrap.servers'?");
        assertThat(s.asMap()).containsEntry("bootstrap.server", "x:1");
    }

    @Test
    void shouldSayWhatIsWrongWithAPropertyOrAFile(@TempDir Path dir) {
        assertThatThrownBy(() -> resolve(null, Map.of(), List.of("simulator.frame.ms")))
                .hasMessageStartingWith("--property simulator.frame.ms: expected KEY=VALUE");
        assertThatThrownBy(() -> resolve(null, Map.of(), List.of("=3"))).hasMessageContaining("expected KEY=VALUE");
        assertThatThrownBy(() -> resolve(dir.resolve("nothere.properties"), Map.of(), List.of()))
                .hasMessage(dir.resolve("nothere.properties") + ": no such file (--config)");
    }

    @Test
    void shouldKeepEqualsSignsInValues() {
        Settings s = resolve(null, Map.of(), List.of("sasl.jaas.config=a b=c;"));
        assertThat(s.get("sasl.jaas.config", null)).isEqualTo("a b=c;");
    }

    private static Settings resolve(Path file, Map<String, String> env, List<String> props) {
        return Settings.resolve(Map.of(), file, env, props, null, SIM, KAFKA);
    }
}
