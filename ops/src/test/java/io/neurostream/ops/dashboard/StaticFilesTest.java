package io.neurostream.ops.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.neurostream.ops.OpsHttpServer;
import io.neurostream.ops.dashboard.internal.StaticFiles;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The page's files served beside /metrics by one {@link OpsHttpServer}: types, 404s, no way out of the folder. */
class StaticFilesTest {
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private OpsHttpServer server;

    @BeforeEach
    void start() {
        server = OpsHttpServer.start(OpsHttpServer.DEFAULT_HOST, 0, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
                () -> null, () -> null,
                new OpsHttpServer.Extra(Map.of("/", new StaticFiles("io/neurostream/ops/dashboard/testweb/")), 4));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private HttpResponse<String> get(String rawPath) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(server.uri() + rawPath)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void shouldServeTheIndexAtTheRootAsHtml() throws Exception {
        HttpResponse<String> r = get("/");

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
        assertThat(r.body()).contains("test page");
    }

    @Test
    void shouldServeAStaticFileWithItsContentType() throws Exception {
        HttpResponse<String> r = get("/static/app.js");

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("text/javascript; charset=utf-8");
        assertThat(r.body()).contains("test app");
    }

    @Test
    void shouldNotClimbOutOfTheWebFolder() throws Exception {
        // a class file and a resource that exist on the classpath beside the folder
        for (String path : new String[] {"/static/../../version.properties", "/static/%2e%2e/testweb/index.html",
            "/static/..%2F..%2Fversion.properties", "/static/", "/static/testweb", "/static/StaticFilesTest.class",
            "/static/.hidden.js", "/nothing.html"}) {
            HttpResponse<String> r = get(path);
            assertThat(r.statusCode()).as(path).isEqualTo(404);
            assertThat(r.body()).as(path).doesNotContain("version=");
        }
    }

    @Test
    void shouldAnswerAnUnknownApiPathWithJson404() throws Exception {
        HttpResponse<String> r = get("/api/nothing");

        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json; charset=utf-8");
        assertThat(r.body()).startsWith("{\"error\":\"").contains("/api/nothing");
    }

    @Test
    void shouldStillServeMetricsHealthAndReadyBesideThePage() throws Exception {
        assertThat(get("/health").body()).isEqualTo("ok\n");
        assertThat(get("/ready").statusCode()).isEqualTo(200);
        assertThat(get("/metrics").statusCode()).isEqualTo(200);
    }

    @Test
    void shouldRefuseToServeOverTheOperatorsEndpoints() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new OpsHttpServer.Extra(Map.of("/metrics", e -> { }), 0))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
