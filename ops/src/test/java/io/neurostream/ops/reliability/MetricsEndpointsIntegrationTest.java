package io.neurostream.ops.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.neurostream.broker.EmbeddedBroker;
import io.neurostream.simulator.Commands;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.Test;

/**
 * {@code simulate} and {@code analytics}, each a child JVM started as an operator starts it, serve
 * {@code /metrics}, {@code /health} and {@code /ready} on {@code --metrics-port 0} while they run against the
 * in-JVM broker: the simulator's counters grow between two scrapes as its network runs, the Kafka client and
 * Streams binders are there, and readiness turns from 503 to 200.
 */
class MetricsEndpointsIntegrationTest {
    private static final Duration STARTUP = Duration.ofSeconds(90);
    private static final Pattern URL = Pattern.compile("metrics: (http://\\S+)/metrics");
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void shouldServeSimulatorMetricsThatGrowWhileTheNetworkRunsAndTurnReadyOnceAssigned() throws Exception {
        EmbeddedBroker broker = Kit.sharedBroker();
        String prefix = Kit.prefix("metrics");
        Kit.topics(broker, prefix, 1);
        // Kit's arguments ask for --metrics-port 0
        List<String> args = Kit.simulate(broker.bootstrapServers(), prefix, "sim-metrics", Map.of());
        try (ServiceProcess sim = ServiceProcess.start("simulate-metrics", Path.of("target", "reliability", prefix), args)) {
            URI base = awaitUrl(sim);
            HttpResponse<String> first = get(base, "/ready");
            assertThat(first.statusCode()).as("/ready before the consumer is assigned: %s", first.body()).isEqualTo(503);
            assertThat(get(base, "/health").statusCode()).isEqualTo(200);

            try (KafkaProducer<String, byte[]> control = Kit.producer(broker.clientConfig())) {
                Kit.send(control, prefix, Commands.create("m1", Kit.cuba()));
                Kit.send(control, prefix, Commands.start("m1", 1.0));
            }
            awaitStatus(base, "/ready", 200, sim);
            String ticks = "neurostream_simulator_ticks_total{instance=\"sim-metrics\",network=\"m1\"}";
            String spikes = "neurostream_simulator_spikes_total{instance=\"sim-metrics\",network=\"m1\"}";
            String commits = "neurostream_simulator_commit_duration_seconds_count{instance=\"sim-metrics\"}";
            long deadline = System.nanoTime() + STARTUP.toNanos();
            String one = get(base, "/metrics").body();
            while (value(one, ticks).orElse(0) == 0 && System.nanoTime() < deadline) {
                Thread.sleep(200);
                one = get(base, "/metrics").body();
            }
            Thread.sleep(1500);
            String two = get(base, "/metrics").body();

            assertThat(value(one, ticks)).as(sim.tail(30)).isPresent();
            assertThat(value(two, ticks).getAsDouble()).isGreaterThan(value(one, ticks).getAsDouble());
            assertThat(value(two, spikes).getAsDouble()).isGreaterThan(value(one, spikes).getAsDouble());
            assertThat(value(two, commits).getAsDouble()).isGreaterThan(value(one, commits).getAsDouble());
            assertThat(value(two, "neurostream_simulator_publish_latency_seconds_count{instance=\"sim-metrics\"}")
                    .orElse(0)).isPositive();
            assertThat(value(two, "neurostream_simulator_realtime_factor{instance=\"sim-metrics\",network=\"m1\"}")).isPresent();
            assertThat(value(two, "neurostream_simulator_networks_hosted{instance=\"sim-metrics\"}")).hasValue(1.0);
            assertThat(two).contains("neurostream_simulator_tick_duration_seconds_bucket{instance=\"sim-metrics\",network=\"m1\",le=")
                    .contains("neurostream_simulator_rejected_total{instance=\"sim-metrics\",reason=\"QUEUE_FULL\"} 0.0")
                    .contains("kafka_producer_").contains("kafka_consumer_").contains("jvm_memory_used_bytes")
                    .doesNotContain("neuron=");
            Files.writeString(Path.of("target", "reliability", prefix, "simulate-metrics.prom"), two);
            assertThat(get(base, "/health").statusCode()).isEqualTo(200);
            assertThat(sim.terminate(Duration.ofSeconds(30))).isEqualTo(143);
        }
    }

    @Test
    void shouldServeKafkaStreamsMetricsAndTurnReadyOnceTheAnalyticsRun() throws Exception {
        EmbeddedBroker broker = Kit.sharedBroker();
        String prefix = Kit.prefix("ametrics");
        Kit.topics(broker, prefix, 1);
        Path dir = Path.of("target", "reliability", prefix);
        Files.createDirectories(dir);
        List<String> args = Kit.analytics(broker.bootstrapServers(), prefix,
                Map.of("state.dir", dir.resolve("state").toAbsolutePath().toString()));
        try (ServiceProcess analytics = ServiceProcess.start("analytics-metrics", dir, args)) {
            URI base = awaitUrl(analytics);
            HttpResponse<String> first = get(base, "/ready");
            assertThat(first.statusCode()).as("/ready before RUNNING: %s", first.body()).isEqualTo(503);

            awaitStatus(base, "/ready", 200, analytics);
            assertThat(analytics.lines()).anyMatch(l -> l.contains("analytics RUNNING"));
            String metrics = get(base, "/metrics").body();
            assertThat(metrics).contains("kafka_stream_").contains("instance=\"" + prefix + "analytics\"")
                    .contains("jvm_memory_used_bytes");
            Files.writeString(dir.resolve("analytics-metrics.prom"), metrics);
            assertThat(get(base, "/health").statusCode()).isEqualTo(200);
            assertThat(analytics.terminate(Duration.ofSeconds(30))).isEqualTo(143);
        }
    }

    private static URI awaitUrl(ServiceProcess p) throws InterruptedException {
        assertThat(p.awaitLine(l -> URL.matcher(l).find(), STARTUP)).as("the metrics URL from %s:%n%s", p, p.tail(30)).isTrue();
        for (String l : p.lines()) {
            Matcher m = URL.matcher(l);
            if (m.find()) {
                return URI.create(m.group(1));
            }
        }
        throw new AssertionError("unreachable");
    }

    private void awaitStatus(URI base, String path, int status, ServiceProcess p) throws Exception {
        long deadline = System.nanoTime() + STARTUP.toNanos();
        HttpResponse<String> r = get(base, path);
        while (r.statusCode() != status && System.nanoTime() < deadline) {
            Thread.sleep(200);
            r = get(base, path);
        }
        assertThat(r.statusCode()).as("%s said %s; %s:%n%s", path, r.body(), p, p.tail(30)).isEqualTo(status);
    }

    private HttpResponse<String> get(URI base, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** The value of one series in a Prometheus text scrape (the line that begins with it). */
    private static OptionalDouble value(String scrape, String series) {
        for (String line : scrape.split("\n")) {
            if (line.startsWith(series + " ")) {
                return OptionalDouble.of(Double.parseDouble(line.substring(series.length() + 1).strip()));
            }
        }
        return OptionalDouble.empty();
    }
}
