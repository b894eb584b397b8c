package io.neurostream.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.neurostream.schemas.Topics;
import io.neurostream.schemas.avro.AppliedInput;
import io.neurostream.schemas.avro.ExternalInput;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code neurostream send} against a real SimulatorService on the in-JVM broker: a file with a bad line
 * in the middle, read back from the journal; a network that does not exist or is stopped.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class SendCommandIntegrationTest {
    @RegisterExtension
    static final ServiceFixture service = new ServiceFixture("send-", 2);

    @TempDir
    Path dir;

    private static Cli cli(String... args) {
        return service.cli(args);
    }

    private void create(String id) throws Exception {
        service.create(dir, id, CreateAndControlCommandsIntegrationTest.SPEC);
    }

    /** The input ids of every input of the network journaled so far (committed), in journal order. */
    private static List<String> journaledInputIds(String networkId) {
        String topic = Topics.JOURNAL.name(service.prefix());
        Map<String, Object> c = new HashMap<>(service.kafka().clientConfig());
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        List<String> ids = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(c, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            TopicPartition tp = new TopicPartition(topic, Topics.partitionOf(networkId, 2));
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            long end = consumer.endOffsets(List.of(tp)).get(tp);
            while (consumer.position(tp) < end) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                    if (!networkId.equals(r.key()) || r.value() == null) {
                        continue;
                    }
                    AppliedInput a = Topics.JOURNAL.valueSerde().decode(r.value());
                    if (a.getPayload() instanceof ExternalInput in && a.getTick() >= 0) {
                        ids.add(in.getInputId());
                    }
                }
            }
        }
        return ids;
    }

    @Test
    void shouldSendTheGoodLinesAroundABadOneEachExactlyOnce() throws Exception {
        create("sender");
        Path file = dir.resolve("in.jsonl");
        Files.writeString(file, """
                # three good inputs around a bad one
                {"target": {"populations": ["E"]}, "current": 5, "tick": 2, "duration_ticks": 3}
                {"target": {"neurons": [1, 2]}, "current": 3, "at_ms": 0.5, "duration_ms": 0.3}
                {"target": {"populations": ["E"]}, "current": }
                {"target": {"populations": ["I"]}, "rate_hz": 100, "weight": 0.5, "tick": 4, "input_id": "poisson-1"}
                """);

        Cli sent = cli("send", "sender", file.toString());

        assertThat(sent.exitCode()).isEqualTo(1);
        assertThat(sent.out()).isEqualTo("sent 3 inputs (1 lines rejected) to sender\n");
        assertThat(sent.err().lines().toList()).singleElement().asString()
                .startsWith(file + ":4: not valid JSON: Unexpected character ('}'");
        assertThat(cli("control", "sender", "step", "20").exitCode()).isZero();
        List<String> expected = List.of("in.jsonl:2", "in.jsonl:3", "poisson-1");
        long deadline = System.currentTimeMillis() + 30_000;
        List<String> journaled = journaledInputIds("sender");
        while (!journaled.containsAll(expected) && System.currentTimeMillis() < deadline) {
            Thread.sleep(100);
            journaled = journaledInputIds("sender");
        }
        assertThat(journaled).containsExactlyInAnyOrderElementsOf(expected);
    }

    @Test
    void shouldSendNothingToANetworkThatDoesNotExist() throws Exception {
        Path file = dir.resolve("in.csv");
        Files.writeString(file, "tick,target,current\n1,E,2\n");

        Cli c = cli("send", "nobody-here", file.toString());

        assertThat(c.exitCode()).isEqualTo(1);
        assertThat(c.out()).isEmpty();
        assertThat(c.err()).isEqualTo("neurostream: no network 'nobody-here': it has no status on " + service.prefix()
                + "status (never created, or deleted); nothing sent\n");
    }

    @Test
    void shouldSendNothingToAStoppedNetwork() throws Exception {
        create("stopped");
        assertThat(cli("control", "stopped", "stop").exitCode()).isZero();
        Path file = dir.resolve("in.csv");
        Files.writeString(file, "tick,target,current\n1,E,2\n");

        Cli c = cli("send", "stopped", file.toString());

        assertThat(c.exitCode()).isEqualTo(1);
        assertThat(c.err()).contains("network 'stopped' is STOPPED and takes no inputs; nothing sent");
        assertThat(journaledInputIds("stopped")).isEmpty();
    }

    @Test
    void shouldSendCsvCurrentsAndExitZero() throws Exception {
        create("csv");
        Path file = dir.resolve("currents.csv");
        Files.writeString(file, "tick,target,current,duration_ticks\n1,E,2,3\n2,neurons:4 5,1.5,\n");

        Cli c = cli("send", "csv", file.toString());

        assertThat(c.exitCode()).as(c.err()).isZero();
        assertThat(c.out()).isEqualTo("sent 2 inputs (0 lines rejected) to csv\n");
    }

    @Test
    void shouldRefuseABadCsvHeaderBeforeSendingAnything() throws Exception {
        create("header");
        Path file = dir.resolve("bad.csv");
        Files.writeString(file, "tick,target,amps\n1,E,2\n");

        Cli c = cli("send", "header", file.toString());

        assertThat(c.exitCode()).isEqualTo(2);
        assertThat(c.err()).startsWith("neurostream: " + file + ":1: ").contains("'amps'", "nothing sent");
    }
}
