package io.neurostream.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.neurostream.broker.EmbeddedBroker;
import io.neurostream.broker.SharedBroker;
import io.neurostream.ops.internal.CheckpointRecords;
import io.neurostream.schemas.TopicAdmin;
import io.neurostream.schemas.Topic;
import io.neurostream.schemas.Topics;
import io.neurostream.schemas.avro.RunMode;
import io.neurostream.schemas.avro.RunState;
import io.neurostream.schemas.avro.Status;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code neurostream state list} and {@code state drop} against a real broker in this JVM, on checkpoint
 * records written by hand: a complete checkpoint, a run's start marker, an incomplete newest checkpoint,
 * a network restarted in a new run over an older run's keys, and a stopped (tombstoned) one.
 */
class StateCommandIntegrationTest {
    private static final int PARTITIONS = 2;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Topics with {@code prefix} and the records of five networks on them. */
    private static void writeNetworks(Map<String, Object> client, String prefix) throws Exception {
        try (Admin admin = Admin.create(client)) {
            assertThat(TopicAdmin.ensureTopics(admin, TopicAdmin.Options.defaults().withPrefix(prefix)
                    .withPartitions(PARTITIONS)).ok()).isTrue();
        }
        try (Writer w = new Writer(client, prefix)) {
            // complete: a marker, then checkpoint 1 in two chunks of 300 + 20 bytes
            w.chunk("complete", 5, 0, 0, 1, 0, 0);
            w.chunk("complete", 5, 1, 0, 2, 1, 300);
            w.chunk("complete", 5, 1, 1, 2, 1, 20);
            w.status("complete", RunState.RUNNING, 100);
            // marker: only its run's start marker
            w.chunk("marker", 7, 0, 0, 1, 0, 0);
            // torn: checkpoint 2 complete in one chunk; newest checkpoint 3 has only chunk 1 of 2
            w.chunk("torn", 3, 2, 0, 1, 1, 40);
            w.chunk("torn", 3, 3, 1, 2, 1, 40);
            w.status("torn", RunState.PAUSED, 250);
            // rerun: run 1 had three chunks; run 9 started over with a marker on chunk 0
            w.chunk("rerun", 1, 5, 0, 3, 1, 10);
            w.chunk("rerun", 1, 5, 1, 3, 1, 10);
            w.chunk("rerun", 1, 5, 2, 3, 1, 10);
            w.chunk("rerun", 9, 0, 0, 1, 0, 0);
            w.status("rerun", RunState.RUNNING, 7);
            // stopped: tombstones for its chunk keys
            w.chunk("stopped", 2, 0, 0, 1, 0, 0);
            w.chunk("stopped", 2, 1, 0, 1, 1, 99);
            w.tombstone("stopped", 0);
            w.status("stopped", RunState.STOPPED, 300);
        }
    }

    @Test
    void shouldListWhatASimulatorWouldRestoreAndWhatItCouldNot() throws Exception {
        EmbeddedBroker kafka = SharedBroker.get();
        String prefix = "stl.";
        writeNetworks(kafka.clientConfig(), prefix);

        Cli table = list(kafka, prefix);
        Cli json = list(kafka, prefix, "--format", "json");

        assertThat(table.exitCode()).as(table.err()).isZero();
        List<String> lines = table.out().lines().toList();
        assertThat(lines.get(0)).matches("NETWORK +RUN +CHECKPOINT +TICK +JOURNAL_SEQ +FORMAT +SIZE_BYTES +CHUNKS +TAKEN_AT +STATUS");
        assertThat(lines).anyMatch(l -> l.matches("complete +5 +1 +100 +10 +1 +320 +2 +2023-11-14T22:13:20Z +RUNNING"))
                .anyMatch(l -> l.matches("marker +7 +0 +0 +0 +marker +0 +1 +\\S+ +-"))
                .anyMatch(l -> l.matches("torn +3 +2 +200 +20 +1 +40 +1 +\\S+ +PAUSED"))
                .anyMatch(l -> l.matches("rerun +9 +0 +0 +0 +marker +0 +1 +\\S+ +RUNNING"))
                .noneMatch(l -> l.startsWith("stopped"))
                .contains("unusable:")
                .anyMatch(l -> l.startsWith("  torn (status PAUSED): checkpoint 3 of run 3 is incomplete: chunks [1] of 2")
                        && l.endsWith("checkpoint 2 is restored instead"));
        assertThat(json.exitCode()).as(json.err()).isZero();
        JsonNode root = JSON.readTree(json.out());
        assertThat(root.get("networks")).hasSize(4);
        JsonNode complete = root.get("networks").get(0);
        assertThat(complete.get("network_id").asText()).isEqualTo("complete");
        assertThat(complete.get("size_bytes").asLong()).isEqualTo(320);
        assertThat(complete.get("status_tick").asLong()).isEqualTo(100);
        assertThat(root.get("unusable")).hasSize(1);
        assertThat(root.get("unusable").get(0).get("restored_checkpoint_id").asLong()).isEqualTo(2);

        Cli one = list(kafka, prefix, "--network", "marker");
        assertThat(one.out().lines()).hasSize(2).last().asString().startsWith("marker ");
    }

