package io.neurostream.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.neurostream.analytics.AnalyticsConfig;
import io.neurostream.simulator.SimulatorConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code simulate}, {@code analytics}, {@code topics} and {@code demo} up to the point where they would
 * connect: help, and settings refused before anything starts (no broker here).
 */
class ServiceCommandsTest {

    private static Cli neurostream(Map<String, String> env, String... args) {
        return Cli.run(env, args);
    }

    private static Cli neurostream(String... args) {
        return Cli.run(args);
    }

    @Test
    void shouldDocumentEverySimulatorSettingWithItsEnvironmentVariableInTheHelp() {
        Cli r = neurostream("simulate", "--help");

        assertThat(r.exitCode()).isEqualTo(0);
        for (String key : SimulatorConfig.DEF.names()) {
            String doc = SimulatorConfig.DEF.configKeys().get(key).documentation;
            assertThat(r.out()).contains("  " + key + "  (").contains("env NEUROSTREAM_" + key.toUpperCase().replace('.', '_'))
                    .contains(doc.substring(0, Math.min(30, doc.length())));
        }
        assertThat(r.out()).contains("--bootstrap-server=HOST:PORT").contains("--config=FILE").contains("--property=KEY=VALUE")
                .contains("Examples:").contains("simulator.frame.ms  (double, default 1.0, [1.0E-4,...,1000.0])");
    }

    @Test
    void shouldDocumentEveryAnalyticsSettingInTheHelp() {
        Cli r = neurostream("analytics", "--help");

        assertThat(r.exitCode()).isEqualTo(0);
        for (String key : AnalyticsConfig.DEF.names()) {
            assertThat(r.out()).contains("  " + key + "  (");
        }
        assertThat(r.out()).contains("analytics.alert.<network-id>.").contains("Examples:");
    }

    @Test
    void shouldShowHelpWithExamplesForTopicsAndDemo() {
        for (String cmd : new String[] {"topics", "demo"}) {
            Cli r = neurostream(cmd, "--help");
            assertThat(r.exitCode()).isEqualTo(0);
            assertThat(r.out()).contains("Usage: neurostream " + cmd).contains("Examples:");
        }
    }

    @Test
    void shouldRefuseATakenMetricsPortWithOneLineNamingItAndExit2BeforeConnecting() throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            int port = taken.getLocalPort();
            for (String cmd : new String[] {"simulate", "analytics"}) {
                // an unreachable broker: the command must stop before it would connect
                Cli r = neurostream(cmd, "--metrics-port", Integer.toString(port), "--bootstrap-server", "127.0.0.1:1");

                assertThat(r.exitCode()).as(r.err()).isEqualTo(2);
                assertThat(r.err().lines().toList()).singleElement().satisfies(line -> assertThat(line)
                        .startsWith("neurostream: cannot serve metrics on 127.0.0.1:" + port + " (--metrics-port " + port)
                        .contains("pick another port with --metrics-port, or --metrics-port off"));
            }
        }
    }

    @Test
    void shouldRefuseAMetricsPortThatIsNotAPortAsAUsageError() {
        for (String bad : new String[] {"abc", "65536", "-2"}) {
            Cli r = neurostream("simulate", "--metrics-port", bad);

            assertThat(r.exitCode()).isEqualTo(2);
            assertThat(r.err()).startsWith("neurostream: --metrics-port must be a port 0..65535, or -1 or off, got '" + bad + "'")
                    .hasLineCount(1);
        }
    }

    @Test
    void shouldRefuseAMisspelledSettingBeforeConnecting() {
        Cli r = neurostream("simulate", "--property", "simulator.frame.mss=2");

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).isEqualTo("neurostream: unknown setting 'simulator.frame.mss' (--property); "
                + "did you mean 'simulator.frame.ms'?" + System.lineSeparator());
    }

    @Test
    void shouldRefuseAMisspelledEnvironmentVariableOfAnyServiceWhicheverCommandRuns() {
        Cli r = neurostream(Map.of("NEUROSTREAM_ANALYTICS_WINDOW_SIZE", "500"), "simulate");

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("unknown setting 'analytics.window.size' (environment NEUROSTREAM_ANALYTICS_WINDOW_SIZE); "
                + "did you mean 'analytics.window.size.ms'?");
    }

    @Test
    void shouldRefuseAValueOfTheWrongTypeWithTheKafkaConfigMessage(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("sim.properties");
        Files.writeString(file, "simulator.frame.ms=fast\n");
        Cli r = neurostream("simulate", "--config", file.toString());

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).startsWith("neurostream: Invalid value fast for configuration simulator.frame.ms");
    }

    @Test
    void shouldRefuseAnAnalyticsWindowAdvanceLargerThanItsSize() {
        Cli r = neurostream("analytics", "--property", "analytics.window.size.ms=100",
                "--property", "analytics.window.advance.ms=200");

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("analytics.window.advance.ms");
    }

    @Test
    void shouldAcceptPerNetworkAlertOverridesButNotOtherUnknownAnalyticsKeys() {
        Cli bad = neurostream("topics", "--property", "analytics.alert.demo.ei.ratio.maxx=3", "--timeout-s", "1");
        assertThat(bad.exitCode()).isEqualTo(2);
        assertThat(bad.err()).contains("unknown setting 'analytics.alert.demo.ei.ratio.maxx'");
    }

    @Test
    void shouldRefuseNonsenseDemoOptions() {
        assertThat(neurostream("demo", "--speed", "0").exitCode()).isEqualTo(2);
        assertThat(neurostream("demo", "--port", "70000").exitCode()).isEqualTo(2);
        assertThat(neurostream("demo", "--duration-s", "-1").exitCode()).isEqualTo(2);
    }

    @Test
    void shouldListTheNewCommandsInTheMainHelp() {
        Cli r = neurostream("--help");
        assertThat(r.out()).contains("demo").contains("simulate").contains("analytics").contains("topics")
                .contains("run").contains("bench");
    }
}
