package io.neurostream.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code neurostream demo} as a process, the way a user runs it (see {@link DemoProcess}). It must print a
 * block of rates, stop cleanly on SIGTERM (exit 143: the JVM's status after SIGTERM once the shutdown hook
 * let it go) and say so; run again on the same data, it must resume the network rather than create it.
 * Every wait is bounded; each test takes 10 to 20 s.
 */
class DemoEndToEndTest {

    @Test
    void shouldPrintRatesThenStopCleanlyOnSigterm(@TempDir Path data) throws Exception {
        // first run: rates, then SIGTERM
        try (DemoProcess first = DemoProcess.start(data, "--duration-s", "50")) {
            assertThat(first.awaitRates(40)).as("a V1_like rates line within 40 s; %s", first).isTrue();
            assertThat(first.process.isAlive()).isTrue();

            first.terminate();
            assertThat(first.process.waitFor(20, TimeUnit.SECONDS)).as("stopped within 20 s of SIGTERM; %s", first).isTrue();
            first.drained();

            assertThat(first.process.exitValue()).as("%s", first).isEqualTo(143);
            assertThat(first.err).anyMatch(l -> l.equals("stopping (signal) ..."))
                    .anyMatch(l -> l.startsWith(DemoCommand.STOPPED_LINE + " in "))
                    .anyMatch(l -> l.matches("\\s+stopped broker\\s+\\d+ ms"))
                    .noneMatch(DemoProcess::ourError);
            assertThat(first.out).anyMatch(l -> l.startsWith("t = ")).anyMatch(l -> l.trim().startsWith("S1_like"));
            assertThat(data.resolve("kafka").resolve("logs").resolve("meta.properties")).exists();
        }
    }

    @Test
    void shouldResumeTheNetworkOnTheNextRun(@TempDir Path data) throws Exception {
        double reached;
        try (DemoProcess first = DemoProcess.start(data, "--duration-s", "50")) {
            assertThat(first.awaitRates(40)).as("a V1_like rates line within 40 s; %s", first).isTrue();
            first.terminate();
            assertThat(first.process.waitFor(20, TimeUnit.SECONDS)).as("%s", first).isTrue();
            first.drained();
            reached = first.lastBlockSeconds();
        }

        // second run on the same data: the network is not created again, it goes on from its checkpoint
        try (DemoProcess second = DemoProcess.start(data, "--duration-s", "6")) {
            assertThat(second.process.waitFor(40, TimeUnit.SECONDS)).as("--duration-s 6 ended; %s", second).isTrue();
            second.drained();
            assertThat(second.process.exitValue()).as("%s", second).isZero();
            assertThat(second.err).anyMatch(l -> l.startsWith("topics: created 0, found 13"))
                    .anyMatch(l -> l.startsWith("network demo exists"))
                    .noneMatch(l -> l.startsWith("network demo created"))
                    .noneMatch(DemoProcess::ourError)
                    .anyMatch(l -> l.startsWith(DemoCommand.STOPPED_LINE + " in "));
            assertThat(second.firstBlockSeconds()).as("the first window after the restart; %s", second)
                    .isGreaterThanOrEqualTo(reached - 1.0);
        }
    }
}
