package io.neurostream.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import io.neurostream.analytics.AnalyticsApp;
import io.neurostream.analytics.AnalyticsConfig;
import io.neurostream.broker.EmbeddedBroker;
import io.neurostream.engine.SpikeChecksum;
import io.neurostream.schemas.SpikeBatches;
import io.neurostream.schemas.Topics;
import io.neurostream.schemas.avro.AppliedInput;
import io.neurostream.schemas.avro.Control;
import io.neurostream.schemas.avro.ExternalInput;
import io.neurostream.schemas.avro.InputKind;
import io.neurostream.schemas.avro.Rate;
import io.neurostream.schemas.avro.SpikeBatch;
import io.neurostream.simulator.Commands;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The Python client (clients/python) against a real simulator and analytics in this JVM: its example
 * program decodes the same spikes Java reads (every (tick, neuron) and the spike checksum), the same
 * rates, and the input it sends is journaled. Runs only where {@code /usr/bin/python3} has the
 * client's modules (Debian's python3-confluent-kafka, python3-avro, python3-numpy; CI installs them).
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class PythonClientIntegrationTest {
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final String NETWORK = "py-net";
    private static final long TICKS = 3000;
    /** Two LIF populations that fire on their own (v_rest above threshold), 400 neurons: the create tests', seed 11. */
    private static final String SPEC = CreateAndControlCommandsIntegrationTest.SPEC
            .replace("{\"name\": \"small\", \"seed\": 7,", "{\"name\": \"py\", \"seed\": 11,");

    @Test
    void shouldDecodeInPythonWhatJavaReadsAndJournalAnInputSentFromPython() throws Exception {
        PythonClient.assumeAvailable();
        Path csv = Files.createTempFile("python-client-spikes", ".csv");
        try (ServiceFixture service = ServiceFixture.start("py-", 2);
                KafkaProducer<String, byte[]> producer = new KafkaProducer<>(service.kafka().clientConfig(),
                        new StringSerializer(), new ByteArraySerializer())) {
            EmbeddedBroker kafka = service.kafka();
            String prefix = service.prefix();
            Map<String, Object> an = new HashMap<>(kafka.clientConfig());
            an.put(AnalyticsConfig.TOPIC_PREFIX, prefix);
            an.put(AnalyticsConfig.APPLICATION_ID, prefix + "analytics");
            an.put(AnalyticsConfig.WINDOW_SIZE_MS, "100");
            an.put(AnalyticsConfig.WINDOW_ADVANCE_MS, "100");
            an.put(AnalyticsConfig.WINDOW_GRACE_MS, "0");
            an.put("state.dir", Files.createTempDirectory("python-client-streams").toString());
            an.put("commit.interval.ms", "100");
            an.put("statestore.cache.max.bytes", "0");
            List<Rate> javaRates;
            try (AnalyticsApp analytics = new AnalyticsApp(new AnalyticsConfig(an))) {
                analytics.start();
                send(producer, prefix, Commands.create(NETWORK, SPEC));
                send(producer, prefix, Commands.step(NETWORK, TICKS));
                javaRates = read(kafka, prefix, Topics.RATES.name(prefix), r -> Topics.RATES.valueSerde().decode(r),
                        l -> l.stream().anyMatch(r -> r.getArea() == null && r.getEClass() == null
                                && r.getWindowEndMs() - r.getWindowStartMs() == 100 && r.getSpikes() > 0));
            } // stopped: the rates stay as Java read them while Python reads them too
            javaRates = read(kafka, prefix, Topics.RATES.name(prefix), r -> Topics.RATES.valueSerde().decode(r),
                    l -> true);
            JavaSpikes java = javaSpikes(kafka, prefix);

            PythonClient.Result py = PythonClient.run("example.py", "--bootstrap-server", kafka.bootstrapServers(),
                    "--topic-prefix", prefix, "--network", NETWORK, "--until-tick", Long.toString(TICKS),
                    "--population", "E", "--current", "3.5", "--spikes-csv", csv.toString());

            Files.writeString(Path.of("target/python-example.out"), py.output(), StandardCharsets.UTF_8);
            assertThat(py.exitCode()).as("python said:%n%s", py.output()).isZero();
            assertThat(py.output()).contains(NETWORK + ": PAUSED at tick " + TICKS);
            assertThat(java.pairs).hasSizeGreaterThan(100);
            Matcher m = Pattern.compile("(\\d+) spikes of \\d+ neurons in ticks \\[0, (\\d+)\\), \\d+ frames, checksum ([0-9a-f]{16})")
                    .matcher(py.output());
            assertThat(m.find()).as("python said:%n%s", py.output()).isTrue();
            assertThat(Long.parseLong(m.group(1))).isEqualTo(java.checksum.count());
            assertThat(Long.parseLong(m.group(2))).isEqualTo(TICKS);
            assertThat(m.group(3)).isEqualTo(java.checksum.hex());
            assertThat(new LinkedHashSet<>(Files.readAllLines(csv, StandardCharsets.UTF_8))).isEqualTo(java.pairs);
            Matcher rates = Pattern.compile("(\\d+) rates").matcher(py.output());
            assertThat(rates.find()).isTrue();
            assertThat(Integer.parseInt(rates.group(1))).isEqualTo(javaRates.size());

            Matcher sent = Pattern.compile("sent 3.5 into E for 1000 ticks: input (\\S+)").matcher(py.output());
            assertThat(sent.find()).as("python said:%n%s", py.output()).isTrue();
            String inputId = sent.group(1);
            send(producer, prefix, Commands.step(NETWORK, 10));
            List<AppliedInput> journal = read(kafka, prefix, Topics.JOURNAL.name(prefix),
                    r -> Topics.JOURNAL.valueSerde().decode(r), l -> l.stream().anyMatch(a -> isInput(a, inputId)));
            ExternalInput applied = (ExternalInput) journal.stream().filter(a -> isInput(a, inputId)).findFirst()
                    .orElseThrow().getPayload();
            assertThat(applied.getKind()).isEqualTo(InputKind.CURRENT);
            assertThat(applied.getCurrent()).isEqualTo(3.5);
            assertThat(applied.getDurationTicks()).isEqualTo(1000);
            assertThat(applied.getTarget().getPopulations()).containsExactly("E");
            assertThat(service.simulator().failure()).isNull();
        } finally {
            Files.deleteIfExists(csv);
        }
    }

    private static boolean isInput(AppliedInput a, String inputId) {
        return a.getPayload() instanceof ExternalInput in && inputId.equals(in.getInputId());
    }

    /** The spikes of ticks [0, TICKS) as Java reads them: "tick,neuron" in order, and their checksum. */
    private record JavaSpikes(Set<String> pairs, SpikeChecksum checksum) {
    }

    private static JavaSpikes javaSpikes(EmbeddedBroker kafka, String prefix) {
        List<SpikeBatch> frames = new ArrayList<>();
        SpikeBatches.Assembler assembler = new SpikeBatches.Assembler();
        read(kafka, prefix, Topics.SPIKES.name(prefix), r -> {
            SpikeBatch whole = assembler.add(Topics.SPIKES.valueSerde().decode(r));
            if (whole != null && NETWORK.equals(whole.getNetworkId())) {
                frames.add(whole);
            }
            return whole;
        }, l -> !frames.isEmpty() && frames.get(frames.size() - 1).getFirstTick()
                + frames.get(frames.size() - 1).getTicks() >= TICKS);
        Set<String> pairs = new LinkedHashSet<>();
        SpikeChecksum checksum = new SpikeChecksum();
        for (SpikeBatch b : frames) {
            int[] ids = SpikeBatches.neuronIds(b);
            int[] offsets = SpikeBatches.tickOffsets(b);
            for (int i = 0; i < ids.length; i++) {
                long tick = b.getFirstTick() + offsets[i];
                if (tick < TICKS) {
                    checksum.add(tick, ids[i]);
                    pairs.add(tick + "," + ids[i]);
                }
            }
        }
        return new JavaSpikes(pairs, checksum);
    }

    private static void send(KafkaProducer<String, byte[]> producer, String prefix, Control c) {
        producer.send(new ProducerRecord<>(Topics.CONTROL.name(prefix), c.getNetworkId(), Topics.CONTROL.valueSerde().encode(c)));
        producer.flush();
    }

    /** Reads a topic from its beginning (read_committed) until {@code done} holds and the end is reached; bounded. */
    private static <T> List<T> read(EmbeddedBroker kafka, String prefix, String topic,
            java.util.function.Function<byte[], T> decode, Predicate<List<T>> done) {
        Map<String, Object> rp = new HashMap<>(kafka.clientConfig());
        rp.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        rp.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        rp.put(ConsumerConfig.GROUP_ID_CONFIG, prefix + UUID.randomUUID());
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(rp, new StringDeserializer(), new ByteArrayDeserializer())) {
            c.subscribe(List.of(topic));
            List<T> seen = new ArrayList<>();
            long deadline = System.nanoTime() + WAIT.toNanos();
            boolean empty = false;
            while (!(done.test(seen) && empty) && System.nanoTime() < deadline) {
                var records = c.poll(Duration.ofMillis(500));
                empty = records.isEmpty() && !c.assignment().isEmpty();
                for (ConsumerRecord<String, byte[]> r : records) {
                    T v = decode.apply(r.value());
                    if (v != null) {
                        seen.add(v);
                    }
                }
            }
            assertThat(done.test(seen)).as("waited %s on %s; saw %s", WAIT, topic, seen.size()).isTrue();
            return seen;
        }
    }

    /** Runs the scripts of clients/python with Debian's python3, where the client's modules are installed. */
    static final class PythonClient {
        static final Path PYTHON = Path.of("/usr/bin/python3");
        static final Path DIR = Path.of("../clients/python");

        record Result(int exitCode, String output) {
        }

        /**
         * Skips the calling test, saying why, when python3 or one of the client's modules is missing; under CI
         * ({@code CI=true}, where .ci/run installs them) a missing module fails the test instead, so the Python
         * client can never be skipped silently there.
         */
        static void assumeAvailable() throws IOException, InterruptedException {
            boolean ci = "true".equals(System.getenv("CI"));
            if (ci) {
                assertThat(Files.isExecutable(PYTHON)).as("%s (installed by .ci/run)", PYTHON).isTrue();
            }
            assumeThat(Files.isExecutable(PYTHON))
                    .as("%s is needed for the Python client test (apt-get install python3)", PYTHON).isTrue();
            Result r = exec(List.of(PYTHON.toString(), "-c", "import confluent_kafka, avro, numpy"));
            if (ci) {
                assertThat(r.exitCode()).as("the Python client's modules (installed by .ci/run): %s", r.output()).isZero();
            }
            assumeThat(r.exitCode()).as("the Python client needs python3-confluent-kafka, python3-avro and python3-numpy "
                    + "(apt-get install -y python3-confluent-kafka python3-avro python3-numpy): %s", r.output()).isZero();
        }

        static Result run(String script, String... args) throws IOException, InterruptedException {
            List<String> cmd = new ArrayList<>(List.of(PYTHON.toString(), script));
            cmd.addAll(List.of(args));
            return exec(cmd);
        }

        private static Result exec(List<String> cmd) throws IOException, InterruptedException {
            File out = Files.createTempFile("python-client", ".out").toFile();
            try {
                Process p = new ProcessBuilder(cmd).directory(DIR.toFile()).redirectErrorStream(true)
                        .redirectOutput(out).start();
                if (!p.waitFor(120, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    return new Result(-1, "timed out after 120 s: " + Files.readString(out.toPath()));
                }
                return new Result(p.exitValue(), Files.readString(out.toPath(), StandardCharsets.UTF_8));
            } finally {
                Files.deleteIfExists(out.toPath());
            }
        }
    }
}