    @Test
    void shouldDropEveryKeyOfOneNetworkOnlyOnceNoSimulatorIsInTheGroup() throws Exception {
        EmbeddedBroker kafka = SharedBroker.get();
        String prefix = "std.";
        writeNetworks(kafka.clientConfig(), prefix);
        Map<TopicKey, Integer> before = keysAndValues(kafka, prefix);

        // a member of the simulators' group, subscribed and polling: drop must refuse
        try (GroupMember member = GroupMember.join(kafka.clientConfig(), prefix + "simulator", prefix + "control")) {
            Cli refused = drop(kafka, prefix, "rerun", "--yes");

            assertThat(refused.exitCode()).isEqualTo(1);
            assertThat(refused.err().lines()).hasSize(1).first().asString()
                    .startsWith("neurostream: the simulator group std.simulator has 1 active member (")
                    .endsWith("stop the simulators first, or --force");
            assertThat(keysAndValues(kafka, prefix)).isEqualTo(before);
        }

        // typed back wrong: nothing happens
        Cli mismatch = withStdin("reruns\n", () -> drop(kafka, prefix, "rerun"));
        assertThat(mismatch.exitCode()).isEqualTo(1);
        assertThat(mismatch.out()).contains("std.checkpoints: 3 live keys (rerun/0, rerun/1, rerun/2), runs 1, 9");
        assertThat(mismatch.err()).isEqualTo("neurostream: not dropped: 'reruns' is not 'rerun'\n");
        assertThat(keysAndValues(kafka, prefix)).isEqualTo(before);

        Cli dropped = withStdin("rerun\n", () -> drop(kafka, prefix, "rerun"));

        assertThat(dropped.exitCode()).as(dropped.err()).isZero();
        assertThat(dropped.out()).contains("dropped network rerun: 3 checkpoint key tombstones and its status tombstone");
        Map<TopicKey, Integer> expected = new HashMap<>(before);
        for (int c = 0; c < 3; c++) {
            expected.remove(new TopicKey(prefix + "checkpoints", "rerun/" + c));
        }
        expected.remove(new TopicKey(prefix + "status", "rerun"));
        assertThat(awaitKeys(kafka, prefix, expected)).as("exactly rerun's keys are gone").isEqualTo(expected);
        Cli after = list(kafka, prefix);
        assertThat(after.out().lines()).noneMatch(l -> l.startsWith("rerun")).anyMatch(l -> l.startsWith("complete"));

        Cli again = drop(kafka, prefix, "rerun", "--yes");
        assertThat(again.exitCode()).isEqualTo(1);
        assertThat(again.err()).startsWith("neurostream: nothing to drop: no live key of network 'rerun'");
    }

    @Test
    void shouldListAndDropOnAStoppedDemosDataDirectory(@TempDir Path data) throws Exception {
        try (EmbeddedBroker demo = EmbeddedBroker.builder().dataDir(data.resolve("kafka")).build().start()) {
            writeNetworks(demo.clientConfig(), Topics.DEFAULT_PREFIX);
        }

        Cli listed = Cli.run("state", "list", "--data-dir", data.toString());
        Cli dropped = Cli.run("state", "drop", "torn", "--data-dir", data.toString(), "--yes");
        Cli after = Cli.run("state", "list", "--data-dir", data.toString());

        assertThat(listed.exitCode()).as(listed.err()).isZero();
        assertThat(listed.err()).startsWith("starting the demo's Kafka broker on its data in " + data.resolve("kafka"));
        assertThat(listed.out().lines()).anyMatch(l -> l.startsWith("torn ")).anyMatch(l -> l.startsWith("complete "));
        assertThat(dropped.exitCode()).as(dropped.err()).isZero();
        assertThat(dropped.out()).contains("dropped network torn: 2 checkpoint key tombstones and its status tombstone");
        assertThat(after.out().lines()).noneMatch(l -> l.contains("torn")).anyMatch(l -> l.startsWith("complete "));
    }

    @Test
    void shouldRefuseBothPlacesAtOnceAndADirectoryWithoutDemoData(@TempDir Path empty) {
        Cli both = Cli.run("state", "list", "--data-dir", empty.toString(), "--bootstrap-server", "localhost:1");
        Cli none = Cli.run("state", "list", "--data-dir", empty.toString());

        assertThat(both.exitCode()).isEqualTo(2);
        assertThat(both.err().lines()).hasSize(1).first().asString().contains("--data-dir and --bootstrap-server exclude each other");
        assertThat(none.exitCode()).isEqualTo(1);
        assertThat(none.err()).isEqualTo("neurostream: " + empty.toAbsolutePath().normalize() + " holds no demo data (no "
                + empty.toAbsolutePath().normalize().resolve("kafka/logs/meta.properties") + ")\n");
    }

    private static Cli list(EmbeddedBroker kafka, String prefix, String... more) {
        List<String> args = new ArrayList<>(List.of("state", "list", "--bootstrap-server", kafka.bootstrapServers(),
                "--property", "neurostream.topic.prefix=" + prefix));
        args.addAll(List.of(more));
        return Cli.run(args.toArray(String[]::new));
    }

