package io.neurostream.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.neurostream.analytics.AnalyticsApp;
import io.neurostream.analytics.AnalyticsConfig;
import io.neurostream.broker.EmbeddedBroker;
import io.neurostream.schemas.Topics;
import io.neurostream.schemas.avro.Frame;
import io.neurostream.schemas.avro.Rate;
import io.neurostream.simulator.Commands;
import io.neurostream.simulator.SimulatorConfig;
import io.neurostream.simulator.SimulatorService;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
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
 * How long after a frame is published its final rate appears: CUBA in real time through the simulator
 * and the analytics (both exactly once), on a broker in the same JVM. A reader (read_committed) notes
 * when each frame and each network-wide rate arrives; a window {@code [s, e)} becomes final with the
 * first frame at or after {@code e + grace}, so the delay of a rate is its arrival minus the arrival of
 * that frame. Both transactional commit intervals (100 ms each) are part of what is measured.
 *
 * <pre>
 * java -cp "bench/target/classes:$(cat bench/target/classpath.txt)" io.neurostream.bench.RateLatencyBench --seconds 20
 * </pre>
 */
@Command(name = "rate-latency", mixinStandardHelpOptions = true,
        description = "Delay from a frame's publication to its final rate appearing (real time, exactly once).",
        footer = {"", "Examples:", "  java -cp ... io.neurostream.bench.RateLatencyBench --seconds 20"})
public final class RateLatencyBench implements Callable<Integer> {
    @Option(names = "--seconds", defaultValue = "20", description = "Wall-clock seconds to run. Default ${DEFAULT-VALUE}.")
    int seconds;

    @Option(names = "--grace-ms", defaultValue = "200", description = "analytics.window.grace.ms. Default ${DEFAULT-VALUE}.")
    long graceMs;

    public static void main(String[] args) {
        System.exit(new CommandLine(new RateLatencyBench()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        Path dir = Files.createTempDirectory("neurostream-latency-bench");
        String prefix = "lat.";
        try (EmbeddedBroker broker = EmbeddedBroker.builder().dataDir(dir.resolve("kafka")).build().start()) {
            Map<String, Object> sim = BenchTopics.simulatorSettings(broker, prefix);
            Map<String, Object> an = new HashMap<>(broker.clientConfig());
            an.put(AnalyticsConfig.TOPIC_PREFIX, prefix);
            an.put(AnalyticsConfig.WINDOW_GRACE_MS, Long.toString(graceMs));
            an.put("state.dir", dir.resolve("streams").toString());
            Map<String, Object> rp = new HashMap<>(broker.clientConfig());
            rp.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            rp.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            rp.put(ConsumerConfig.GROUP_ID_CONFIG, "latency-reader");
            NavigableMap<Double, Long> frameArrivalNanos = new TreeMap<>();
            List<Double> delaysMs = new ArrayList<>();
            try (SimulatorService simulator = new SimulatorService(new SimulatorConfig(sim));
                    AnalyticsApp analytics = new AnalyticsApp(new AnalyticsConfig(an));
                    KafkaProducer<String, byte[]> producer = new KafkaProducer<>(broker.clientConfig(), new StringSerializer(),
                            new ByteArraySerializer());
                    KafkaConsumer<String, byte[]> reader = new KafkaConsumer<>(rp, new StringDeserializer(), new ByteArrayDeserializer())) {
                simulator.start();
                analytics.start();
                reader.subscribe(List.of(Topics.FRAMES.name(prefix), Topics.RATES.name(prefix)));
                for (var c : List.of(Commands.create("cuba", PipelineBench.cuba()), Commands.start("cuba", 1.0))) {
                    producer.send(new ProducerRecord<>(Topics.CONTROL.name(prefix), "cuba", Topics.CONTROL.valueSerde().encode(c)));
                }
                producer.flush();
                long end = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
                while (System.nanoTime() < end) {
                    for (ConsumerRecord<String, byte[]> r : reader.poll(Duration.ofMillis(5))) {
                        long now = System.nanoTime();
                        if (r.topic().equals(Topics.FRAMES.name(prefix))) {
                            Frame f = Topics.FRAMES.valueSerde().decode(r.value());
                            frameArrivalNanos.put(f.getSimTimeMs() + f.getTicks() * f.getDtMs(), now);
                        } else {
                            Rate rate = Topics.RATES.valueSerde().decode(r.value());
                            if (rate.getArea() != null) {
                                continue;
                            }
                            double epoch = frameEpoch(rate);
                            Map.Entry<Double, Long> closing = frameArrivalNanos.ceilingEntry(rate.getWindowEndMs() - epoch + graceMs);
                            if (closing != null) {
                                delaysMs.add((now - closing.getValue()) / 1e6);
                            }
                        }
                    }
                }
            }
            Collections.sort(delaysMs);
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("rates", delaysMs.size());
            out.put("grace_ms", graceMs);
            out.put("delay_ms_p50", pct(delaysMs, 0.5));
            out.put("delay_ms_p90", pct(delaysMs, 0.9));
            out.put("delay_ms_p99", pct(delaysMs, 0.99));
            out.put("delay_ms_max", delaysMs.isEmpty() ? null : delaysMs.get(delaysMs.size() - 1));
            System.out.println("RESULT " + new ObjectMapper().writeValueAsString(out));
        }
        return 0;
    }

    private long epochMs = -1;

    /** The run epoch, learned from the first rate's window alignment (windows start at simulated multiples of the advance). */
    private double frameEpoch(Rate r) {
        if (epochMs < 0) {
            epochMs = r.getWindowStartMs() - Math.floorMod(r.getWindowStartMs(), 1000L);
        }
        return epochMs;
    }

    private static Double pct(List<Double> sorted, double q) {
        if (sorted.isEmpty()) {
            return null;
        }
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.floor(q * sorted.size())));
    }
}
