package io.neurostream.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code neurostream dashboard}'s refusals, before it connects to anything. */
class DashboardCommandTest {
    @Test
    void shouldRefuseToBindOffLoopbackWithoutATokenInOneLine() {
        Cli c = Cli.run("dashboard", "--host", "0.0.0.0", "--port", "0");

        assertThat(c.exitCode()).isEqualTo(2);
        assertThat(c.err().lines()).hasSize(1);
        assertThat(c.err()).startsWith("neurostream: the dashboard binds 0.0.0.0, which is not loopback: give it a token");
        assertThat(c.out()).isEmpty();
    }

    @Test
    void shouldRefuseTokenForViewingWithoutAToken() {
        Cli c = Cli.run("dashboard", "--token-for-viewing", "--port", "0");

        assertThat(c.exitCode()).isEqualTo(2);
        assertThat(c.err()).isEqualTo("neurostream: --token-for-viewing needs a token (--token T or setting dashboard.token)\n");
    }

    @Test
    void shouldTakeTheTokenFromTheEnvironmentToo() {
        // with the token from NEUROSTREAM_DASHBOARD_TOKEN, off loopback is no usage error: it gets as far as the port check
        Cli without = Cli.run("dashboard", "--host", "0.0.0.0", "--port", "70000");
        Cli with = Cli.run(Map.of("NEUROSTREAM_DASHBOARD_TOKEN", "s3cret"), "dashboard", "--host", "0.0.0.0", "--port", "70000");

        assertThat(without.err()).contains("not loopback");
        assertThat(with.exitCode()).isEqualTo(2);
        assertThat(with.err()).isEqualTo("neurostream: --port must be in 0..65535, got 70000\n");
    }
}
