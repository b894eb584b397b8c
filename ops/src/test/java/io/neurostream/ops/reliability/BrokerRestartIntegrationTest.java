package io.neurostream.ops.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.neurostream.broker.EmbeddedBroker;
import io.neurostream.schemas.Topics;
import io.neurostream.schemas.avro.ExternalInput;
import io.neurostream.schemas.avro.Frame;
import io.neurostream.schemas.avro.Status;
import io.neurostream.simulator.Commands;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Fault 3: the broker stopped for several seconds mid-run and started again on the same port and data
 * directory (not reformatted: {@code meta.properties} is there, so it keeps its cluster id, topics,
 * offsets and transaction state). {@code neurostream simulate} and {@code neurostream analytics}, both
 * child processes, must reconnect on their own and continue; the committed frames and spikes must equal
 * an uninterrupted run, and every analytics window must be committed once.
 *
 * <p>The network runs in real time (speed 1), so the outage shows in its Status: the simulator's loop
 * blocks in {@code commitTransaction} while the broker is away, the network falls behind the wall clock,
 * and when the commit goes through it re-anchors and adds the gap to {@code stalled_ms} (no frame is
 * skipped: simulated time simply resumes later).
 *
 * <p>Outage: {@value #DEFAULT_OUTAGE_MS} ms between the old broker's stop and the new one's start
 * ({@code -Dreliability.outage.ms=…}). The simulator's {@code transaction.timeout.ms} is 10 s: an outage
 * that leaves the open transaction older than that when the broker is back gets it aborted (see
 * docs/reliability.md).
 *
 * <p>The same fault at least once ({@code simulator.exactly.once=false}, commits every 50 ms). The loop
 * blocks in {@code producer.send()} soon after the broker leaves (the producer waits to learn the
 * partitions' leader again). The idempotent producer resends what the broker had not acknowledged, so
 * here too every frame is in the log once and equals an uninterrupted run, and the outage shows as
 * {@code stalled_ms}. Both ways, the simulator's log must not say it stopped by an error: at least once, the
 * clean stop's commit used to meet the consumer's wakeup from {@code close()} and was skipped.
 */
class BrokerRestartIntegrationTest {
    static final long DEFAULT_OUTAGE_MS = 4000;
    private static final Duration WAIT = Duration.ofSeconds(60);

    @ParameterizedTest(name = "exactly once: {0}")
    @ValueSource(booleans = {true, false})
    void shouldContinueExactlyAfterTheBrokerIsStoppedAndRestarted(boolean exactlyOnce, @TempDir Path data,
            @TempDir Path state) {
        long outageMs = Long.getLong("reliability.outage.ms", DEFAULT_OUTAGE_MS);
        // a bound for a hang the awaits below do not catch: 150 s, plus the outage when one is asked for
        Assertions.assertTimeoutPreemptively(Duration.ofMillis(150_000 + Math.max(0, outageMs - DEFAULT_OUTAGE_MS)),
                () -> outage(exactlyOnce, data, state, outageMs));
    }

    private void outage(boolean exactlyOnce, Path data, Path state, long outageMs) throws Exception {
        long seed = Long.getLong("reliability.seed", 20260501L);
        int port = EmbeddedBroker.freePort();
        int controllerPort = EmbeddedBroker.freePort();
        EmbeddedBroker broker = Kit.broker().dataDir(data).port(port).controllerPort(controllerPort).build().start();
        String prefix = Kit.prefix(exactlyOnce ? "broker" : "broker-alo");
        Kit.topics(broker, prefix, 1);
        Path logs = Path.of("target", "reliability", prefix);
        String id = "b1";
        String spec = Kit.cuba();
        String bs = broker.bootstrapServers();
        List<ExternalInput> schedule = LiveInputs.randomCurrents(id, seed, 10_000, 500, 600_000);
        long t0 = System.nanoTime();
        ServiceProcess sim = ServiceProcess.start("sim", logs, Kit.simulate(bs, prefix, "sim-r", exactlyOnce
                ? java.util.Map.of()
                : java.util.Map.of("simulator.exactly.once", "false", "simulator.commit.interval.ms", "50")));
        ServiceProcess analytics = ServiceProcess.start("analytics", logs,
                Kit.analytics(bs, prefix, AnalyticsKillIntegrationTest.analyticsSettings(state)));
        try (CommittedLog log = new CommittedLog(broker.clientConfig(), prefix, List.of(Topics.FRAMES, Topics.SPIKES,
                    Topics.STATUS, Topics.JOURNAL, Topics.REJECTED, Topics.RATES, Topics.BALANCE, Topics.ALERTS))) {
            try (KafkaProducer<String, byte[]> control = Kit.producer(broker.clientConfig())) {
                Kit.send(control, prefix, Commands.create(id, spec));
                Kit.send(control, prefix, Commands.start(id, 1.0));
            }
            long downAt;
            long upAt;
            long framesAtStop;
            long tickAtStop;
            try (LiveInputs inputs = new LiveInputs(broker.clientConfig(), prefix, schedule,
                    () -> Reference.committedTick(log, id), LiveInputs.LEAD_TICKS)) {
                SimulatorKillIntegrationTest.awaitOrDump(log, "1500 frames", sim, () -> Reference.newestFrame(log, id) >= 1500);
                AnalyticsKillIntegrationTest.await(log, "a window", analytics,
                        () -> AnalyticsKillIntegrationTest.newestWindow(log, id) >= 0);

                downAt = System.nanoTime();
                broker.close();
                framesAtStop = Reference.newestFrame(log, id);
                tickAtStop = Reference.committedTick(log, id);
                Thread.sleep(Math.max(0, outageMs - (System.nanoTime() - downAt) / 1_000_000));
                broker = Kit.broker().dataDir(data).port(port).controllerPort(controllerPort).build().start();
                upAt = System.nanoTime();

                SimulatorKillIntegrationTest.awaitOrDump(log, "2000 frames after the restart", sim,
                        () -> Reference.newestFrame(log, id) >= framesAtStop + 2000);
                AnalyticsKillIntegrationTest.await(log, "windows 1 s past the outage", analytics,
                        () -> AnalyticsKillIntegrationTest.newestWindow(log, id) - log.values(Topics.STATUS, id).get(0)
                                .getRunEpochMs() >= (framesAtStop + 1000));
                SimulatorKillIntegrationTest.awaitOrDump(log, "a Status with stalled_ms > 0", sim,
                        () -> log.values(Topics.STATUS, id).stream().anyMatch(s -> s.getStalledMs() > 0));
                assertThat(inputs.failure()).isNull();
            }
            assertThat(sim.isAlive()).as("the simulator outlived the outage; its log:\n%s", sim.tail(40)).isTrue();
            assertThat(analytics.isAlive()).as("the analytics outlived the outage; its log:\n%s", analytics.tail(40))
                    .isTrue();
            long ticks = (Reference.newestFrame(log, id) + 1) * 10;
            assertThat(sim.terminate(Duration.ofSeconds(30))).as("clean stop of the simulator; its log:\n%s",
                    sim.tail(40)).isEqualTo(143);
            assertThat(analytics.terminate(Duration.ofSeconds(30))).as("clean stop of the analytics; its log:\n%s",
                    analytics.tail(40)).isEqualTo(143);
            assertThat(Files.readString(logs.resolve("sim.log"))).as("the simulator's log")
                    .doesNotContain("simulator stopped by an error");
            log.awaitQuiet(Duration.ofSeconds(1), WAIT);

            Reference.Outcome out = Reference.run(spec, id, schedule.stream().filter(in -> in.getTick() < ticks).toList(),
                    ticks).verify(log);
            WindowCheck.Outcome windows = WindowCheck.verify(log, id, AnalyticsKillIntegrationTest.SIZE,
                    AnalyticsKillIntegrationTest.ADVANCE, AnalyticsKillIntegrationTest.BOUNDS);

            // what the outage looked like from a committed reader
            long pause = 0;
            long prev = -1;
            for (CommittedLog.Entry<Frame> e : log.entries(Topics.FRAMES)) {
                if (prev >= 0) {
                    pause = Math.max(pause, e.arrivalNanos() - prev);
                }
                prev = e.arrivalNanos();
            }
            List<Status> statuses = log.values(Topics.STATUS, id);
            long stalled = statuses.stream().mapToLong(Status::getStalledMs).max().orElse(0);
            long statusGap = 0;
            for (int i = 1; i < statuses.size(); i++) {
                statusGap = Math.max(statusGap, statuses.get(i).getUpdatedAtMs() - statuses.get(i - 1).getUpdatedAtMs());
            }
            String report = String.format("fault 3" + (exactlyOnce ? "" : " (at least once)") + ": broker down %s (stop to restarted) at frame %d (status tick %d); "
                    + "committed frames paused %s at most; statuses: longest gap %d ms, stalled_ms %d; %d frames "
                    + "compared, %d spikes, checksum %s; %d windows checked, %d alerts; %.1f s wall%n",
                    Kit.ms(upAt - downAt), framesAtStop, tickAtStop, Kit.ms(pause), statusGap, stalled,
                    out.framesCompared(), out.spikes(), out.checksum(), windows.windows(), windows.alerts(),
                    (System.nanoTime() - t0) / 1e9);
            System.out.print(report);
            Files.writeString(logs.resolve("report.txt"), report);
            assertThat(stalled).as("the outage is visible as stalled_ms").isPositive();
        } finally {
            sim.close();
            analytics.close();
            broker.close();
        }
    }
}