    private static Cli drop(EmbeddedBroker kafka, String prefix, String id, String... more) {
        List<String> args = new ArrayList<>(List.of("state", "drop", id, "--bootstrap-server", kafka.bootstrapServers(),
                "--property", "neurostream.topic.prefix=" + prefix));
        args.addAll(List.of(more));
        return Cli.run(args.toArray(String[]::new));
    }

    private interface CliRun {
        Cli run();
    }

    private static Cli withStdin(String text, CliRun run) {
        InputStream saved = System.in;
        System.setIn(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)));
        try {
            return run.run();
        } finally {
            System.setIn(saved);
        }
    }

    private record TopicKey(String topic, String key) {
    }

    /** Every live key of both topics with the hash of its latest value (committed records, to the end). */
    /**
     * The live keys once they equal {@code expected}, or as they are after 15 s: a committed transaction's
     * markers reach the partitions just after the commit returns, and until then a read_committed reader
     * stops before its records.
     */
    private static Map<TopicKey, Integer> awaitKeys(EmbeddedBroker kafka, String prefix, Map<TopicKey, Integer> expected)
            throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        Map<TopicKey, Integer> now = keysAndValues(kafka, prefix);
        while (!now.equals(expected) && System.nanoTime() < deadline) {
            Thread.sleep(200);
            now = keysAndValues(kafka, prefix);
        }
        return now;
    }

    private static Map<TopicKey, Integer> keysAndValues(EmbeddedBroker kafka, String prefix) {
        Map<TopicKey, Integer> live = new HashMap<>();
        for (Topic<?> t : List.of(Topics.CHECKPOINTS, Topics.STATUS)) {
            String topic = t.name(prefix);
            StateCommand.readAll(new HashMap<>(kafka.clientConfig()), prefix, t, Duration.ofSeconds(30), (p, o, key, value) -> {
                if (value == null) {
                    live.remove(new TopicKey(topic, key));
                } else {
                    live.put(new TopicKey(topic, key), java.util.Arrays.hashCode(value));
                }
            });
        }
        return live;
    }

    /** Writes checkpoint chunks, tombstones and statuses, each on its network's partition. */
    private static final class Writer implements AutoCloseable {
        private final KafkaProducer<String, byte[]> producer;
        private final String prefix;

        Writer(Map<String, Object> client, String prefix) {
            this.producer = new KafkaProducer<>(client, new StringSerializer(), new ByteArraySerializer());
            this.prefix = prefix;
        }

        void chunk(String id, long run, long checkpointId, int chunk, int chunks, int format, int dataBytes) throws Exception {
            producer.send(new ProducerRecord<>(prefix + "checkpoints", Topics.partitionOf(id, PARTITIONS),
                    Topics.chunkKey(id, chunk), CheckpointRecords.chunk(id, run, checkpointId, chunk,
                            chunks, format, dataBytes))).get();
        }

        void tombstone(String id, int chunk) throws Exception {
            producer.send(new ProducerRecord<>(prefix + "checkpoints", Topics.partitionOf(id, PARTITIONS),
                    Topics.chunkKey(id, chunk), null)).get();
        }

        void status(String id, RunState state, long tick) throws Exception {
            Status s = Status.newBuilder().setNetworkId(id).setState(state).setMode(RunMode.REALTIME).setTick(tick)
                    .setSimTimeMs(tick * 0.1).setDtMs(0.1).setRunEpochMs(1_700_000_000_000L).setSpeed(1.0)
                    .setRealtimeFactor(1.0).setUpdatedAtMs(System.currentTimeMillis()).setRejectedCount(0)
                    .setStalledMs(0).build();
            producer.send(new ProducerRecord<>(prefix + "status", id, Topics.STATUS.valueSerde().encode(s))).get();
        }

        @Override
        public void close() {
            producer.close();
        }
    }

    /** A plain consumer in a group, subscribed and polling on its own thread, until closed. */
    private static final class GroupMember implements AutoCloseable {
        private final AtomicBoolean stop = new AtomicBoolean();
        private final AtomicBoolean assigned = new AtomicBoolean();
        private final Thread thread;

        private GroupMember(Map<String, Object> client, String group, String topic) {
            Map<String, Object> c = new HashMap<>(client);
            c.put(ConsumerConfig.GROUP_ID_CONFIG, group);
            thread = new Thread(() -> {
                try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(c, new StringDeserializer(),
                        new StringDeserializer())) {
                    consumer.subscribe(List.of(topic));
                    while (!stop.get()) {
                        consumer.poll(Duration.ofMillis(100));
                        if (!consumer.assignment().isEmpty()) {
                            assigned.set(true);
                        }
                    }
                }
            }, "state-test-group-member");
            thread.start();
        }

        static GroupMember join(Map<String, Object> client, String group, String topic) throws InterruptedException {
            GroupMember m = new GroupMember(client, group, topic);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (!m.assigned.get() && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(m.assigned.get()).as("the member got partitions within 30 s").isTrue();
            return m;
        }

        @Override
        public void close() throws InterruptedException {
            stop.set(true);
            thread.join(30_000);
        }
    }
}
