package io.neurostream.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.ComposeContainer;
import org.testcontainers.containers.wait.strategy.Wait;

/**
 * docker-compose.yml brought up on a real Docker engine with the jars this build packaged: every
 * NeuroStream service becomes ready and serves Prometheus text on /metrics, Prometheus scrapes all three,
 * and Grafana serves the provisioned dashboard to an anonymous viewer.
 *
 * <p>Skipped (a JUnit assumption) where no Docker engine answers, which is every machine the project is
 * built on today: there the stack is checked only by DockerComposeTest, ComposeMonitoringTest and
 * GrafanaDashboardTest. Where it runs it needs the host's 127.0.0.1 ports of the compose file free and
 * pulls the pinned images.
 */
class DockerComposeStackIntegrationTest {
    private static final Duration STARTUP = Duration.ofMinutes(5);
    private static final Duration SCRAPED_WITHIN = Duration.ofSeconds(90);
    /** The services that serve /metrics, with a meter name that proves it is the right process. */
    private static final Map<String, Integer> METRICS_PORTS = Map.of("simulator", 9404, "analytics", 9405,
            "dashboard", 8787);
    private static final Map<String, String> OWN_METER = Map.of("simulator", "neurostream_simulator_networks_hosted",
            "analytics", "kafka_stream_", "dashboard", "neurostream_dashboard_viewers");

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static ComposeContainer stack;

    @BeforeAll
    static void up() throws IOException {
        assumeTrue(DockerClientFactory.instance().isDockerAvailable(),
                "no Docker engine here: docker-compose.yml is checked only by DockerComposeTest and friends");
        Path jars = ComposeFile.ROOT.resolve("ops/target/lib");
        assertThat(Files.isDirectory(jars)).as(jars + ": run after `package`, as the integration-test phase does")
                .isTrue();
        stack = new ComposeContainer(ComposeFile.COMPOSE.toAbsolutePath().normalize().toFile())
                .withLocalCompose(true)
                .withEnv("NEUROSTREAM_DASHBOARD_TOKEN", UUID.randomUUID().toString())
                .withEnv("NEUROSTREAM_GRAFANA_ADMIN_PASSWORD", UUID.randomUUID().toString())
                .withRemoveVolumes(true)
                .withStartupTimeout(STARTUP)
                .withExposedService("prometheus", 9090, Wait.forHttp("/-/ready").forStatusCode(200)
                        .withStartupTimeout(STARTUP))
                .withExposedService("grafana", 3000, Wait.forHttp("/api/health").forStatusCode(200)
                        .withStartupTimeout(STARTUP));
        METRICS_PORTS.forEach((service, port) -> stack.withExposedService(service, port,
                Wait.forHttp("/ready").forStatusCode(200).withStartupTimeout(STARTUP)));
        stack.start();
    }

    @AfterAll
    static void down() {
        if (stack != null) {
            stack.stop();
        }
    }

    @Test
    void shouldServePrometheusTextOnMetricsFromEveryNeuroStreamService() throws Exception {
        for (var e : METRICS_PORTS.entrySet()) {
            HttpResponse<String> r = get(url(e.getKey(), e.getValue(), "/metrics"));
            assertThat(r.statusCode()).as(e.getKey() + " /metrics").isEqualTo(200);
            assertThat(r.headers().firstValue("Content-Type")).as(e.getKey()).hasValueSatisfying(
                    type -> assertThat(type).startsWith("text/plain"));
            assertThat(r.body()).as(e.getKey()).contains("jvm_memory_used_bytes").contains(OWN_METER.get(e.getKey()));
        }
    }

    @Test
    void shouldHavePrometheusScrapeAllThreeServices() throws Exception {
        long deadline = System.nanoTime() + SCRAPED_WITHIN.toNanos();
        List<String> notUp;
        do {
            JsonNode targets = new ObjectMapper().readTree(get(url("prometheus", 9090, "/api/v1/targets")).body())
                    .get("data").get("activeTargets");
            notUp = new ArrayList<>();
            int seen = 0;
            for (JsonNode t : targets) {
                seen++;
                if (!t.get("health").asText().equals("up")) {
                    notUp.add(t.get("scrapeUrl").asText() + ": " + t.get("health").asText() + " "
                            + t.path("lastError").asText());
                }
            }
            if (seen != METRICS_PORTS.size()) {
                notUp.add(seen + " targets, not " + METRICS_PORTS.size());
            }
            if (notUp.isEmpty()) {
                return;
            }
            Thread.sleep(2000);
        } while (System.nanoTime() < deadline);
        assertThat(notUp).as("Prometheus targets not up after " + SCRAPED_WITHIN).isEmpty();
    }

    @Test
    void shouldServeTheProvisionedDashboardToAnAnonymousViewer() throws Exception {
        HttpResponse<String> r = get(url("grafana", 3000, "/api/dashboards/uid/neurostream"));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(new ObjectMapper().readTree(r.body()).get("dashboard").get("title").asText())
                .isEqualTo("NeuroStream");
    }

    private static URI url(String service, int port, String path) {
        return URI.create("http://" + stack.getServiceHost(service, port) + ":" + stack.getServicePort(service, port)
                + path);
    }

    private static HttpResponse<String> get(URI uri) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
