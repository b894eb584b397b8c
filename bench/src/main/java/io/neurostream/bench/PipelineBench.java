package io.neurostream.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.neurostream.broker.EmbeddedBroker;
import io.neurostream.engine.Network;
import io.neurostream.engine.spec.SpecParser;
import io.neurostream.ops.bench.BenchNetworks;
import io.neurostream.schemas.Topics;
import io.neurostream.schemas.avro.SpikeBatch;
import io.neurostream.schemas.avro.Status;
import io.neurostream.simulator.Commands;
import io.neurostream.simulator.SimulatorConfig;
import io.neurostream.simulator.SimulatorService;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
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
 * CUBA 4000 through the whole simulator service, as fast as possible, every spike, frame and journal
 * entry published, beside the engine alone in the same JVM: how much the service costs.
 *
 * <p>How to run (a broker starts inside the JVM; nothing else is needed):
 * <pre>
 * mvn -B -q -pl bench -am install -DskipTests
 * java -cp "bench/target/classes:$(cat bench/target/classpath.txt)" io.neurostream.bench.PipelineBench --rounds 3
 * </pre>
 * Each round runs: the engine alone (1 s of CUBA, main loop), the service with exactly-once
 * transactions, the service at-least-once (idempotent producer, no transactions). The service is timed
 * from the STEP command's send to the committed Status that reports the last tick (read_committed),
 * so it includes publishing and committing everything. Prints one {@code RESULT {json}} line per round
 * and a summary with the medians of the per-round ratios. Each service run also reports where the
 * processors' time went in that window ({@link CpuSplit}): the loop thread's CPU time, the rest of the
 * process's (broker, clients), and the JIT compilers' time, which in a JVM that also hosts the broker
 * stays large for many rounds (hence {@code --warmup}).
 */
@Command(name = "pipeline", mixinStandardHelpOptions = true,
        description = "Time CUBA 4000 through the simulator service (exactly once and at least once) beside the engine alone.",
        footer = {"", "Examples:", "  java -cp ... io.neurostream.bench.PipelineBench --rounds 3 --duration-ms 10000",
                "  java -cp ... io.neurostream.bench.PipelineBench --warmup 10 --rounds 5 --duration-ms 60000",
                "  java -cp ... io.neurostream.bench.PipelineBench --rounds 6 --duration-ms 10000 --producer linger.ms=20 --producer linger.ms=5"})
public final class PipelineBench implements Callable<Integer> {
    @Option(names = "--rounds", defaultValue = "3", description = "Rounds (each: engine, exactly once, at least once). Default ${DEFAULT-VALUE}.")
    int rounds;

    @Option(names = "--duration-ms", defaultValue = "1000", description = "Simulated time per run, ms. Default ${DEFAULT-VALUE}.")
    double durationMs;

    @Option(names = "--warmup", defaultValue = "1", description = "Untimed rounds first (each: the engine, then the service "
            + "exactly once and at least once), so that the JIT has compiled the broker's and the clients' code. Default ${DEFAULT-VALUE}.")
    int warmup;

    @Option(names = "--producer", paramLabel = "K=V[,K=V...]",
            description = "Producer settings for the simulator, given once per setting set to compare: every round runs the service "
                    + "with each set (default: the simulator's own settings only).")
    List<String> producerSets = new ArrayList<>();

    private static final ObjectMapper JSON = new ObjectMapper();

    public static void main(String[] args) {
        System.exit(new CommandLine(new PipelineBench()).execute(args));
    }

    static String cuba() {
        return BenchNetworks.specJson("cuba");
    }

