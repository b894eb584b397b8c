package io.neurostream.ops.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.neurostream.broker.EmbeddedBroker;
import io.neurostream.ops.internal.StopSignal;
import io.neurostream.ops.internal.Wedge;
import io.neurostream.simulator.Commands;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A signal stops {@code neurostream simulate} and {@code neurostream demo} within the shutdown budget
 * even when something is wedged, with the documented exit code. The child JVM runs with a 4 s budget
 * ({@value StopSignal#TIMEOUT_PROPERTY}) and either {@link LoopWedge}, which wedges the simulator's loop
 * thread on the first records it polls (its close then waits for the loop without a timeout), or the
 * test-only {@value Wedge#PROPERTY}, which hangs one part's close (the demo's simulator) or the command's
 * own shutdown, so that only the hook's halt can end the JVM.
 * Run: {@code mvn -B -o verify -pl ops -am -Dtest='reliability.StopBoundIntegrationTest'
 * -Dsurefire.failIfNoSpecifiedTests=false}; the children's logs go to {@code ops/target/reliability/<prefix>/}.
 */
@Timeout(240)
class StopBoundIntegrationTest {
    private static final double BUDGET_S = 4;
    /** JVM exit, the drain of its output and a loaded machine, on top of the budget. */
    private static final Duration SLACK = Duration.ofSeconds(10);
    private static final Duration STARTUP = Duration.ofSeconds(60);

    @Test
    void shouldExit143WithinTheBudgetAfterSigtermWhenTheSimulatorsCloseHangs() throws Exception {
        try (ServiceProcess sim = startWithWedgedLoop()) {
            long t0 = System.nanoTime();
            Integer code = sim.terminateAndWait(Duration.ofMillis(Math.round(BUDGET_S * 1000)).plus(SLACK));
            assertThat(code).as("exit code, %s s after SIGTERM; log:%n%s", (System.nanoTime() - t0) / 1e9, sim.tail(40))
                    .isEqualTo(StopSignal.EXIT_SIGTERM);
            assertThat(String.join("\n", sim.lines()))
                    .contains("the simulator did not stop within")
                    .contains("SimulatorService.close")    // the stuck closer's stack, in the one WARN
                    .contains("neurostream: the simulator did not stop cleanly");
        }
    }

    @Test
    void shouldExit130WithinTheBudgetAfterSigintWhenTheSimulatorsCloseHangs() throws Exception {
        try (ServiceProcess sim = startWithWedgedLoop()) {
            long t0 = System.nanoTime();
            sim.interrupt();
            Integer code = sim.awaitExit(Duration.ofMillis(Math.round(BUDGET_S * 1000)).plus(SLACK));
            assertThat(code).as("exit code, %s s after SIGINT; log:%n%s", (System.nanoTime() - t0) / 1e9, sim.tail(40))
                    .isEqualTo(StopSignal.EXIT_SIGINT);
        }
    }

    @Test
    void shouldHaltWithTheStacksOfWhatIsStuckWhenTheShutdownItselfHangs() throws Exception {
        try (ServiceProcess sim = startWedged("shutdown")) {
            long t0 = System.nanoTime();
            Integer code = sim.terminateAndWait(Duration.ofMillis(Math.round(BUDGET_S * 1000)).plus(SLACK));
            double afterS = (System.nanoTime() - t0) / 1e9;
            assertThat(code).as("exit code, %s s after SIGTERM; log:%n%s", afterS, sim.tail(40))
                    .isEqualTo(StopSignal.EXIT_SIGTERM);
            assertThat(afterS).as("the hook waits for the budget before halting").isGreaterThanOrEqualTo(BUDGET_S * 0.9);
            assertThat(String.join("\n", sim.lines()))
                    .contains("the shutdown did not finish within 4.0 s")
                    .contains("halting with exit code 143")
                    .contains("Wedge.hangIfWedged");          // the command thread's stack
        }
    }

    @Test
    void shouldStopTheRestOfTheDemoAndExit143WithinTheBudgetWhenItsSimulatorHangs(@TempDir Path data)
            throws Exception {
        try (ServiceProcess demo = ServiceProcess.start("demo-wedged", Path.of("target", "reliability", "stop-demo"),
                List.of("-D" + StopSignal.TIMEOUT_PROPERTY + "=" + BUDGET_S, "-D" + Wedge.PROPERTY + "=simulator"),
                List.of("demo", "--data-dir", data.toString(), "--port", "0", "--dashboard-port", "0"))) {
            await(demo, "live: vision gets");
            long t0 = System.nanoTime();
            Integer code = demo.terminateAndWait(Duration.ofMillis(Math.round(BUDGET_S * 1000)).plus(SLACK));
            assertThat(code).as("exit code, %s s after SIGTERM; log:%n%s", (System.nanoTime() - t0) / 1e9, demo.tail(40))
                    .isEqualTo(StopSignal.EXIT_SIGTERM);
            String log = String.join("\n", demo.lines());
            assertThat(log).contains("could not stop the simulator cleanly: it did not stop within")
                    .contains("the simulator did not stop within");      // the WARN with its stack
            // the wedged simulator took the budget's first 90 %; the parts after it still got closed, or tried
            assertThat(log.substring(log.indexOf("could not stop the simulator"))).contains("broker");
        }
    }

    /** {@code neurostream simulate}, running, its loop thread wedged by the CREATE of a network. */
    private static ServiceProcess startWithWedgedLoop() throws Exception {
        EmbeddedBroker broker = Kit.sharedBroker();
        String prefix = Kit.prefix("stop");
        Kit.topics(broker, prefix, 1);
        ServiceProcess sim = start(broker, prefix, "sim-loop", List.of(),
                Map.of("interceptor.classes", LoopWedge.class.getName()));
        try (KafkaProducer<String, byte[]> control = Kit.producer(broker.clientConfig())) {
            Kit.send(control, prefix, Commands.create("n1", Kit.cuba()));
        }
        await(sim, LoopWedge.WEDGED_LINE);
        return sim;
    }

    /** {@code neurostream simulate}, running, whose shutdown will hang on the command's thread. */
    private static ServiceProcess startWedged(String point) throws Exception {
        EmbeddedBroker broker = Kit.sharedBroker();
        String prefix = Kit.prefix("stop");
        Kit.topics(broker, prefix, 1);
        return start(broker, prefix, "sim-" + point, List.of("-D" + Wedge.PROPERTY + "=" + point), Map.of());
    }

    private static ServiceProcess start(EmbeddedBroker broker, String prefix, String name, List<String> jvmOptions,
            Map<String, String> properties) throws Exception {
        List<String> options = new ArrayList<>(jvmOptions);
        options.add("-D" + StopSignal.TIMEOUT_PROPERTY + "=" + BUDGET_S);
        ServiceProcess sim = ServiceProcess.start(name, Path.of("target", "reliability", prefix), options,
                Kit.simulate(broker.bootstrapServers(), prefix, "sim-stop", properties));
        await(sim, "running against");
        return sim;
    }

    private static void await(ServiceProcess process, String line) throws InterruptedException {
        boolean seen = process.awaitLine(l -> l.contains(line), STARTUP);
        if (!seen) {
            process.close();
        }
        assertThat(seen).as("'%s' from %s; log:%n%s", line, process, process.tail(40)).isTrue();
    }
}
