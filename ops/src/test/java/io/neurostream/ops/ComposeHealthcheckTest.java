package io.neurostream.ops;

import static io.neurostream.ops.ComposeFile.texts;
import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The healthchecks of docker-compose.yml's Java services, run as Docker would run them (bash, the one
 * tool of the eclipse-temurin image they use) against a real {@link OpsHttpServer}: healthy exactly while
 * /ready answers 200, unhealthy while it answers 503 and when nothing listens.
 */
class ComposeHealthcheckTest {
    private static final ComposeFile COMPOSE = ComposeFile.read();

    @ParameterizedTest
    @ValueSource(strings = {"simulator", "analytics", "dashboard"})
    void shouldBeHealthyOnlyWhileReadyAnswers200(String service) throws Exception {
        List<String> test = texts(COMPOSE.service(service).get("healthcheck").get("test"));
        assertThat(test.subList(0, 3)).containsExactly("CMD", "bash", "-c");
        String script = test.get(3);
        String port = script.replaceFirst("(?s).*/dev/tcp/127\\.0\\.0\\.1/(\\d+).*", "$1");

        AtomicReference<String> notReady = new AtomicReference<>("recovering");
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        int free;
        try (OpsHttpServer server = OpsHttpServer.start("127.0.0.1", 0, registry, () -> null, notReady::get)) {
            String local = script.replace("/dev/tcp/127.0.0.1/" + port, "/dev/tcp/127.0.0.1/" + server.port());
            assertThat(run(local)).as("%s while /ready answers 503", service).isNotZero();
            notReady.set(null);
            assertThat(run(local)).as("%s while /ready answers 200", service).isZero();
            free = server.port();
        }
        String closed = script.replace("/dev/tcp/127.0.0.1/" + port, "/dev/tcp/127.0.0.1/" + free);
        assertThat(run(closed)).as("%s with nothing listening", service).isNotZero();
    }

    private static int run(String script) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("bash", "-c", script).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).as("the healthcheck ends").isTrue();
        return p.exitValue();
    }
}
