package io.neurostream.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.neurostream.ops.internal.JvmMeters;
import io.neurostream.simulator.Commands;
import io.neurostream.simulator.SimulatorConfig;
import io.neurostream.simulator.SimulatorTestDriver;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class OpsHttpServerTest {
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final AtomicReference<String> healthProblem = new AtomicReference<>();
    private final AtomicReference<String> readyProblem = new AtomicReference<>("recovering 2 networks");
    private PrometheusMeterRegistry registry;
    private JvmMeters jvm;
    private OpsHttpServer server;
    /** A simulator core with no Kafka, counting into the registry served. */
    private SimulatorTestDriver simulator;

    @BeforeEach
    void start() {
        registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        jvm = new JvmMeters(registry);
        simulator = new SimulatorTestDriver(Map.of(SimulatorConfig.INSTANCE_ID, "sim-1"), registry);
        server = OpsHttpServer.start(OpsHttpServer.DEFAULT_HOST, 0, registry, healthProblem::get, readyProblem::get);
    }

    @AfterEach
    void stop() {
        server.close();
        simulator.close();
        jvm.close();
        registry.close();
    }

    private HttpResponse<String> request(String method, String path) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(server.uri().resolve(path))
                .timeout(Duration.ofSeconds(10))
                .method(method, HttpRequest.BodyPublishers.noBody())
                .build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void shouldBindLoopbackOnAPickedPortByDefault() {
        assertThat(server.port()).isPositive();
        assertThat(server.uri()).isEqualTo(URI.create("http://127.0.0.1:" + server.port()));
    }

    @Test
    void shouldServeTheSimulatorAndJvmMetersInPrometheusTextFormat() throws Exception {
        for (int i = 0; i < 3; i++) {
            simulator.pipeRawInput("x", new byte[] {1, 2, 3});
        }
        simulator.pipeControl(Commands.create("n1", "{\"name\": \"q\", \"populations\": [{\"name\": \"p\", \"count\": 10}]}"));
        simulator.pipeControl(Commands.create("n2", "{\"name\": \"q\", \"populations\": [{\"name\": \"p\", \"count\": 10}]}"));

        HttpResponse<String> first = request("GET", "/metrics");

        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(first.headers().firstValue("Content-Type")).hasValue("text/plain; version=0.0.4; charset=utf-8");
        assertThat(first.body())
                .contains("neurostream_simulator_rejected_total{instance=\"sim-1\",reason=\"UNDECODABLE\"} 3.0")
                .contains("neurostream_simulator_rejected_total{instance=\"sim-1\",reason=\"QUEUE_FULL\"} 0.0")
                .contains("neurostream_simulator_networks_hosted{instance=\"sim-1\"} 2.0")
                .contains("neurostream_simulator_ticks_total{instance=\"sim-1\",network=\"n2\"} 0.0")
                .contains("jvm_memory_used_bytes")
                .contains("jvm_threads_live_threads")
                .contains("process_uptime_seconds");

        simulator.pipeRawInput("x", new byte[] {4});
        simulator.pipeRawInput("x", new byte[] {5});
        simulator.pipeControl(Commands.stop("n2"));
        String second = request("GET", "/metrics").body();

        assertThat(second)
                .contains("neurostream_simulator_rejected_total{instance=\"sim-1\",reason=\"UNDECODABLE\"} 5.0")
                .contains("neurostream_simulator_networks_hosted{instance=\"sim-1\"} 1.0")
                .contains("neurostream_simulator_ticks_total{instance=\"sim-1\",network=\"n1\"} 0.0")
                .doesNotContain("network=\"n2\"");
    }

    @Test
    void shouldAnswerReadyOnlyOnceTheReadinessCheckPasses() throws Exception {
        HttpResponse<String> notYet = request("GET", "/ready");
        assertThat(notYet.statusCode()).isEqualTo(503);
        assertThat(notYet.body()).isEqualTo("recovering 2 networks\n");

        readyProblem.set(null);
        HttpResponse<String> ready = request("GET", "/ready");
        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(ready.body()).isEqualTo("ready\n");
    }

    @Test
    void shouldAnswerHealthOkWhileThePartsRunAnd503WithTheReasonOnceOneStops() throws Exception {
        HttpResponse<String> ok = request("GET", "/health");
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(ok.body()).isEqualTo("ok\n");

        healthProblem.set("the simulator loop stopped: broker unreachable");
        HttpResponse<String> down = request("GET", "/health");
        assertThat(down.statusCode()).isEqualTo(503);
        assertThat(down.body()).isEqualTo("the simulator loop stopped: broker unreachable\n");
    }

    @Test
    void shouldAnswer503NotCrashWhenACheckThrows() throws Exception {
        server.close();
        server = OpsHttpServer.start(OpsHttpServer.DEFAULT_HOST, 0, registry, healthProblem::get, () -> {
            throw new IllegalStateException("no consumer yet");
        });

        HttpResponse<String> ready = request("GET", "/ready");

        assertThat(ready.statusCode()).isEqualTo(503);
        assertThat(ready.body()).contains("no consumer yet");
        assertThat(request("GET", "/health").statusCode()).isEqualTo(200);
    }

    @Test
    void shouldRefuseOtherMethodsAndUnknownPaths() throws Exception {
        HttpResponse<String> post = request("POST", "/metrics");
        assertThat(post.statusCode()).isEqualTo(405);
        assertThat(post.headers().firstValue("Allow")).hasValue("GET, HEAD");

        assertThat(request("GET", "/nope").statusCode()).isEqualTo(404);
        assertThat(request("GET", "/metricsfoo").statusCode()).isEqualTo(404);
        assertThat(request("HEAD", "/health").statusCode()).isEqualTo(200);
    }

    @Test
    void shouldSayWhichAddressItCannotBind() {
        assertThatThrownBy(() -> OpsHttpServer.start(OpsHttpServer.DEFAULT_HOST, server.port(), registry,
                healthProblem::get, readyProblem::get))
                .isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining("cannot bind 127.0.0.1:" + server.port());
    }
}
