package io.neurostream.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.neurostream.ingest.NeuroStreamClient;
import io.neurostream.ops.dashboard.DashboardServer;
import io.neurostream.schemas.avro.Status;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What 20 live viewers of the demo network (6000 neurons) cost: each viewer's bytes per second, and the
 * simulator's real-time factor with and without them, on the in-JVM broker. A measurement, not a test:
 * {@code mvn -pl ops -am test -Dtest=DashboardLoadMeasurement -Dmeasure.dashboard=true
 * -Dsurefire.failIfNoSpecifiedTests=false}; the numbers go to the log (and docs/dashboard.md).
 */
@Tag("measurement")
@EnabledIfSystemProperty(named = "measure.dashboard", matches = "true")
@Timeout(value = 600, unit = TimeUnit.SECONDS)
class DashboardLoadMeasurement {
    private static final Logger LOG = LoggerFactory.getLogger(DashboardLoadMeasurement.class);
    private static final int VIEWERS = Integer.getInteger("measure.viewers", 20);
    private static final Duration PHASE = Duration.ofSeconds(Long.getLong("measure.seconds", 20));
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Min, mean of the real-time factor and simulated ms advanced, over a phase, read from the status each second. */
    private static double[] watch(NeuroStreamClient client, Duration phase) throws InterruptedException {
        long end = System.nanoTime() + phase.toNanos();
        double min = Double.MAX_VALUE;
        double sum = 0;
        int n = 0;
        double t0 = client.status("demo").orElseThrow().getSimTimeMs();
        long w0 = System.nanoTime();
        while (System.nanoTime() < end) {
            Thread.sleep(1000);
            Status s = client.status("demo").orElseThrow();
            min = Math.min(min, s.getRealtimeFactor());
            sum += s.getRealtimeFactor();
            n++;
        }
        double t1 = client.status("demo").orElseThrow().getSimTimeMs();
        double wallMs = (System.nanoTime() - w0) / 1e6;
        return new double[] {min, sum / n, (t1 - t0) / wallMs};
    }

    @Test
    void measureTwentyViewersOfTheDemoNetwork() throws Exception {
        try (ServiceFixture service = ServiceFixture.start("dashload-", 2)) {
            Path dir = Files.createTempDirectory("dashload");
            String spec;
            try (InputStream in = Main.class.getResourceAsStream("demo-network.json")) {
                spec = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            service.create(dir, "demo", spec);
            try (NeuroStreamClient client = new NeuroStreamClient(service.clientSettings());
                    DashboardServer dashboard = DashboardServer.start(service.clientSettings(),
                            DashboardServer.Options.defaults().port(0), new PrometheusMeterRegistry(PrometheusConfig.DEFAULT))) {
                assertThat(client.start("demo", 1.0).isApplied()).isTrue();
                Thread.sleep(5000); // warm up
                double[] alone = watch(client, PHASE);
                LOG.info("MEASURE no viewer: real-time factor min {} mean {}, simulated ms per wall ms {}", alone[0], alone[1],
                        alone[2]);

                HttpClient http = HttpClient.newHttpClient();
                List<SseClient> viewers = new ArrayList<>();
                for (int i = 0; i < VIEWERS; i++) {
                    viewers.add(SseClient.open(http, URI.create(dashboard.uri() + "/api/networks/demo/stream")));
                }
                for (SseClient v : viewers) {
                    assertThat(v.next("raster", Duration.ofSeconds(60))).isNotNull();
                }
                long[] before = viewers.stream().mapToLong(SseClient::bytes).toArray();
                long w0 = System.nanoTime();
                double[] watched = watch(client, PHASE);
                double wallS = (System.nanoTime() - w0) / 1e9;
                long total = 0;
                long max = 0;
                for (int i = 0; i < VIEWERS; i++) {
                    long b = viewers.get(i).bytes() - before[i];
                    total += b;
                    max = Math.max(max, b);
                }
                HttpResponse<String> metrics = http.send(HttpRequest.newBuilder(URI.create(dashboard.uri() + "/metrics")).build(),
                        HttpResponse.BodyHandlers.ofString());
                String dropped = metrics.body().lines().filter(l -> l.startsWith("neurostream_dashboard_viewers_dropped"))
                        .findFirst().orElse("?");
                JsonNode spikes = JSON.readTree(http.send(HttpRequest.newBuilder(URI.create(dashboard.uri()
                        + "/api/networks")).build(), HttpResponse.BodyHandlers.ofString()).body());
                LOG.info("MEASURE {} viewers: real-time factor min {} mean {}, simulated ms per wall ms {}; per viewer "
                        + "mean {} kB/s, max {} kB/s; {}; networks {}", VIEWERS, watched[0], watched[1], watched[2],
                        total / wallS / VIEWERS / 1000, max / wallS / 1000, dropped, spikes);
                LOG.info("MEASURE bytes of one viewer by event type over the phase and before: {}", viewers.get(0).bytesByType());
                for (SseClient v : viewers) {
                    v.close();
                }
            }
        }
    }
}
