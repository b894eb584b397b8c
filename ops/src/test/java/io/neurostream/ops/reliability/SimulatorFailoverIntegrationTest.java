package io.neurostream.ops.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.neurostream.broker.EmbeddedBroker;
import io.neurostream.schemas.Topics;
import io.neurostream.schemas.avro.ExternalInput;
import io.neurostream.schemas.avro.Status;
import io.neurostream.simulator.Commands;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.GroupState;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Fault 2: two {@code neurostream simulate} processes (instances sim-a and sim-b, one group) share four
 * networks on two partitions; sim-b is killed with SIGKILL and not restarted. Its networks must continue
 * on sim-a within {@link #TAKEOVER_BOUND}, and every network's committed output must equal its
 * uninterrupted run.
 *
 * <p>The bound, from the kill: the group expels sim-b after {@code session.timeout.ms} (6 s) without a
 * heartbeat; sim-a then restores sim-b's networks from their checkpoints (at most 200 frames old) and
 * replays their journals; but the consumed offsets sim-b left in its open transaction stay pending, and
 * sim-a cannot learn where to resume (nor can a read_committed reader see past sim-b's open transaction on
 * the output partitions) until the broker aborts it: {@code transaction.timeout.ms} (10 s) after it began,
 * checked every {@code transaction.abort.timed.out.transaction.cleanup.interval.ms} (1 s here). So about
 * 11 s plus the first commit; asserted with room for a loaded 2-core machine.
 */
@Timeout(150)
class SimulatorFailoverIntegrationTest {
    static final Duration TAKEOVER_BOUND = Duration.ofSeconds(25);
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static EmbeddedBroker broker;

    @BeforeAll
    static void broker() {
        broker = Kit.sharedBroker();
    }

    static String owner(CommittedLog log, String id) {
        List<Status> st = log.values(Topics.STATUS, id);
        return st.isEmpty() ? "" : String.valueOf(st.get(st.size() - 1).getInstanceId());
    }

    @Test
    void shouldMoveTheNetworksOfAKilledInstanceToTheSurvivorExactly() throws Exception {
        long seed = Long.getLong("reliability.seed", 20260501L);
        Random rnd = new Random(seed);
        String prefix = Kit.prefix("failover");
        Kit.topics(broker, prefix, 2);
        Path logs = Path.of("target", "reliability", prefix);
        String spec = Kit.cuba();
        String bs = broker.bootstrapServers();
        List<String> ids = Networks.onEachPartition(2, 2);
        long t0 = System.nanoTime();
        ServiceProcess a = ServiceProcess.start("sim-a", logs, Kit.simulate(bs, prefix, "sim-a", Map.of()));
        ServiceProcess b = ServiceProcess.start("sim-b", logs, Kit.simulate(bs, prefix, "sim-b", Map.of()));
        List<LiveInputs> feeds = new ArrayList<>();
        try (CommittedLog log = new CommittedLog(broker.clientConfig(), prefix,
                    List.of(Topics.FRAMES, Topics.SPIKES, Topics.STATUS, Topics.JOURNAL, Topics.REJECTED));
                KafkaProducer<String, byte[]> control = Kit.producer(broker.clientConfig());
                Admin admin = broker.admin()) {
            String group = prefix + "simulator";
            log.await("both instances in the group", WAIT, () -> {
                try {
                    ConsumerGroupDescription d = admin.describeConsumerGroups(List.of(group)).all().get().get(group);
                    return d.groupState() == GroupState.STABLE && d.members().size() == 2;
                } catch (Exception e) {
                    return false;
                }
            });
            Map<String, List<ExternalInput>> schedules = new LinkedHashMap<>();
            for (String id : ids) {
                Kit.send(control, prefix, Commands.create(id, spec));
                Kit.send(control, prefix, Commands.start(id, 1.0));
                schedules.put(id, LiveInputs.randomCurrents(id, seed + id.hashCode(), 10_000, 500, 600_000));
                feeds.add(new LiveInputs(broker.clientConfig(), prefix, schedules.get(id),
                        () -> Reference.committedTick(log, id), LiveInputs.LEAD_TICKS));
            }
            for (String id : ids) {
                SimulatorKillIntegrationTest.awaitOrDump(log, "1000 frames of " + id, b,
                        () -> Reference.newestFrame(log, id) >= 1000);
            }
            Map<String, String> before = new LinkedHashMap<>();
            ids.forEach(id -> before.put(id, owner(log, id)));
            assertThat(before.values()).as("owners before the kill").containsOnly("sim-a", "sim-b").contains("sim-a", "sim-b");
            List<String> moved = ids.stream().filter(id -> before.get(id).equals("sim-b")).toList();

            Thread.sleep(rnd.nextInt(1000));
            long killedAt = b.kill();
            Thread.sleep(500);
            Map<String, Long> atKill = new HashMap<>();
            ids.forEach(id -> atKill.put(id, Reference.newestFrame(log, id)));
            for (String id : ids) {
                SimulatorKillIntegrationTest.awaitOrDump(log, "a frame of " + id + " after the kill", a,
                        () -> Reference.newestFrame(log, id) > atKill.get(id));
            }
            Map<String, Long> takeover = new LinkedHashMap<>();
            ids.forEach(id -> takeover.put(id, Reference.arrivalOfFrameAfter(log, id, atKill.get(id)) - killedAt));
            Map<String, Long> after = new HashMap<>();
            ids.forEach(id -> after.put(id, Reference.newestFrame(log, id)));
            for (String id : ids) {
                SimulatorKillIntegrationTest.awaitOrDump(log, "1000 more frames of " + id, a,
                        () -> Reference.newestFrame(log, id) >= after.get(id) + 1000);
            }
            assertThat(ids).allMatch(id -> owner(log, id).equals("sim-a"));
            for (LiveInputs f : feeds) {
                assertThat(f.failure()).isNull();
                f.close();
            }
            Map<String, Long> ticks = new HashMap<>();
            ids.forEach(id -> ticks.put(id, (Reference.newestFrame(log, id) + 1) * 10));
            int exit = a.terminate(Duration.ofSeconds(30));
            assertThat(exit).as("clean stop of sim-a; its log:\n%s", a.tail(40)).isEqualTo(143);

            StringBuilder report = new StringBuilder(String.format("fault 2: sim-b killed, %s moved to sim-a%n", moved));
            for (String id : ids) {
                long n = ticks.get(id);
                Reference ref = Reference.run(spec, id, schedules.get(id).stream().filter(in -> in.getTick() < n).toList(), n);
                Reference.Outcome out = ref.verify(log);
                long pause = 0;
                long prev = killedAt;
                for (CommittedLog.Entry<io.neurostream.schemas.avro.Frame> e : log.entries(Topics.FRAMES)) {
                    if (id.equals(e.key()) && e.arrivalNanos() > killedAt) {
                        pause = Math.max(pause, e.arrivalNanos() - prev);
                        prev = e.arrivalNanos();
                    }
                }
                List<Status> st = log.values(Topics.STATUS, id);
                report.append(String.format("  %s (%s, %s): first frame after the kill committed %s after it, longest "
                        + "pause of its committed frames after the kill %s, stalled_ms %d; %d frames compared, %d spikes, "
                        + "checksum %s, %d inputs%n", id, "partition " + Topics.partitionOf(id, 2),
                        moved.contains(id) ? "moved" : "stayed", Kit.ms(takeover.get(id)), Kit.ms(pause),
                        st.get(st.size() - 1).getStalledMs(), out.framesCompared(), out.spikes(), out.checksum(),
                        out.inputsJournaled()));
            }
            report.append(String.format("  %.1f s wall%n", (System.nanoTime() - t0) / 1e9));
            System.out.print(report);
            Files.writeString(logs.resolve("report.txt"), report);
            for (String id : moved) {
                assertThat(Duration.ofNanos(takeover.get(id))).as("kill to the first committed frame of moved network %s",
                        id).isLessThan(TAKEOVER_BOUND);
            }
        } finally {
            for (LiveInputs f : feeds) {
                f.close();
            }
            a.close();
            b.close();
        }
    }
}
