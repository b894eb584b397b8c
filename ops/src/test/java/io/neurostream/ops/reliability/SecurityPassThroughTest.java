package io.neurostream.ops.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.neurostream.analytics.AnalyticsApp;
import io.neurostream.analytics.AnalyticsConfig;
import io.neurostream.ops.KafkaOptions;
import io.neurostream.ops.Main;
import io.neurostream.ops.internal.Settings;
import io.neurostream.simulator.SimulatorConfig;
import io.neurostream.simulator.SimulatorService;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The security settings of a locked-down cluster (SASL over TLS, a truststore) given to
 * {@code neurostream simulate} and {@code neurostream analytics} by {@code --config FILE} and by
 * {@code --property}, reach the Kafka clients the services build: the simulator's consumer and
 * transactional producer, and Kafka Streams' main consumer, producer, restore consumer and admin client.
 * No broker: the settings are followed from the command line to the client configs.
 */
class SecurityPassThroughTest {
    private static final String JAAS = "org.apache.kafka.common.security.scram.ScramLoginModule required "
            + "username=\"team-sim\" password=\"p@ss word;=\";";

    /** The settings a command would resolve: parsed by the real command line, resolved as the command does. */
    private static Settings resolve(String command, String... args) {
        CommandLine cl = Main.commandLine(Map.of());
        String[] all = new String[args.length + 1];
        all[0] = command;
        System.arraycopy(args, 0, all, 1, args.length);
        CommandLine.ParseResult parsed = cl.parseArgs(all);
        KafkaOptions kafka = (KafkaOptions) parsed.subcommand().commandSpec().mixins().get("kafka").userObject();
        return kafka.resolve(Map.of("bootstrap.servers", KafkaOptions.DEFAULT_BOOTSTRAP_SERVERS));
    }

    private static Path clientProperties(Path dir) throws Exception {
        Path file = dir.resolve("client.properties");
        Files.writeString(file, """
                security.protocol=SASL_SSL
                sasl.mechanism=SCRAM-SHA-512
                ssl.truststore.location=/etc/neurostream/truststore.p12
                ssl.truststore.password=changeit
                ssl.truststore.type=PKCS12
                """);
        return file;
    }

    @Test
    void shouldPassSaslAndSslSettingsToTheSimulatorsConsumerAndProducer(@TempDir Path dir) throws Exception {
        Settings s = resolve("simulate", "--bootstrap-server", "kafka-1.example:9093", "--config",
                clientProperties(dir).toString(), "--property", "sasl.jaas.config=" + JAAS, "--property",
                "simulator.instance.id=sim-7");
        SimulatorConfig config = new SimulatorConfig(s.forService(Settings.Known.of(List.of(SimulatorConfig.DEF))));
        Map<String, Object> expected = Map.of("bootstrap.servers", "kafka-1.example:9093",
                "security.protocol", "SASL_SSL", "sasl.mechanism", "SCRAM-SHA-512", "sasl.jaas.config", JAAS,
                "ssl.truststore.location", "/etc/neurostream/truststore.p12", "ssl.truststore.password", "changeit",
                "ssl.truststore.type", "PKCS12");
        assertThat(SimulatorService.consumerConfig(config)).containsAllEntriesOf(expected);
        assertThat(SimulatorService.producerConfig(config)).containsAllEntriesOf(expected)
                .containsEntry("transactional.id", "neurostream.simulator-sim-7");
    }

    @Test
    void shouldPassSaslAndSslSettingsToEveryKafkaStreamsClient(@TempDir Path dir) throws Exception {
        Settings s = resolve("analytics", "--config", clientProperties(dir).toString(), "--property",
                "sasl.jaas.config=" + JAAS, "--property", "analytics.application.id=team-a-analytics");
        AnalyticsConfig config = new AnalyticsConfig(s.forService(new Settings.Known(AnalyticsConfig.DEF.names(), k -> false)));
        Properties props = AnalyticsApp.config(config);
        Map<String, Object> expected = Map.of("security.protocol", "SASL_SSL", "sasl.mechanism", "SCRAM-SHA-512",
                "sasl.jaas.config", JAAS, "ssl.truststore.location", "/etc/neurostream/truststore.p12");
        assertThat(props).containsAllEntriesOf(expected);
        StreamsConfig streams = new StreamsConfig(props);
        assertThat(streams.getMainConsumerConfigs("team-a-analytics", "c", 0)).containsAllEntriesOf(expected);
        assertThat(streams.getRestoreConsumerConfigs("r")).containsAllEntriesOf(expected);
        assertThat(streams.getProducerConfigs("p")).containsAllEntriesOf(expected);
        assertThat(streams.getAdminConfigs("a")).containsAllEntriesOf(expected);
    }
}