    @Override
    public Integer call() throws Exception {
        String spec = cuba();
        Path dir = Files.createTempDirectory("neurostream-pipeline-bench");
        List<String> settings = producerSets.isEmpty() ? List.of("") : producerSets;
        for (String set : settings) {
            producerSettings(set); // a malformed set is refused before the broker starts
        }
        Map<String, List<Double>> eoRatios = new java.util.HashMap<>();
        Map<String, List<Double>> aloRatios = new java.util.HashMap<>();
        Map<String, List<Double>> eoCost = new java.util.HashMap<>();
        Map<String, List<Double>> eoLoopCpu = new java.util.HashMap<>();
        Map<String, List<Double>> aloLoopCpu = new java.util.HashMap<>();
        try (EmbeddedBroker broker = EmbeddedBroker.builder().dataDir(dir).build().start()) {
            for (int w = 0; w < warmup; w++) { // JIT warm-up; the broker's code is the most of it
                engineSeconds(spec);
                runService(broker, spec, true, settings.get(0));
                runService(broker, spec, false, settings.get(0));
            }
            for (int r = 0; r < rounds; r++) {
                double engine = engineSeconds(spec);
                for (String linger : settings) {
                    Map<String, Object> eo = runService(broker, spec, true, linger);
                    Map<String, Object> alo = runService(broker, spec, false, linger);
                    double tEo = (double) eo.get("t_service_s");
                    double tAlo = (double) alo.get("t_service_s");
                    eoRatios.computeIfAbsent(linger, k -> new ArrayList<>()).add(tEo / engine);
                    aloRatios.computeIfAbsent(linger, k -> new ArrayList<>()).add(tAlo / engine);
                    eoCost.computeIfAbsent(linger, k -> new ArrayList<>()).add(tEo / tAlo);
                    eoLoopCpu.computeIfAbsent(linger, k -> new ArrayList<>()).add((double) eo.get("cpu_loop_thread_s") / engine);
                    aloLoopCpu.computeIfAbsent(linger, k -> new ArrayList<>()).add((double) alo.get("cpu_loop_thread_s") / engine);
                    Map<String, Object> out = new LinkedHashMap<>();
                    out.put("round", r);
                    out.put("duration_ms", durationMs);
                    out.put("producer", linger.isEmpty() ? "default" : linger);
                    out.put("t_engine_s", engine);
                    out.put("exactly_once", eo);
                    out.put("at_least_once", alo);
                    out.put("ratio_exactly_once_vs_engine", tEo / engine);
                    out.put("ratio_at_least_once_vs_engine", tAlo / engine);
                    out.put("exactly_once_vs_at_least_once", tEo / tAlo);
                    System.out.println("RESULT " + JSON.writeValueAsString(out));
                }
            }
        }
        for (String linger : settings) {
            System.out.printf("%smedian ratio service/engine: exactly once %.2f, at least once %.2f; exactly once / at least once %.2f%n",
                    linger.isEmpty() ? "" : linger + ": ", median(eoRatios.get(linger)), median(aloRatios.get(linger)),
                    median(eoCost.get(linger)));
            System.out.printf("%smedian CPU time of the simulator's loop thread / engine: exactly once %.2f, at least once %.2f%n",
                    linger.isEmpty() ? "" : linger + ": ", median(eoLoopCpu.get(linger)), median(aloLoopCpu.get(linger)));
        }
        return 0;
    }

    static double median(List<Double> v) {
        double[] a = v.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(a);
        return a.length % 2 == 1 ? a[a.length / 2] : 0.5 * (a[a.length / 2 - 1] + a[a.length / 2]);
    }

    private double engineSeconds(String spec) {
        try (Network net = Network.build(SpecParser.parse(spec, "cuba.json"))) {
            long ticks = Math.round(durationMs / net.dtMs());
            long t0 = System.nanoTime();
            for (long k = 0; k < ticks; k++) {
                net.step();
            }
            return (System.nanoTime() - t0) / 1e9;
        }
    }

