package io.neurostream.ops.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.neurostream.broker.EmbeddedBroker;
import io.neurostream.schemas.Topics;
import io.neurostream.schemas.avro.Alert;
import io.neurostream.schemas.avro.AlertState;
import io.neurostream.schemas.avro.ExternalInput;
import io.neurostream.schemas.avro.Rate;
import io.neurostream.simulator.Commands;
import io.neurostream.simulator.SimulatorConfig;
import io.neurostream.simulator.SimulatorService;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fault 4: {@code neurostream analytics} killed with SIGKILL while windows and alerts flow, and restarted
 * with the same state directory (as a restarted pod or service keeps its volume). Every window of the run
 * must be committed exactly once, with counts equal to the committed frames, and the alerts must be exactly
 * the hysteresis over those windows: none lost, none repeated across the kill.
 *
 * <p>The simulator runs in this JVM (it is not the one being killed): CUBA in real time, silenced by a
 * current of -30 for 600 ms every 1.5 s of simulated time, so SILENCE alerts are raised and cleared all
 * along. Analytics: windows of 200 ms every 100 ms, grace 50 ms, K = 2.
 */
@Timeout(150)
class AnalyticsKillIntegrationTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    static final long SIZE = 200;
    static final long ADVANCE = 100;
    private static EmbeddedBroker broker;

    @BeforeAll
    static void broker() {
        broker = Kit.sharedBroker();
    }

    /** -30 into E and I for 600 ms every 1.5 s of simulated time, from 1 s on. */
    static List<ExternalInput> silences(String id, long untilTick) {
        List<ExternalInput> out = new ArrayList<>();
        for (long t = 10_000; t < untilTick; t += 15_000) {
            out.add(Commands.current(id, List.of("E", "I"), -30.0, t, 6_000));
        }
        return out;
    }

    static Map<String, String> analyticsSettings(Path stateDir) {
        return Kit.orderedMap(
                "analytics.window.size.ms", Long.toString(SIZE),
                "analytics.window.advance.ms", Long.toString(ADVANCE),
                "analytics.window.grace.ms", "50",
                "analytics.alert.consecutive.windows", "2",
                "analytics.alert.runaway.rate.hz", "8",
                "state.dir", stateDir.toString(),
                "commit.interval.ms", "100",
                "statestore.cache.max.bytes", "0",
                "session.timeout.ms", "6000",
                "heartbeat.interval.ms", "1000");
    }

    static final WindowCheck.Bounds BOUNDS = new WindowCheck.Bounds(2, 0.4, 3.0, 8.0, 0.5);

    static long newestWindow(CommittedLog log, String id) {
        return log.values(Topics.RATES, id).stream().mapToLong(Rate::getWindowStartMs).max().orElse(-1);
    }

    static long arrivalOfWindowAfter(CommittedLog log, String id, long windowStart) {
        for (CommittedLog.Entry<Rate> e : log.entries(Topics.RATES)) {
            if (id.equals(e.key()) && e.value().getWindowStartMs() > windowStart) {
                return e.arrivalNanos();
            }
        }
        return -1;
    }

    @Test
    void shouldCommitEveryWindowAndAlertOnceAcrossAKill(@TempDir Path stateDir) throws Exception {
        long seed = Long.getLong("reliability.seed", 20260501L);
        Random rnd = new Random(seed);
        String prefix = Kit.prefix("analytics");
        Kit.topics(broker, prefix, 2);
        Path logs = Path.of("target", "reliability", prefix);
        String id = "a1";
        String bs = broker.bootstrapServers();
        List<String> args = Kit.analytics(bs, prefix, analyticsSettings(stateDir));
        Map<String, Object> sim = new HashMap<>(broker.clientConfig());
        sim.put(SimulatorConfig.TOPIC_PREFIX, prefix);
        sim.put(SimulatorConfig.GROUP_ID, prefix + "simulator");
        sim.put(SimulatorConfig.INSTANCE_ID, "sim-in-test");
        long t0 = System.nanoTime();
        ServiceProcess analytics = ServiceProcess.start("analytics-0", logs, args);
        try (CommittedLog log = new CommittedLog(broker.clientConfig(), prefix,
                    List.of(Topics.FRAMES, Topics.RATES, Topics.BALANCE, Topics.ALERTS));
                KafkaProducer<String, byte[]> producer = Kit.producer(broker.clientConfig());
                SimulatorService simulator = new SimulatorService(new SimulatorConfig(sim))) {
            simulator.start();
            Kit.send(producer, prefix, Commands.create(id, Kit.cuba()));
            for (ExternalInput in : silences(id, 600_000)) {
                producer.send(new ProducerRecord<>(Topics.EXTERNAL_INPUT.name(prefix), id,
                        Topics.EXTERNAL_INPUT.valueSerde().encode(in))).get();
            }
            Kit.send(producer, prefix, Commands.start(id, 1.0));

            await(log, "a SILENCE alert raised and cleared", analytics, () -> log.values(Topics.ALERTS, id).stream()
                    .anyMatch(a -> a.getState() == AlertState.CLEARED));
            Thread.sleep(rnd.nextInt(1000));
            long killedAt = analytics.kill();
            Thread.sleep(500);
            long lastWindow = newestWindow(log, id);
            int alertsBefore = log.values(Topics.ALERTS, id).size();
            analytics = ServiceProcess.start("analytics-1", logs, args);
            ServiceProcess restarted = analytics;
            await(log, "windows 3 s (simulated) past the kill", restarted,
                    () -> newestWindow(log, id) >= lastWindow + 3000);
            long recovered = arrivalOfWindowAfter(log, id, lastWindow) - killedAt;
            assertThat(simulator.failure()).isNull();

            int exit = analytics.terminate(Duration.ofSeconds(30));
            assertThat(exit).as("clean stop of the restarted analytics; its log:\n%s", analytics.tail(40)).isEqualTo(143);
            simulator.close();
            log.awaitQuiet(Duration.ofSeconds(1), WAIT);

            WindowCheck.Outcome out = WindowCheck.verify(log, id, SIZE, ADVANCE, BOUNDS);
            List<Alert> alerts = log.values(Topics.ALERTS, id);
            assertThat(alerts.subList(alertsBefore, alerts.size())).as("alerts after the restart")
                    .anyMatch(a -> a.getState() == AlertState.RAISED).anyMatch(a -> a.getState() == AlertState.CLEARED);
            String report = String.format("fault 4: analytics killed once at window %.1f s; first window of the "
                    + "successor committed %s after the kill; %d windows [%.1f s .. %.1f s] x %d keys checked, each "
                    + "once and equal to the frames; %d alerts (%d before the kill) equal to the hysteresis; %.1f s wall%n",
                    (lastWindow - out.epochMs()) / 1000.0,
                    Kit.ms(recovered), out.windows(), out.firstStartMs() / 1000.0, out.lastStartMs() / 1000.0,
                    out.rates() / out.windows(), out.alerts(), alertsBefore, (System.nanoTime() - t0) / 1e9);
            System.out.print(report);
            Files.writeString(logs.resolve("report.txt"), report);
        } finally {
            analytics.close();
        }
    }

    static void await(CommittedLog log, String what, ServiceProcess p, java.util.function.BooleanSupplier done)
            throws InterruptedException {
        try {
            log.await(what, WAIT, done);
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; " + p + (p.isAlive() ? " is running" : " exited with "
                    + p.exitCode()) + ", the end of its log:\n" + p.tail(60), e);
        }
    }
}
