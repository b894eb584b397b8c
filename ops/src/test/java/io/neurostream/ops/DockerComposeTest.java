package io.neurostream.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.neurostream.ops.internal.Settings;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.ParseResult;

/**
 * docker-compose.yml, read as YAML and checked against the command line, since no Docker engine runs
 * where the project is built: the services exist, Kafka is the official image in KRaft mode, and every
 * NeuroStream service runs a command that picocli parses against {@link Main}, on the jars this build
 * makes, pointed at the kafka service's internal listener.
 */
class DockerComposeTest {
    private static final Path COMPOSE = Path.of("..", "docker-compose.yml");
    private static final Pattern LISTENER = Pattern.compile("(\\w+)://([^:,]*):(\\d+)");
    private static JsonNode services;

    @BeforeAll
    static void read() throws IOException {
        // YAMLMapper resolves the x-neurostream anchor and the "<<" merges into plain objects
        services = new YAMLMapper().readTree(COMPOSE.toFile()).get("services");
        assertThat(services).as("services of " + COMPOSE).isNotNull();
    }

    @Test
    void shouldRunKafkaFromTheOfficialImageInKraftModeWithAnInternalAndAHostListener() {
        JsonNode kafka = services.get("kafka");
        assertThat(kafka.get("image").asText()).matches("apache/kafka:\\d+\\.\\d+\\.\\d+");
        JsonNode env = kafka.get("environment");
        assertThat(env.get("KAFKA_PROCESS_ROLES").asText()).isEqualTo("broker,controller");
        assertThat(env.get("KAFKA_CONTROLLER_QUORUM_VOTERS").asText()).isEqualTo("1@kafka:9093");
        assertThat(env.get("KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR").asInt()).isEqualTo(1);
        assertThat(env.get("KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR").asInt()).isEqualTo(1);
        assertThat(env.get("KAFKA_TRANSACTION_STATE_LOG_MIN_ISR").asInt()).isEqualTo(1);

        Map<String, String> advertised = listeners(env.get("KAFKA_ADVERTISED_LISTENERS").asText());
        assertThat(advertised).containsEntry("INTERNAL", "kafka:" + internalPort())
                .containsEntry("EXTERNAL", "localhost:9092");
        assertThat(listeners(env.get("KAFKA_LISTENERS").asText())).containsEntry("INTERNAL", ":" + internalPort())
                .containsEntry("EXTERNAL", ":9092").containsKey("CONTROLLER");
        assertThat(env.get("KAFKA_INTER_BROKER_LISTENER_NAME").asText()).isEqualTo("INTERNAL");
        assertThat(texts(kafka.get("ports"))).containsExactly("9092:9092");
        assertThat(texts(kafka.get("healthcheck").get("test"))).contains("kafka:" + internalPort());
    }

    @Test
    void shouldRunEachServiceAsACommandOfTheCommandLineAgainstTheKafkaService() throws IOException {
        Map<String, String> expected = new LinkedHashMap<>();
        expected.put("topics", "topics");
        expected.put("simulator", "simulate");
        expected.put("analytics", "analytics");
        String jar = "ops/target/neurostream-ops-" + version() + ".jar";

        for (Map.Entry<String, String> e : expected.entrySet()) {
            JsonNode service = services.get(e.getKey());
            assertThat(service).as(e.getKey()).isNotNull();
            assertThat(service.get("image").asText()).isEqualTo("eclipse-temurin:17-jre");
            assertThat(service.get("working_dir").asText()).isEqualTo("/neurostream");
            assertThat(texts(service.get("volumes"))).contains(".:/neurostream:ro");
            assertThat(service.has("build")).as("no image is built").isFalse();

            List<String> command = texts(service.get("command"));
            assertThat(command.get(0)).isEqualTo("java");
            int main = command.indexOf(Main.class.getName());
            assertThat(main).as(e.getKey() + " runs " + Main.class.getName()).isPositive();
            String classpath = command.get(command.indexOf("-cp") + 1);
            assertThat(classpath.split(":")).containsExactly(jar, "ops/target/lib/*");

            String[] args = command.subList(main + 1, command.size()).toArray(String[]::new);
            ParseResult parsed = Main.commandLine(Map.of()).parseArgs(args);
            assertThat(parsed.subcommand()).as(e.getKey()).isNotNull();
            CommandLine sub = parsed.subcommand().commandSpec().commandLine();
            assertThat(sub.getCommandName()).isEqualTo(e.getValue());
            assertThat(parsed.subcommand().matchedOptionValue("--bootstrap-server", (String) null))
                    .isEqualTo("kafka:" + internalPort());
        }
    }

    @Test
    void shouldStartTheServicesOnlyOnceTheTopicsExistAndTheTopicsOnceKafkaIsHealthy() {
        assertThat(services.get("topics").get("depends_on").get("kafka").get("condition").asText())
                .isEqualTo("service_healthy");
        for (String s : List.of("simulator", "analytics")) {
            assertThat(services.get(s).get("depends_on").get("topics").get("condition").asText())
                    .isEqualTo("service_completed_successfully");
        }
    }

    @Test
    void shouldSetOnlyKnownNeuroStreamSettingsThroughTheEnvironment() {
        services.fields().forEachRemaining(e -> {
            JsonNode env = e.getValue().get("environment");
            if (env == null) {
                return;
            }
            Map<String, String> vars = new LinkedHashMap<>();
            env.fields().forEachRemaining(v -> vars.put(v.getKey(), v.getValue().asText()));
            // throws on an unknown neurostream./simulator./analytics. key
            Settings.resolve(Map.of(), null, vars, List.of(), null, NeuroStreamConfigs.all(), Settings.kafkaClientKeys());
        });
        assertThat(services.get("simulator").get("environment").get("NEUROSTREAM_SIMULATOR_INSTANCE_ID")).isNotNull();
    }

    /** The port of the INTERNAL listener the other containers use. */
    private static String internalPort() {
        String adv = services.get("kafka").get("environment").get("KAFKA_ADVERTISED_LISTENERS").asText();
        return listeners(adv).get("INTERNAL").split(":")[1];
    }

    private static Map<String, String> listeners(String spec) {
        Map<String, String> m = new LinkedHashMap<>();
        Matcher matcher = LISTENER.matcher(spec);
        while (matcher.find()) {
            m.put(matcher.group(1), matcher.group(2) + ":" + matcher.group(3));
        }
        return m;
    }

    private static List<String> texts(JsonNode array) {
        List<String> l = new ArrayList<>();
        array.forEach(n -> l.add(n.asText()));
        return l;
    }

    private static String version() throws IOException {
        Properties p = new Properties();
        try (InputStream in = Main.class.getResourceAsStream("version.properties")) {
            p.load(in);
        }
        return p.getProperty("version");
    }
}
