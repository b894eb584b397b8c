package io.neurostream.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.neurostream.broker.EmbeddedBroker;
import io.neurostream.schemas.SpikeBatches;
import io.neurostream.schemas.Topics;
import io.neurostream.schemas.avro.SpikeBatch;
import io.neurostream.simulator.Commands;
import io.neurostream.simulator.SimulatorConfig;
import io.neurostream.simulator.SimulatorService;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Live latency from an input to the spikes it causes, through the simulator service on a broker in the same JVM:
 * a silent network of 100 LIF neurons at dt 0.1 ms in real time gets one tick of a current strong enough to make
 * every neuron spike in that tick; the next input follows {@code --interval-ms} after the answer, plus a random
 * 0 to {@code --commit-interval-ms} so that inputs fall at every phase of the commit cycle (without it the bench
 * locks onto the cycle and times one phase only). Each sample is timed from just before the input's send to the
 * arrival of the first spike batch with spikes, as a {@code read_uncommitted} reader sees it and as a
 * {@code read_committed} reader sees it (each reader on its own thread), into HdrHistograms; the first
 * {@code --warmup} samples are not kept. {@code --echo} replaces the simulator by a loop that answers each input at
 * once with the simulator's client settings: the floor the two Kafka hops set on this machine. Prints the
 * percentiles as one {@code RESULT {json}} line.
 *
 * <pre>
 * mvn -B -q -pl bench -am package -DskipTests
 * java -cp "bench/target/classes:$(cat bench/target/classpath.txt)" io.neurostream.bench.InputLatencyBench --samples 500 --warmup 1500
 * </pre>
 */
@Command(name = "input-latency-bench", mixinStandardHelpOptions = true,
        description = "Times an input's send to the first spike batch it causes, uncommitted and committed.",
        footer = {"", "Examples:", "  java -cp ... io.neurostream.bench.InputLatencyBench --samples 500 --warmup 1500",
                "  java -cp ... io.neurostream.bench.InputLatencyBench --samples 500 --warmup 1500 --echo --at-least-once"})
public final class InputLatencyBench implements Callable<Integer> {
    private static final String NETWORK = "lat";
    private static final String SPEC = "{\"name\": \"lat\", \"seed\": 1, \"dt_ms\": 0.1, \"populations\": [{\"name\": \"E\","
            + " \"count\": 100, \"model\": \"lif\", \"type\": \"excitatory\", \"params\": {\"v_rest\": -65.0,"
            + " \"v_threshold\": -50.0, \"v_reset\": -65.0, \"tau_membrane\": 10.0}}]}";
    /** One tick of this current takes v from rest past threshold: (v_inf - v) (1 - e^{-dt/tau}) is about 100 mV. */
    private static final double KICK = 10_000.0;

    @Option(names = "--samples", description = "Inputs to time (default: ${DEFAULT-VALUE}).", defaultValue = "300")
    int samples;

    @Option(names = "--interval-ms", description = "Time between an input's answer and the next input, plus a random 0 to "
            + "--commit-interval-ms, so that inputs fall at every phase of the commit cycle (default: ${DEFAULT-VALUE}).",
            defaultValue = "50")
    long intervalMs;

    @Option(names = "--simulator-linger-ms", description = "The simulator producer's linger.ms (default: the simulator's own, 5).")
    Integer simulatorLingerMs;

    @Option(names = "--commit-interval-ms", description = "The simulator's commit interval (default: ${DEFAULT-VALUE}, the simulator's own).",
            defaultValue = "100")
    long commitIntervalMs;

    @Option(names = "--at-least-once", description = "Run the simulator at least once (idempotent producer, no transactions) "
            + "instead of exactly once; the committed reader then sees what the uncommitted one sees.")
    boolean atLeastOnce;

    @Option(names = "--echo", description = "Instead of the simulator, a loop with the simulator's consumer and producer "
            + "settings that answers each input with a spike batch at once: the floor the Kafka hop alone sets on this machine.")
    boolean echo;

