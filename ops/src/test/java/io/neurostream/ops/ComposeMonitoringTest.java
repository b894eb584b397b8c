package io.neurostream.ops;

import static io.neurostream.ops.ComposeFile.texts;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The monitoring half of docker-compose.yml against its own files, without Docker: Prometheus scrapes
 * compose services at the ports they serve their metrics on, and Grafana is provisioned with that
 * Prometheus and with the dashboard directory that compose mounts.
 */
class ComposeMonitoringTest {
    private static final Path PROMETHEUS = ComposeFile.ROOT.resolve("ops/compose/prometheus.yml");
    private static final Path GRAFANA = ComposeFile.ROOT.resolve("ops/compose/grafana");
    /** The port option of each service that serves /metrics. */
    private static final Map<String, String> METRICS_PORT_OPTION =
            Map.of("simulator", "--metrics-port", "analytics", "--metrics-port", "dashboard", "--port");

    private static ComposeFile compose;
    private static JsonNode prometheus;

    @BeforeAll
    static void read() throws IOException {
        compose = ComposeFile.read();
        prometheus = ComposeFile.YAML.readTree(PROMETHEUS.toFile());
    }

    @Test
    void shouldScrapeEachNeuroStreamServiceAtThePortItServesMetricsOn() {
        Map<String, String> scraped = new LinkedHashMap<>();
        for (JsonNode job : prometheus.get("scrape_configs")) {
            String name = job.get("job_name").asText();
            assertThat(job.path("metrics_path").asText("/metrics")).as(name).isEqualTo("/metrics");
            // the meters' own `instance` tag (the process's instance id) must win over host:port
            assertThat(job.path("honor_labels").asBoolean()).as(name + " honor_labels").isTrue();
            for (JsonNode config : job.get("static_configs")) {
                for (String target : texts(config.get("targets"))) {
                    String[] hostPort = target.split(":");
                    assertThat(hostPort).as(target).hasSize(2);
                    scraped.put(hostPort[0], hostPort[1]);
                }
            }
        }
        assertThat(scraped.keySet()).containsExactlyInAnyOrderElementsOf(METRICS_PORT_OPTION.keySet());
        scraped.forEach((service, port) -> {
            assertThat(compose.service(service)).as("compose service " + service).isNotNull();
            Optional<String> served = compose.commandOption(service, METRICS_PORT_OPTION.get(service));
            assertThat(served).as("the port %s serves /metrics on", service).contains(port);
        });
    }

    @Test
    void shouldMountThePrometheusConfigAtTheImagesDefaultPath() {
        assertThat(compose.mountTarget("prometheus", "./ops/compose/prometheus.yml"))
                .contains("/etc/prometheus/prometheus.yml");
        assertThat(compose.mountTarget("prometheus", "prometheus-data")).contains("/prometheus");
    }

    @Test
    void shouldProvisionGrafanaWithThePrometheusServiceAndTheMountedDashboards() throws IOException {
        assertThat(compose.mountTarget("grafana", "./ops/compose/grafana/provisioning"))
                .contains("/etc/grafana/provisioning");

        JsonNode datasource = ComposeFile.YAML.readTree(
                GRAFANA.resolve("provisioning/datasources/prometheus.yml").toFile()).get("datasources").get(0);
        assertThat(datasource.get("type").asText()).isEqualTo("prometheus");
        assertThat(datasource.get("url").asText()).isEqualTo("http://prometheus:9090");
        assertThat(texts(compose.service("prometheus").get("ports"))).contains("127.0.0.1:9090:9090");
        String scrapeInterval = prometheus.get("global").get("scrape_interval").asText();
        assertThat(datasource.get("jsonData").get("timeInterval").asText()).isEqualTo(scrapeInterval);

        JsonNode provider = ComposeFile.YAML.readTree(
                GRAFANA.resolve("provisioning/dashboards/neurostream.yml").toFile()).get("providers").get(0);
        assertThat(provider.get("type").asText()).isEqualTo("file");
        String dashboards = provider.get("options").get("path").asText();
        assertThat(compose.mountTarget("grafana", "./ops/compose/grafana/dashboards")).contains(dashboards);

        String home = compose.service("grafana").get("environment").get("GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH")
                .asText();
        assertThat(home).isEqualTo(dashboards + "/" + GrafanaDashboardTest.DASHBOARD.getFileName());
        assertThat(Files.isRegularFile(GrafanaDashboardTest.DASHBOARD)).isTrue();
    }
}
