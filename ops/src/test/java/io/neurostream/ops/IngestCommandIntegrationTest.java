package io.neurostream.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.neurostream.ingest.Answer;
import io.neurostream.ingest.NeuroStreamClient;
import io.neurostream.ingest.internal.PartitionReader;
import io.neurostream.schemas.Matrices;
import io.neurostream.schemas.Topics;
import io.neurostream.schemas.avro.AppliedInput;
import io.neurostream.schemas.avro.ExternalInput;
import io.neurostream.schemas.avro.InputKind;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code neurostream ingest} in this JVM against a real SimulatorService on the in-JVM broker: samples
 * land in the journal at consecutive tick ranges from the network's tick + the lead, with the values
 * the source gave, resized to the sense; bad networks, senses and records are one line.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class IngestCommandIntegrationTest {
    /** A 6 x 4 x 2 sense 'touch' full of neurons (48 cells, 48 neurons), dt 1 ms. */
    private static final String SPEC = """
            {"name": "touchy", "seed": 3, "dt_ms": 1.0, "lattice": [6, 4, 2, 1],
             "areas": [{"name": "S1", "x": [0, 5], "y": [0, 3], "z": [0, 1], "w": [0, 0], "sense": "touch"}],
             "populations": [{"name": "E", "area": "S1", "count": 48, "model": "lif", "type": "excitatory"}]}
            """;

    @RegisterExtension
    static final ServiceFixture service = new ServiceFixture("ing-", 2);
    private static NeuroStreamClient client;

    @TempDir
    Path dir;

    @BeforeAll
    static void startClient() {
        client = new NeuroStreamClient(service.clientSettings());
    }

    @AfterAll
    static void stopClient() {
        if (client != null) {
            client.close();
        }
    }

    private static Cli ingest(String... args) {
        List<String> all = new ArrayList<>(List.of("ingest"));
        all.addAll(List.of(args));
        return service.cli(all.toArray(String[]::new));
    }

    private static void create(String id) {
        Answer a = client.create(id, SPEC, Duration.ofSeconds(60));
        assertThat(a.isApplied()).as(a.toString()).isTrue();
    }

    @Test
    void shouldStampSyntheticFramesWithConsecutiveTickRangesFromTheLeadAndJournalThem() {
        create("syn");
        Cli c = ingest("synthetic:bar", "--network", "syn", "--sense", "touch", "--rate-hz", "100", "--frames", "3",
                "--lead-ms", "50", "--gain", "5");
        assertThat(c.exitCode()).as(c.err()).isZero();
        assertThat(c.out()).contains("sent 3 frames (3 inputs) of synthetic:bar (6x4 at 100.0 Hz) to syn/touch 6x4x2: "
                + "ticks 50..80 (30 ticks, 10 per frame), 0 re-anchored, 0 skipped");
        assertThat(client.step("syn", 100).isApplied()).isTrue();

        List<AppliedInput> journal = journaledInputs("syn", 3);
        assertThat(journal).extracting(AppliedInput::getTick).containsExactly(50L, 60L, 70L);
        for (int k = 0; k < 3; k++) {
            ExternalInput in = (ExternalInput) journal.get(k).getPayload();
            assertThat(in.getKind()).isEqualTo(InputKind.MATRIX);
            assertThat(in.getDurationTicks()).isEqualTo(10);
            assertThat(in.getScale()).isEqualTo(5.0);
            float[] m = Matrices.unpack(in);
            // the bar moves 10 cells/s: at t = k / 100 s it covers x = 0 and 1 (the same for 3 frames)
            for (int x = 0; x < 6; x++) {
                for (int y = 0; y < 4; y++) {
                    assertThat(m[x * 4 + y]).isEqualTo(x < 2 ? 1f : 0f);
                }
            }
        }
    }

    @Test
    void shouldShrinkAPngToTheSenseByAveragingAndDriveNeuronsWithPoissonTrains() throws Exception {
        create("png");
        BufferedImage img = new BufferedImage(12, 8, BufferedImage.TYPE_BYTE_GRAY);
        img.getRaster().setSample(0, 0, 0, 255); // one of the 4 pixels of cell (0, 0)
        img.getRaster().setSample(11, 7, 0, 255);
        img.getRaster().setSample(10, 7, 0, 255); // 2 of the 4 pixels of cell (5, 3)
        Path png = dir.resolve("frame.png");
        ImageIO.write(img, "png", png.toFile());

        Cli current = ingest(png.toString(), "--network", "png", "--sense", "touch", "--rate-hz", "50", "--lead-ms", "10");
        assertThat(current.exitCode()).as(current.err()).isZero();
        assertThat(current.out()).contains("ticks 10..30 (20 ticks, 20 per frame)");
        Cli poisson = ingest(png.toString(), "--network", "png", "--sense", "touch", "--rate-hz", "50", "--lead-ms", "10",
                "--encoding", "poisson", "--gain", "400", "--z-layers", "1");
        assertThat(poisson.exitCode()).as(poisson.err()).isZero();
        assertThat(poisson.out()).contains("sent 1 frames (2 inputs)");
        assertThat(client.step("png", 100).isApplied()).isTrue();

        List<AppliedInput> journal = journaledInputs("png", 3);
        ExternalInput matrix = (ExternalInput) journal.get(0).getPayload();
        float[] m = Matrices.unpack(matrix);
        assertThat(m[0]).isEqualTo(0.25f);
        assertThat(m[5 * 4 + 3]).isEqualTo(0.5f);
        assertThat(m[1]).isZero();
        assertThat(journal.get(0).getTick()).isEqualTo(10L);
        List<ExternalInput> trains = journal.subList(1, 3).stream().map(a -> (ExternalInput) a.getPayload()).toList();
        assertThat(trains).extracting(ExternalInput::getKind).containsOnly(InputKind.POISSON);
        assertThat(trains).extracting(ExternalInput::getRateHz).containsExactlyInAnyOrder(100.0, 200.0);
        assertThat(trains).allSatisfy(t -> assertThat(t.getTarget().getNeurons()).hasSize(1));
    }

    @Test
    void shouldNameTheSensesOfTheNetworkWhenTheSenseIsUnknownAndSendNothing() {
        create("senses");
        Cli c = ingest("synthetic:grating", "--network", "senses", "--sense", "vision", "--frames", "1");
        assertThat(c.exitCode()).isEqualTo(1);
        assertThat(c.err().strip()).isEqualTo("neurostream: network 'senses' has no sense 'vision'; its senses: touch");
        Cli none = ingest("synthetic:grating", "--network", "nobody", "--sense", "touch", "--frames", "1");
        assertThat(none.exitCode()).isEqualTo(1);
        assertThat(none.err()).contains("no network 'nobody'");
        Cli size = ingest("-", "--size", "64by64", "--network", "senses", "--sense", "touch");
        assertThat(size.exitCode()).isEqualTo(2);
        assertThat(size.err().strip()).startsWith("neurostream: --size must be WIDTHxHEIGHT in pixels, e.g. 64x64, got '64by64'");
    }

    @Test
    void shouldMapJsonRecordsOfAUsersTopicAndSkipABadOneNamingWhereItIs() throws Exception {
        create("iot");
        String topic = service.prefix() + "my-sensors";
        try (Admin admin = service.kafka().admin()) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
        }
        Map<String, Object> p = new HashMap<>(service.kafka().clientConfig());
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
            producer.send(new ProducerRecord<>(topic, "{\"device\": \"a\", \"values\": [1, 2, 3, 4, 5, 6]}")).get();
            producer.send(new ProducerRecord<>(topic, "{\"device\": \"a\", \"values\": [1, 2]}")).get();
            producer.send(new ProducerRecord<>(topic, "{\"values\": [[0, 0], [0, 0], [6, 6]]}")).get();
        }
        Cli c = ingest("kafka:" + topic, "--pointer", "/values", "--shape", "3x2", "--from-beginning", "--frames", "2",
                "--network", "iot", "--sense", "touch", "--rate-hz", "100", "--lead-ms", "20");
        assertThat(c.exitCode()).as(c.err()).isZero();
        assertThat(c.err().strip()).isEqualTo("neurostream: " + topic + "/0@1: /values has 2 values, the shape 3x2 needs 6; skipped");
        assertThat(c.out()).contains("sent 2 frames (2 inputs)").contains("1 skipped");
        assertThat(client.step("iot", 100).isApplied()).isTrue();

        List<AppliedInput> journal = journaledInputs("iot", 2);
        assertThat(journal).extracting(AppliedInput::getTick).containsExactly(20L, 30L);
        // record 0, flat 3x2 = [[1,2],[3,4],[5,6]] on a 6x4 sense: each row doubled along x, each column along y
        float[] first = Matrices.unpack((ExternalInput) journal.get(0).getPayload());
        assertThat(first[0]).isEqualTo(1f);
        assertThat(first[1 * 4 + 3]).isEqualTo(2f);
        assertThat(first[5 * 4]).isEqualTo(5f);
    }

    /** The network's inputs on the journal, waiting until {@code n} are there. */
    private static List<AppliedInput> journaledInputs(String id, int n) {
        String topic = Topics.JOURNAL.name(service.prefix());
        List<AppliedInput> found = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        try (PartitionReader reader = new PartitionReader(new HashMap<>(service.kafka().clientConfig()), true)) {
            TopicPartition tp = new TopicPartition(topic, Topics.partitionOf(id, reader.partitions(topic, Duration.ofSeconds(10))));
            reader.readUntil(Map.of(tp, 0L), r -> {
                if (id.equals(r.key()) && r.value() != null) {
                    AppliedInput a = Topics.JOURNAL.valueSerde().decode(r.value());
                    if (a.getPayload() instanceof ExternalInput && a.getTick() >= 0) {
                        found.add(a);
                    }
                }
            }, () -> found.size() >= n, deadline);
        }
        assertThat(found).as("journal entries of %s", id).hasSize(n);
        return found;
    }
}