    @Option(names = "--warmup", description = "Inputs sent and answered first, not timed (default: ${DEFAULT-VALUE}).",
            defaultValue = "0")
    int warmup;

    public static void main(String[] args) {
        System.exit(new CommandLine(new InputLatencyBench()).execute(args));
    }

    /** One reader's view: the arrival of the first batch with spikes after the current send. */
    private static final class Watcher implements Runnable {
        final KafkaConsumer<String, byte[]> consumer;
        final AtomicLong sentNanos;
        final Histogram histogram = new Histogram(TimeUnit.SECONDS.toMicros(10), 3);
        volatile long seenFor = -1;   // the sentNanos whose spikes this reader has seen
        volatile long timedFrom = Long.MAX_VALUE;   // sends before this are warm-up: seen, not recorded
        volatile boolean stop;

        Watcher(KafkaConsumer<String, byte[]> consumer, AtomicLong sentNanos) {
            this.consumer = consumer;
            this.sentNanos = sentNanos;
        }

        @Override
        public void run() {
            while (!stop) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                    long now = System.nanoTime();
                    SpikeBatch b = Topics.SPIKES.valueSerde().decode(r.value());
                    long sent = sentNanos.get();
                    if (b.getCount() > 0 && sent > 0 && seenFor != sent) {
                        if (sent >= timedFrom) {
                            histogram.recordValue(Math.max(0, (now - sent) / 1000));
                        }
                        seenFor = sent;
                    }
                }
            }
            consumer.close();
        }
    }

    @Override
    public Integer call() throws Exception {
        Path dir = Files.createTempDirectory("neurostream-input-latency");
        String prefix = "inlat.";
        try (EmbeddedBroker broker = EmbeddedBroker.builder().dataDir(dir.resolve("kafka")).build().start()) {
            Map<String, Object> sim = BenchTopics.simulatorSettings(broker, prefix);
            if (simulatorLingerMs != null) {
                sim.put("linger.ms", simulatorLingerMs.toString());
            }
            sim.put(SimulatorConfig.COMMIT_INTERVAL_MS, Long.toString(commitIntervalMs));
            sim.put(SimulatorConfig.EXACTLY_ONCE, Boolean.toString(!atLeastOnce));
            AtomicLong sentNanos = new AtomicLong();
            Watcher uncommitted = new Watcher(reader(broker, "read_uncommitted", prefix), sentNanos);
            Watcher committed = new Watcher(reader(broker, "read_committed", prefix), sentNanos);
            Map<String, Object> pp = new HashMap<>(broker.clientConfig());
            pp.put("linger.ms", 0);
            try (AutoCloseable simulator = echo ? new Echo(new SimulatorConfig(sim), prefix) : new SimulatorService(new SimulatorConfig(sim));
                    KafkaProducer<String, byte[]> producer = new KafkaProducer<>(pp, new StringSerializer(), new ByteArraySerializer())) {
                if (simulator instanceof SimulatorService s) {
                    s.start();
                }
                for (var c : List.of(Commands.create(NETWORK, SPEC), Commands.start(NETWORK, 1.0))) {
                    producer.send(new ProducerRecord<>(Topics.CONTROL.name(prefix), NETWORK, Topics.CONTROL.valueSerde().encode(c)));
                }
                producer.flush();
                Thread.sleep(3000); // created, started, readers assigned
                Thread tu = new Thread(uncommitted, "uncommitted-reader");
                Thread tc = new Thread(committed, "committed-reader");
                tu.start();
                tc.start();
                Thread.sleep(1000);
                java.util.Random phase = new java.util.Random(42);
                byte[] kick = Topics.EXTERNAL_INPUT.valueSerde().encode(Commands.current(NETWORK, List.of("E"), KICK, null, 1));
                for (int i = -warmup; i < samples; i++) {
                    long sent = System.nanoTime();
                    if (i == 0) {
                        uncommitted.timedFrom = sent;
                        committed.timedFrom = sent;
                    }
                    sentNanos.set(sent);
                    producer.send(new ProducerRecord<>(Topics.EXTERNAL_INPUT.name(prefix), NETWORK, kick));
                    producer.flush();
                    long deadline = sent + TimeUnit.SECONDS.toNanos(5);
                    while ((uncommitted.seenFor != sent || committed.seenFor != sent) && System.nanoTime() < deadline) {
                        Thread.sleep(1);
                    }
                    Thread.sleep(intervalMs + phase.nextLong(commitIntervalMs + 1));
                }
                uncommitted.stop = true;
                committed.stop = true;
                tu.join();
                tc.join();
            }
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("samples", samples);
            out.put("dt_ms", 0.1);
            out.put("commit_interval_ms", commitIntervalMs);
            out.put("exactly_once", !atLeastOnce);
            out.put("simulator_linger_ms", simulatorLingerMs == null ? 5 : simulatorLingerMs);
            out.put("echo", echo);
            out.put("warmup", warmup);
            out.put("uncommitted_ms", percentiles(uncommitted.histogram));
            out.put("committed_ms", percentiles(committed.histogram));
            System.out.println("RESULT " + new ObjectMapper().writeValueAsString(out));
        }
        return 0;
    }

    /**
     * The hop without the simulator: a thread that consumes {@code external-input} and {@code control} with
     * the simulator's consumer settings and answers every input at once with a one-spike batch, sent with the
     * simulator's producer settings (transactions left out: one per input would time the coordinator instead).
     */
    private static final class Echo implements AutoCloseable {
        private final KafkaConsumer<String, byte[]> consumer;
        private final KafkaProducer<String, byte[]> producer;
        private final Thread thread;
        private volatile boolean stop;

        Echo(SimulatorConfig config, String prefix) {
            consumer = new KafkaConsumer<>(SimulatorService.consumerConfig(config), new StringDeserializer(), new ByteArrayDeserializer());
            Map<String, Object> p = SimulatorService.producerConfig(config);
            p.remove(org.apache.kafka.clients.producer.ProducerConfig.TRANSACTIONAL_ID_CONFIG);
            producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
            SpikeBatches.Builder b = new SpikeBatches.Builder();
            b.addTick(0, new int[] {0}, 1);
            byte[] answer = Topics.SPIKES.valueSerde().encode(b.build(NETWORK, 0, 0, 1));
            String spikes = Topics.SPIKES.name(prefix);
            String input = Topics.EXTERNAL_INPUT.name(prefix);
            consumer.subscribe(List.of(input, Topics.CONTROL.name(prefix)));
            thread = new Thread(() -> {
                while (!stop) {
                    for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                        if (r.topic().equals(input)) {
                            producer.send(new ProducerRecord<>(spikes, NETWORK, answer));
                        }
                    }
                }
            }, "echo");
            thread.start();
        }

        @Override
        public void close() throws InterruptedException {
            stop = true;
            thread.join();
            consumer.close();
            producer.close();
        }
    }

    private static KafkaConsumer<String, byte[]> reader(EmbeddedBroker broker, String isolation, String prefix) {
        Map<String, Object> c = new HashMap<>(broker.clientConfig());
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation);
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
        c.put(ConsumerConfig.GROUP_ID_CONFIG, "input-latency-" + isolation);
        c.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 1);
        KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(c, new StringDeserializer(), new ByteArrayDeserializer());
        consumer.subscribe(List.of(Topics.SPIKES.name(prefix)));
        return consumer;
    }

    private static Map<String, Object> percentiles(Histogram h) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("count", h.getTotalCount());
        for (double q : new double[] {50, 90, 99, 100}) {
            p.put(q == 100 ? "max" : "p" + (int) q, h.getValueAtPercentile(q) / 1000.0);
        }
        return p;
    }
}
