package io.neurostream.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code neurostream status} against a real SimulatorService on the in-JVM broker: the table, one
 * network, an unknown one, and a bounded watch.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class StatusCommandIntegrationTest {
    /** 400 LIF neurons, as in the create and control tests. */
    static final String SPEC = CreateAndControlCommandsIntegrationTest.SPEC;

    @RegisterExtension
    static final ServiceFixture service = new ServiceFixture("status-", 2);

    @TempDir
    Path dir;

    private static Cli cli(String... args) {
        return service.cli(args);
    }

    private void create(String id) throws Exception {
        service.create(dir, id, SPEC);
    }

    @Test
    void shouldListEveryNetworkWithItsStateTickAndSimulatedTime() throws Exception {
        create("table-a");
        create("table-b");
        Cli stepped = cli("control", "table-b", "step", "100");
        assertThat(stepped.exitCode()).as(stepped.err()).isZero();
        // the STEP is answered before its ticks are computed: wait until the status shows them
        long deadline = System.currentTimeMillis() + 30_000;
        Cli c = cli("status");
        while (!stepped(c.out()) && System.currentTimeMillis() < deadline) {
            Thread.sleep(100);
            c = cli("status");
        }

        assertThat(c.exitCode()).as(c.err()).isZero();
        List<String> lines = c.out().lines().toList();
        assertThat(lines.get(0).split("\\s+")).containsExactlyElementsOf(StatusCommand.COLUMNS);
        assertThat(lines).anySatisfy(l -> assertThat(l.split("\\s+"))
                .containsExactly("table-a", "CREATED", "REALTIME", "0", "0.000", "-", "0", "0"));
        // 100 ticks of 0.1 ms: 10 ms of simulated time
        assertThat(lines).anySatisfy(l -> assertThat(l.split("\\s+"))
                .containsExactly("table-b", "PAUSED", "STEPPED", "100", "0.010", "-", "0", "0"));
    }

    private static boolean stepped(String table) {
        return table.lines().anyMatch(l -> l.startsWith("table-b ") && l.split("\\s+")[3].equals("100"));
    }

    @Test
    void shouldShowOnlyTheNamedNetwork() throws Exception {
        create("only-me");

        Cli c = cli("status", "only-me");

        assertThat(c.exitCode()).as(c.err()).isZero();
        List<String> lines = c.out().lines().toList();
        assertThat(lines).hasSize(2);
        assertThat(lines.get(1)).startsWith("only-me ");
    }

    @Test
    void shouldExitOneWithOneLineForAnUnknownNetwork() {
        Cli c = cli("status", "nobody-here");

        assertThat(c.exitCode()).isEqualTo(1);
        assertThat(c.out()).isEmpty();
        assertThat(c.err().lines().toList()).hasSize(1);
        assertThat(c.err()).startsWith("neurostream: no network 'nobody-here'");
    }

    @Test
    void shouldRedrawTheTableOnEveryRefreshOfAWatch() throws Exception {
        create("watched");

        Cli c = cli("status", "watched", "--watch", "--interval-ms", "50", "--count", "2");

        assertThat(c.exitCode()).as(c.err()).isZero();
        assertThat(c.out().lines().filter(l -> l.startsWith("NETWORK"))).hasSize(2);
        assertThat(c.out().lines().filter(l -> l.startsWith("watched "))).hasSize(2);
    }

    @Test
    void shouldRefuseCountWithoutWatchAsAUsageError() {
        Cli c = cli("status", "--count", "2");

        assertThat(c.exitCode()).isEqualTo(2);
        assertThat(c.err()).contains("--count goes with --watch");
    }
}
