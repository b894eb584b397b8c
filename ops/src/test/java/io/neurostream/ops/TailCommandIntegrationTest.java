package io.neurostream.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.neurostream.broker.EmbeddedBroker;
import io.neurostream.broker.SharedBroker;
import io.neurostream.ops.internal.CheckpointRecords;
import io.neurostream.schemas.SpikeBatches;
import io.neurostream.schemas.TopicAdmin;
import io.neurostream.schemas.Topics;
import io.neurostream.schemas.avro.RunMode;
import io.neurostream.schemas.avro.RunState;
import io.neurostream.schemas.avro.SpikeBatch;
import io.neurostream.schemas.avro.Status;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

/**
 * {@code neurostream tail} against a real broker in this JVM, on records written by hand: spike batches
 * of two networks that share a partition, a Status and a tombstone, checkpoint chunks, and a record that
 * does not decode.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TailCommandIntegrationTest {
    private static final int PARTITIONS = 2;
    private static final String PREFIX = "tail.";
    /**
     * The records' timestamp: now. A fixed date in the past made them older than the spikes topic's one-day
     * retention, and the broker's retention check (every 5 minutes) deleted them under a test now and then.
     */
    private static final long TIMESTAMP_MS = System.currentTimeMillis();
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Two networks on the same partition, so that --network must filter by key, not only by partition. */
    private static final String NET_A = "net-a";
    private static String netB;
    private static EmbeddedBroker kafka;

    @BeforeAll
    static void writeRecords() throws Exception {
        kafka = SharedBroker.get();
        netB = sharingPartitionWith(NET_A);
        try (Admin admin = Admin.create(kafka.clientConfig())) {
            assertThat(TopicAdmin.ensureTopics(admin, TopicAdmin.Options.defaults().withPrefix(PREFIX)
                    .withPartitions(PARTITIONS)).ok()).isTrue();
        }
        try (KafkaProducer<String, byte[]> p = new KafkaProducer<>(kafka.clientConfig(), new StringSerializer(),
                new ByteArraySerializer())) {
            // net-a, frame 0 from tick 100: neurons 3 and 7 on tick 100, neuron 5 on tick 102
            SpikeBatch a = new SpikeBatches.Builder().addTick(0, new int[] {3, 7}, 2).addTick(2, new int[] {5}, 1)
                    .build(NET_A, 0, 100, 4);
            SpikeBatch b = new SpikeBatches.Builder().addTick(1, new int[] {42}, 1).build(netB, 0, 0, 4);
            send(p, "spikes", NET_A, Topics.SPIKES.valueSerde().encode(a));
            send(p, "spikes", netB, Topics.SPIKES.valueSerde().encode(b));
            send(p, "spikes", NET_A, "not avro".getBytes(StandardCharsets.UTF_8));
            send(p, "status", NET_A, Topics.STATUS.valueSerde().encode(status(NET_A)));
            send(p, "status", netB, null);
            send(p, "rates", "early", null);
            p.send(new ProducerRecord<>(PREFIX + "checkpoints", Topics.partitionOf(NET_A, PARTITIONS), TIMESTAMP_MS,
                    Topics.chunkKey(NET_A, 0), CheckpointRecords.chunk(NET_A, 1, 1, 0, 1, 1, 2000))).get();
            p.send(new ProducerRecord<>(PREFIX + "checkpoints", Topics.partitionOf(netB, PARTITIONS), TIMESTAMP_MS,
                    Topics.chunkKey(netB, 0), CheckpointRecords.chunk(netB, 1, 1, 0, 1, 1, 16))).get();
        }
    }

    private static void send(KafkaProducer<String, byte[]> p, String topic, String key, byte[] value) throws Exception {
        p.send(new ProducerRecord<>(PREFIX + topic, null, TIMESTAMP_MS, key, value)).get();
    }

    private static String sharingPartitionWith(String id) {
        for (int i = 0; ; i++) {
            String other = "net-" + i;
            if (Topics.partitionOf(other, PARTITIONS) == Topics.partitionOf(id, PARTITIONS)) {
                return other;
            }
        }
    }

    private static Status status(String id) {
        return Status.newBuilder().setNetworkId(id).setState(RunState.RUNNING).setMode(RunMode.REALTIME).setTick(250)
                .setSimTimeMs(25.0).setDtMs(0.1).setRunEpochMs(1_700_000_000_000L).setSpeed(1.0)
                .setRealtimeFactor(0.5).setUpdatedAtMs(1_700_000_000_500L).setRejectedCount(0).setStalledMs(0)
                .build();
    }

    private static Cli tail(String topic, String... more) {
        List<String> args = new ArrayList<>(List.of("tail", topic, "--bootstrap-server", kafka.bootstrapServers(),
                "--property", "neurostream.topic.prefix=" + PREFIX));
        args.addAll(List.of(more));
        return Cli.run(args.toArray(String[]::new));
    }

    private static List<JsonNode> json(Cli cli) throws IOException {
        List<JsonNode> lines = new ArrayList<>();
        for (String l : cli.out().lines().toList()) {
            lines.add(JSON.readTree(l));
        }
        return lines;
    }

    private static JsonNode byKeyAndField(List<JsonNode> lines, String key, String field) {
        return lines.stream().filter(l -> l.get("_key").asText().equals(key) && l.has(field)).findFirst().orElseThrow();
    }

    @Test
    void shouldPrintEachSpikeBatchAsOneJsonLineWithItsSpikesAsTickNeuronPairs() throws Exception {
        Cli cli = tail("spikes", "--from-beginning", "--timeout-s", "2");

        assertThat(cli.exitCode()).as(cli.err()).isZero();
        List<JsonNode> lines = json(cli);
        assertThat(lines).hasSize(2);
        JsonNode a = byKeyAndField(lines, NET_A, "spikes");
        assertThat(a.get("spikes").toString()).isEqualTo("[[100,3],[100,7],[102,5]]");
        assertThat(a.get("network_id").asText()).isEqualTo(NET_A);
        assertThat(a.get("first_tick").asLong()).isEqualTo(100);
        assertThat(a.get("count").asInt()).isEqualTo(3);
        assertThat(a.has("neuron_ids")).isFalse();
        assertThat(a.has("tick_offsets")).isFalse();
        assertThat(a.get("_partition").asInt()).isEqualTo(Topics.partitionOf(NET_A, PARTITIONS));
        assertThat(a.get("_offset").asLong()).isZero();
        assertThat(a.get("_timestamp_ms").asLong()).isEqualTo(TIMESTAMP_MS);
        assertThat(byKeyAndField(lines, netB, "spikes").get("spikes").toString()).isEqualTo("[[1,42]]");
        // the undecodable record is the third on the shared partition: one line on stderr, and reading went on
        assertThat(cli.err().lines().filter(l -> l.contains("cannot decode")).toList()).singleElement().asString()
                .startsWith("neurostream: tail.spikes partition " + Topics.partitionOf(NET_A, PARTITIONS)
                        + " offset 2: cannot decode: ");
    }

    @Test
    void shouldPrintStatusFieldsByNameAndTombstonesAsSuch() throws Exception {
        Cli cli = tail("status", "--from-beginning", "--timeout-s", "2");

        assertThat(cli.exitCode()).as(cli.err()).isZero();
        List<JsonNode> lines = json(cli);
        assertThat(lines).hasSize(2);
        JsonNode s = byKeyAndField(lines, NET_A, "state");
        assertThat(s.get("state").asText()).isEqualTo("RUNNING");
        assertThat(s.get("mode").asText()).isEqualTo("REALTIME");
        assertThat(s.get("tick").asLong()).isEqualTo(250);
        assertThat(s.get("realtime_factor").asDouble()).isEqualTo(0.5);
        assertThat(s.get("message").isNull()).isTrue();
        JsonNode gone = byKeyAndField(lines, netB, "_tombstone");
        assertThat(gone.get("_tombstone").asBoolean()).isTrue();
        assertThat(gone.has("state")).isFalse();
    }

    @Test
    void shouldPrintOnlyTheNetworksRecordsIncludingItsChunkKeysAndLongBytesBySize() throws Exception {
        // 8 s without a record: a loaded machine has been seen to take over 2 s for the first fetch
        Cli spikes = tail("spikes", "--from-beginning", "--timeout-s", "8", "--network", netB);
        Cli checkpoints = tail("checkpoints", "--from-beginning", "--timeout-s", "8", "--network", NET_A);

        assertThat(spikes.exitCode()).as(spikes.err()).isZero();
        assertThat(json(spikes)).extracting(l -> l.get("_key").asText()).containsExactly(netB);
        assertThat(spikes.err()).doesNotContain("cannot decode"); // net-a's bad record is filtered out
        assertThat(checkpoints.exitCode()).as(checkpoints.err()).isZero();
        List<JsonNode> chunks = json(checkpoints);
        assertThat(chunks).extracting(l -> l.get("_key").asText()).containsExactly(NET_A + "/0");
        assertThat(chunks.get(0).get("data").asText()).isEqualTo("(2000 bytes)");
    }

    @Test
    void shouldWriteTheSpikesOfOneNetworkAsCsv() {
        Cli cli = tail("spikes", "--from-beginning", "--timeout-s", "2", "--network", NET_A, "--format", "csv");

        assertThat(cli.exitCode()).as(cli.err()).isZero();
        assertThat(cli.out().lines()).containsExactly("network_id,tick,neuron", "net-a,100,3", "net-a,100,7",
                "net-a,102,5");
        assertThat(cli.err()).contains("offset 2: cannot decode");
    }

    @Test
    void shouldCountSpikesNotBatchesAgainstMaxInCsv() {
        Cli cli = tail("spikes", "--from-beginning", "--network", NET_A, "--format", "csv", "--max", "2", "--timeout-s", "30");

        assertThat(cli.exitCode()).as(cli.err()).isZero();
        assertThat(cli.out().lines()).containsExactly("network_id,tick,neuron", "net-a,100,3", "net-a,100,7");
    }

    @Test
    void shouldStopAfterMaxRecordsWithoutATimeout() throws Exception {
        Cli cli = tail("status", "--from-beginning", "--max", "1");

        assertThat(cli.exitCode()).as(cli.err()).isZero();
        assertThat(json(cli)).hasSize(1);
    }

    @Test
    void shouldShowOnlyRecordsWrittenAfterItStartedByDefault() throws Exception {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cmd = Main.commandLine(Map.of());
        cmd.setOut(new PrintWriter(out, true));
        cmd.setErr(new PrintWriter(err, true));
        CompletableFuture<Integer> running = CompletableFuture.supplyAsync(() -> cmd.execute("tail", "rates",
                "--bootstrap-server", kafka.bootstrapServers(), "--property", "neurostream.topic.prefix=" + PREFIX,
                "--max", "1", "--timeout-s", "60"));
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!err.toString().contains("reading tail.rates") && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(err.toString()).contains("reading tail.rates partitions 0,1 from the end");

        try (KafkaProducer<String, byte[]> p = new KafkaProducer<>(kafka.clientConfig(), new StringSerializer(),
                new ByteArraySerializer())) {
            send(p, "rates", "late", null);
        }

        assertThat(running.get(60, TimeUnit.SECONDS)).as(err.toString()).isZero();
        assertThat(out.toString().lines().toList()).singleElement().asString().contains("\"_key\":\"late\"");
    }

    @Test
    void shouldRefuseAnUnknownTopicNamingTheValidOnes() {
        Cli cli = tail("spike");

        assertThat(cli.exitCode()).isEqualTo(2);
        assertThat(cli.err().lines()).singleElement().asString()
                .startsWith("neurostream: unknown topic 'spike'; the topics are ")
                .contains("spikes", "status", "checkpoints", "external-input");
        assertThat(cli.out()).isEmpty();
    }

    @Test
    void shouldRefuseCsvForATopicOtherThanSpikes() {
        Cli cli = tail("status", "--format", "csv");

        assertThat(cli.exitCode()).isEqualTo(2);
        assertThat(cli.err().lines()).singleElement().asString().contains("csv is only for spikes");
    }
}