    private Map<String, Object> runService(EmbeddedBroker broker, String spec, boolean exactlyOnce, String producerSettings)
            throws Exception {
        String prefix = "bench-" + UUID.randomUUID().toString().substring(0, 8) + ".";
        Map<String, Object> props = BenchTopics.simulatorSettings(broker, prefix);
        props.put(SimulatorConfig.GROUP_ID, prefix + "simulator");
        props.put(SimulatorConfig.INSTANCE_ID, "bench");
        props.put(SimulatorConfig.EXACTLY_ONCE, Boolean.toString(exactlyOnce));
        props.putAll(producerSettings(producerSettings));
        long ticks = Math.round(durationMs / 0.1);
        Map<String, Object> rp = new HashMap<>(broker.clientConfig());
        rp.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        rp.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        rp.put(ConsumerConfig.GROUP_ID_CONFIG, prefix + "reader");
        try (SimulatorService service = new SimulatorService(new SimulatorConfig(props));
                KafkaProducer<String, byte[]> producer = new KafkaProducer<>(broker.clientConfig(), new StringSerializer(),
                        new ByteArraySerializer());
                KafkaConsumer<String, byte[]> reader = new KafkaConsumer<>(rp, new StringDeserializer(), new ByteArrayDeserializer())) {
            service.start();
            reader.subscribe(List.of(Topics.STATUS.name(prefix)));
            send(producer, prefix, Commands.create("cuba", spec));
            awaitStatus(reader, prefix, 0);
            CpuSplit cpu = CpuSplit.start("neurostream-simulator");
            long t0 = System.nanoTime();
            send(producer, prefix, Commands.step("cuba", ticks));
            awaitStatus(reader, prefix, ticks);
            double seconds = (System.nanoTime() - t0) / 1e9;
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("t_service_s", seconds);
            out.putAll(cpu.stop());
            long[] output = countOutput(broker, prefix);
            long spikes = output[0];
            out.put("bytes_published", output[1]);
            out.put("bytes_per_s", output[1] / seconds);
            out.put("spikes_published", spikes);
            out.put("spikes_per_s", spikes / seconds);
            out.put("frames", ticks / 10);
            return out;
        }
    }

    /** One {@code --producer} value as settings. */
    private Map<String, String> producerSettings(String set) {
        Map<String, String> settings = new LinkedHashMap<>();
        for (String kv : set.isEmpty() ? new String[0] : set.split(",")) {
            int eq = kv.indexOf('=');
            if (eq <= 0) {
                throw new CommandLine.ParameterException(new CommandLine(this), "--producer takes K=V[,K=V...], not: " + kv);
            }
            settings.put(kv.substring(0, eq).trim(), kv.substring(eq + 1).trim());
        }
        return settings;
    }

    private static void send(KafkaProducer<String, byte[]> producer, String prefix, io.neurostream.schemas.avro.Control c) {
        producer.send(new ProducerRecord<>(Topics.CONTROL.name(prefix), c.getNetworkId(), Topics.CONTROL.valueSerde().encode(c)));
        producer.flush();
    }

    private static void awaitStatus(KafkaConsumer<String, byte[]> reader, String prefix, long tick) {
        long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
        while (System.nanoTime() < deadline) {
            for (ConsumerRecord<String, byte[]> r : reader.poll(Duration.ofMillis(5))) {
                Status s = Topics.STATUS.valueSerde().decode(r.value());
                if (s.getTick() >= tick) {
                    return;
                }
            }
        }
        throw new IllegalStateException("no committed status at tick " + tick + " within 5 minutes");
    }

    /**
     * The spikes published, and the bytes (keys and values) of every record on the spikes, frames and journal topics
     * (not status: the running service writes one every second, and the read ends after 2 s without a record).
     */
    private static long[] countOutput(EmbeddedBroker broker, String prefix) {
        Map<String, Object> rp = new HashMap<>(broker.clientConfig());
        rp.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        rp.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        rp.put(ConsumerConfig.GROUP_ID_CONFIG, prefix + "count");
        long spikes = 0;
        long bytes = 0;
        String spikesTopic = Topics.SPIKES.name(prefix);
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(rp, new StringDeserializer(), new ByteArrayDeserializer())) {
            c.subscribe(List.of(spikesTopic, Topics.FRAMES.name(prefix), Topics.JOURNAL.name(prefix)));
            int idle = 0;
            while (idle < 10) {
                var records = c.poll(Duration.ofMillis(200));
                idle = records.isEmpty() ? idle + 1 : 0;
                for (ConsumerRecord<String, byte[]> r : records) {
                    bytes += Math.max(0, r.serializedKeySize()) + Math.max(0, r.serializedValueSize());
                    if (r.topic().equals(spikesTopic)) {
                        SpikeBatch b = Topics.SPIKES.valueSerde().decode(r.value());
                        spikes += b.getCount();
                    }
                }
            }
        }
        return new long[] {spikes, bytes};
    }
}
