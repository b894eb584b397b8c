package io.neurostream.ops.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.neurostream.broker.EmbeddedBroker;
import io.neurostream.schemas.SpikeBatches;
import io.neurostream.schemas.Topics;
import io.neurostream.schemas.avro.AppliedInput;
import io.neurostream.schemas.avro.Checkpoint;
import io.neurostream.schemas.avro.Control;
import io.neurostream.schemas.avro.ExternalInput;
import io.neurostream.schemas.avro.Rejected;
import io.neurostream.schemas.avro.RunState;
import io.neurostream.schemas.avro.SpikeBatch;
import io.neurostream.schemas.avro.Status;
import io.neurostream.simulator.Commands;
import io.neurostream.simulator.SimulatorConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The restart sequences that used to lose a network, bring a stopped one back or keep a simulator from
 * ever starting again, on the real broker with {@code neurostream simulate} as a child process
 * ({@link ServiceProcess}), restarted each time under the same {@code simulator.instance.id}. A crash is
 * SIGKILL; a "restart" in a sequence is a clean stop (SIGTERM) and a start.
 * <ol>
 * <li>STOP, CREATE again under the same id, crash, restart: the new run is hosted (its run id, its tick,
 * not the old run's) and takes commands;
 * <li>a STOPped network does not come back after a restart: no Status of it is written, and the newest
 * value of each of its checkpoint chunk keys is a tombstone;
 * <li>a crash of a network whose recomputation takes longer than {@code transaction.timeout.ms} (3 s here;
 * no checkpoint, so the successor recomputes the run from its start; killed again, up to three times, until
 * one recovery has recomputed for longer than that): the successor comes up, catches up and commits every
 * frame once, as an uninterrupted run would;
 * <li>an input accepted under a raised {@code simulator.input.max.abs.value}, still waiting in the
 * checkpoint of a clean stop, is restored and applied at its tick;
 * <li>kill -9 and an immediate restart with the default 45 s session timeout: static membership gives the
 * partitions back at once (the network runs again well within the session timeout), output exact.
 * </ol>
 * Run: {@code mvn -B -o test -pl ops -Dtest='reliability.RestartSequencesIntegrationTest'} (from a fresh
 * checkout, a reactor build: {@code mvn -B -o verify -pl ops -am -Dtest='reliability.RestartSequencesIntegrationTest'
 * -Dsurefire.failIfNoSpecifiedTests=false}); the children's logs go to {@code ops/target/reliability/<prefix>/}.
 */
@Timeout(150)
class RestartSequencesIntegrationTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String INSTANCE = "sim-r";
    private static final String NET = "n";

    /**
     * One sequence's world: its own topics (one partition), a reader of what was committed, a control
     * producer, and the simulator child of the moment, always started as instance {@link #INSTANCE}.
     */
    private static final class Rig implements AutoCloseable {
        final EmbeddedBroker broker = Kit.sharedBroker();
        final String prefix;
        final Path logs;
        final Map<String, String> settings;
        final CommittedLog log;
        final KafkaProducer<String, byte[]> producer;
        ServiceProcess sim;
        private int starts;

        Rig(String what, Map<String, String> settings) throws InterruptedException {
            this.prefix = Kit.prefix(what);
            Kit.topics(broker, prefix, 1);
            this.logs = Path.of("target", "reliability", prefix);
            this.settings = settings;
            this.log = new CommittedLog(broker.clientConfig(), prefix,
                    List.of(Topics.FRAMES, Topics.SPIKES, Topics.STATUS, Topics.JOURNAL, Topics.REJECTED));
            this.producer = Kit.producer(broker.clientConfig());
        }

        ServiceProcess start() throws IOException {
            sim = ServiceProcess.start(INSTANCE + "-" + starts++, logs,
                    Kit.simulate(broker.bootstrapServers(), prefix, INSTANCE, settings));
            return sim;
        }

        void send(Control c) {
            Kit.send(producer, prefix, c);
        }

        void send(ExternalInput in) throws Exception {
            producer.send(new ProducerRecord<>(Topics.EXTERNAL_INPUT.name(prefix), in.getNetworkId(),
                    Topics.EXTERNAL_INPUT.valueSerde().encode(in))).get();
        }

        /** SIGKILL; returns the wall clock (epoch ms) once the process is gone: later statuses are its successor's. */
        long kill() throws InterruptedException {
            sim.kill();
            long at = System.currentTimeMillis();
            Thread.sleep(500); // what the dead instance committed is read by now
            return at;
        }

        /** SIGTERM, a clean stop (exit 143); returns the wall clock (epoch ms) once the process is gone. */
        long terminate() throws InterruptedException {
            int exit = sim.terminate(Duration.ofSeconds(30));
            assertThat(exit).as("exit code of %s after SIGTERM; the end of its log:%n%s", sim, sim.tail(40))
                    .isEqualTo(143);
            long at = System.currentTimeMillis();
            Thread.sleep(500);
            return at;
        }

        /** Waits for {@code done}; fails with the end of the simulator's log and what was rejected. */
        void await(String what, BooleanSupplier done) throws InterruptedException {
            try {
                log.await(what, WAIT, done);
            } catch (AssertionError e) {
                throw new AssertionError(e.getMessage() + "; " + describe(), e);
            }
        }

        /** The simulator's state, its log's end and the rejections so far, for failure messages. */
        String describe() {
            StringBuilder s = new StringBuilder();
            s.append(sim).append(sim.isAlive() ? " is running" : " exited with " + sim.exitCode());
            for (Rejected r : log.values(Topics.REJECTED, NET)) {
                s.append("\n  rejected: ").append(r.getReasonCode()).append(": ").append(r.getReason());
            }
            List<Status> st = log.values(Topics.STATUS, NET);
            if (!st.isEmpty()) {
                s.append("\n  newest status of ").append(NET).append(": ").append(st.get(st.size() - 1));
            }
            return s.append("\n  the end of its log:\n").append(sim.tail(60)).toString();
        }

        /** Statuses of a network written after {@code afterMs} (epoch ms) that match, in offset order. */
        List<Status> statusesAfter(String id, long afterMs, Predicate<Status> match) {
            return log.values(Topics.STATUS, id).stream().filter(s -> s.getUpdatedAtMs() > afterMs && match.test(s))
                    .toList();
        }

        /** The first status of a network written after {@code afterMs} that matches, once committed. */
        Status awaitStatus(String what, String id, long afterMs, Predicate<Status> match) throws InterruptedException {
            await(what, () -> !statusesAfter(id, afterMs, match).isEmpty());
            return statusesAfter(id, afterMs, match).get(0);
        }

        @Override
        public void close() throws InterruptedException {
            try {
                if (sim != null) {
                    sim.close();
                }
            } finally {
                producer.close();
                log.close();
            }
        }
    }

    /** The newest committed value of every key of the checkpoints topic (null: a tombstone), read to its end. */
    static Map<String, Checkpoint> newestCheckpoints(EmbeddedBroker broker, String prefix) {
        Map<String, Object> p = new HashMap<>(broker.clientConfig());
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        Map<String, Checkpoint> newest = new TreeMap<>();
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
            String topic = Topics.CHECKPOINTS.name(prefix);
            List<TopicPartition> tps = c.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(pi -> new TopicPartition(topic, pi.partition())).toList();
            c.assign(tps);
            c.seekToBeginning(tps);
            Map<TopicPartition, Long> end = c.endOffsets(tps);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (tps.stream().anyMatch(tp -> c.position(tp) < end.get(tp))) {
                assertThat(System.nanoTime()).as("reading %s to its end", topic).isLessThan(deadline);
                for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
                    newest.put(r.key(), r.value() == null ? null : Topics.CHECKPOINTS.valueSerde().decode(r.value()));
                }
            }
        }
        return newest;
    }

    /** The journal entries of a network that hold an input (not a command). */
    static List<AppliedInput> journaledInputs(CommittedLog log, String id) {
        return log.values(Topics.JOURNAL, id).stream().filter(a -> a.getPayload() instanceof ExternalInput).toList();
    }

    static Optional<Status> newest(CommittedLog log, String id) {
        List<Status> st = log.values(Topics.STATUS, id);
        return st.isEmpty() ? Optional.empty() : Optional.of(st.get(st.size() - 1));
    }

    @Test
    void shouldHostTheNewRunAfterStopCreateAgainUnderTheSameIdAndACrash() throws Exception {
        try (Rig rig = new Rig("rerun", Map.of())) {
            rig.start();
            String spec = Kit.cuba();
            rig.send(Commands.create(NET, spec));
            rig.send(Commands.start(NET, 1.0));
            // the old run: a few seconds in real time, with inputs in its journal and checkpoints every 200 frames
            for (int i = 0; i < 4; i++) {
                rig.send(Commands.current(NET, List.of("E"), 5.0 + i, null, 100));
                Thread.sleep(500);
            }
            rig.await("2,500 frames of the first run", () -> Reference.newestFrame(rig.log, NET) >= 2500);
            long oldRun = newest(rig.log, NET).orElseThrow().getRunId();
            rig.send(Commands.stop(NET));
            rig.await("the first run STOPPED", () -> newest(rig.log, NET).map(s -> s.getState() == RunState.STOPPED)
                    .orElse(false));
            long oldTick = newest(rig.log, NET).orElseThrow().getTick();

            rig.send(Commands.create(NET, spec));
            rig.send(Commands.step(NET, 300));
            rig.await("the second run PAUSED at tick 300", () -> newest(rig.log, NET)
                    .map(s -> s.getRunId() != oldRun && s.getTick() == 300 && s.getState() == RunState.PAUSED).orElse(false));
            long newRun = newest(rig.log, NET).orElseThrow().getRunId();
            assertThat(newRun).as("the second CREATE's run (its offset on control) follows the first's").isGreaterThan(oldRun);

            long crashedMs = rig.kill();
            rig.start();
            Status back = rig.awaitStatus("a status of " + NET + " from the restarted simulator", NET, crashedMs, s -> true);
            assertThat(back.getRunId()).as("run of the first status after the restart (the old run was %d)", oldRun)
                    .isEqualTo(newRun);
            assertThat(back.getTick()).as("tick of the first status after the restart (the old run reached %d)", oldTick)
                    .isEqualTo(300);
            assertThat(back.getState()).isEqualTo(RunState.PAUSED);

            rig.send(Commands.step(NET, 10));
            Status stepped = rig.awaitStatus("the STEP sent after the restart applied (tick 310)", NET, crashedMs,
                    s -> s.getTick() == 310);
            assertThat(stepped.getRunId()).isEqualTo(newRun);
            assertThat(rig.log.values(Topics.REJECTED, NET)).as("records of %s rejected (e.g. UNKNOWN_NETWORK)", NET)
                    .isEmpty();
            assertThat(rig.sim.isAlive()).as("the restarted simulator runs; %s", rig.describe()).isTrue();
        }
    }

    @Test
    void shouldNotBringBackAStoppedNetworkAfterARestart() throws Exception {
        String alive = "alive";
        try (Rig rig = new Rig("stopped", Map.of())) {
            rig.start();
            String spec = Kit.cuba();
            for (String id : List.of(NET, alive)) {
                rig.send(Commands.create(id, spec));
                rig.send(Commands.start(id, 1.0));
            }
            rig.await("1,000 frames of " + NET + " (checkpoints every 200)", () -> Reference.newestFrame(rig.log, NET) >= 1000);
            rig.send(Commands.stop(NET));
            rig.await(NET + " STOPPED", () -> newest(rig.log, NET).map(s -> s.getState() == RunState.STOPPED).orElse(false));

            long stoppedMs = rig.terminate();
            rig.start();
            rig.awaitStatus(alive + " RUNNING again after the restart", alive, stoppedMs,
                    s -> s.getState() == RunState.RUNNING);
            // a periodic status of every hosted network goes out each second: give a stale one time to show
            long from = Reference.newestFrame(rig.log, alive);
            rig.await("1.5 s of " + alive + " after the restart", () -> Reference.newestFrame(rig.log, alive) >= from + 1500);

            assertThat(rig.statusesAfter(NET, stoppedMs, s -> true))
                    .as("statuses of the stopped network written after the restart").isEmpty();
            assertThat(newest(rig.log, NET).orElseThrow().getState()).isEqualTo(RunState.STOPPED);
            Map<String, Checkpoint> checkpoints = newestCheckpoints(rig.broker, rig.prefix);
            Map<String, Checkpoint> stopped = new TreeMap<>(checkpoints);
            stopped.keySet().removeIf(k -> !k.startsWith(NET + "/"));
            assertThat(stopped).as("chunk keys of the stopped network on the checkpoints topic").isNotEmpty();
            assertThat(stopped.values()).as("their newest values (tombstones: null)").containsOnlyNulls();
            assertThat(checkpoints.get(alive + "/0")).as("the running network's newest checkpoint").isNotNull();
            assertThat(rig.sim.isAlive()).as("the restarted simulator runs; %s", rig.describe()).isTrue();
        }
    }

    @Test
    void shouldComeBackFromACrashWhoseCatchUpTakesLongerThanTheTransactionTimeout() throws Exception {
        long timeoutMs = 3000;
        // how fast CUBA computes on a shared machine varies several-fold from minute to minute: the network runs
        // as fast as possible for a while, is killed and recovered, again (each time from its start, a longer
        // run), until one recovery has recomputed for longer than the transaction timeout
        long liveMs = 8000;
        int maxCrashes = 3;
        // one checkpoint just after the start and no periodic one: the successor restores it and recomputes nearly
        // the whole run. (Before the fix, restoring a checkpoint published a Status in the transaction opened for
        // recovery, which starts the transaction's timeout, and the recomputing that followed in the same
        // transaction outlasted it: the producer was fenced. Without a checkpoint nothing was sent before the
        // recomputing, and a lone instance got away with it.)
        Map<String, String> settings = Map.of("transaction.timeout.ms", Long.toString(timeoutMs),
                SimulatorConfig.CHECKPOINT_INTERVAL_FRAMES, "1000000");
        try (Rig rig = new Rig("slowcatchup", settings)) {
            rig.start();
            String spec = Kit.cuba();
            rig.send(Commands.create(NET, spec));
            rig.send(Commands.start(NET, 0.0));
            rig.await("the first frame", () -> Reference.newestFrame(rig.log, NET) >= 0);
            rig.send(Commands.checkpoint(NET));
            List<String> crashes = new ArrayList<>();
            long recomputedNanos = 0;
            long killedFrame = -1;
            while (recomputedNanos <= timeoutMs * 1_000_000L) {
                assertThat(crashes).as("crashes so far, none of whose recoveries recomputed for longer than the "
                        + "transaction timeout of %d ms (the test means nothing then; run the network longer)", timeoutMs)
                        .hasSizeLessThan(maxCrashes);
                Thread.sleep(liveMs);
                long crashedMs = rig.kill();
                long killedTick = Reference.committedTick(rig.log, NET);
                killedFrame = Reference.newestFrame(rig.log, NET);

                long restart = System.nanoTime();
                rig.start();
                assertThat(rig.sim.awaitLine(l -> l.contains("recomputing ticks"), WAIT))
                        .as("the successor recovered %s; %s", NET, rig.describe()).isTrue();
                long recomputing = System.nanoTime();
                assertThat(rig.sim.awaitLine(l -> l.contains("caught up at tick"), WAIT))
                        .as("the successor caught up; %s", rig.describe()).isTrue();
                recomputedNanos = System.nanoTime() - recomputing;
                Status running = rig.awaitStatus(NET + " RUNNING past tick " + killedTick + " after the restart", NET,
                        crashedMs, s -> s.getState() == RunState.RUNNING && s.getTick() > killedTick);
                long back = System.nanoTime() - restart;
                long killed = killedFrame;
                rig.await("1,000 frames after the crash", () -> Reference.newestFrame(rig.log, NET) >= killed + 1000);
                assertThat(rig.sim.isAlive()).as("the successor runs; %s", rig.describe()).isTrue();
                assertThat(String.join("\n", rig.sim.lines())).as("the successor's log").doesNotContain("ProducerFenced");
                crashes.add(String.format("killed at tick %d (frame %d), recomputed in %s, RUNNING at tick %d %s after "
                        + "the restart", killedTick, killedFrame, Kit.ms(recomputedNanos), running.getTick(), Kit.ms(back)));
            }
            rig.terminate();

            long ticks = (Reference.newestFrame(rig.log, NET) + 1) * 10;
            Reference.Outcome out = Reference.run(spec, NET, List.of(), ticks).verify(rig.log);
            System.out.printf("slow catch-up (transaction timeout %d ms, %d ms as fast as possible before each kill): %s; "
                    + "%d frames, %d spikes, checksum %s equal to an uninterrupted run%n", timeoutMs, liveMs, crashes,
                    out.framesCompared(), out.spikes(), out.checksum());
        }
    }

    @Test
    void shouldApplyAWaitingInputAcceptedUnderARaisedLimitAfterARestart() throws Exception {
        Map<String, String> raised = Map.of(SimulatorConfig.MAX_ABS_VALUE, "1e6");
        List<Integer> targets = List.of(1, 2, 3);
        long at = 1000;
        try (Rig rig = new Rig("raised", raised)) {
            rig.start();
            String spec = Kit.cuba();
            rig.send(Commands.create(NET, spec));
            rig.send(Commands.step(NET, 100));
            rig.await(NET + " PAUSED at tick 100", () -> newest(rig.log, NET).map(s -> s.getTick() == 100).orElse(false));
            // 50,000 is beyond the default bound (1e4), within the raised one; tick 1000 is far ahead of tick 100
            ExternalInput input = Commands.currentToNeurons(NET, targets, 50_000.0, at, 10);
            rig.send(input);
            rig.await("the input on the journal", () -> !journaledInputs(rig.log, NET).isEmpty());
            long inputSequence = journaledInputs(rig.log, NET).get(0).getSequence();

            long stoppedMs = rig.terminate();
            Checkpoint saved = newestCheckpoints(rig.broker, rig.prefix).get(Topics.chunkKey(NET, 0));
            assertThat(saved).as("the checkpoint of the clean stop").isNotNull();
            assertThat(saved.getSnapshotFormat()).as("a checkpoint with data, not a run start marker").isPositive();
            assertThat(saved.getTick()).isEqualTo(100);
            assertThat(saved.getJournalSequence()).as("the checkpoint includes the waiting input").isGreaterThanOrEqualTo(
                    inputSequence);

            rig.start();
            Status back = rig.awaitStatus(NET + " recovered after the restart", NET, stoppedMs, s -> true);
            assertThat(back.getState()).isEqualTo(RunState.PAUSED);
            assertThat(back.getTick()).isEqualTo(100);
            rig.send(Commands.step(NET, 1900));
            rig.awaitStatus(NET + " at tick 2000", NET, stoppedMs, s -> s.getTick() == 2000);

            TreeSet<Integer> fired = new TreeSet<>();
            for (SpikeBatch b : rig.log.values(Topics.SPIKES, NET)) {
                int[] ids = SpikeBatches.neuronIds(b);
                int[] offs = SpikeBatches.tickOffsets(b);
                for (int k = 0; k < ids.length; k++) {
                    long tick = b.getFirstTick() + offs[k];
                    if (tick >= at && tick < at + 10 && targets.contains(ids[k])) {
                        fired.add(ids[k]);
                    }
                }
            }
            assertThat(fired).as("targeted neurons that fired in ticks %d .. %d (the input's 50,000)", at, at + 9)
                    .containsExactlyElementsOf(targets);
            Reference.run(spec, NET, List.of(input), 2000, raised).verify(rig.log);
            assertThat(rig.sim.isAlive()).as("the restarted simulator runs; %s", rig.describe()).isTrue();
        }
    }

    @Test
    void shouldRunAgainWellWithinTheSessionTimeoutAfterKillAndAnImmediateRestart() throws Exception {
        // the consumer's default; Kit's 6 s would hide a restart that waits for the group to expel the dead member
        Map<String, String> settings = Map.of("session.timeout.ms", "45000");
        try (Rig rig = new Rig("kill9", settings)) {
            rig.start();
            String spec = Kit.cuba();
            rig.send(Commands.create(NET, spec));
            rig.send(Commands.start(NET, 1.0));
            rig.await("500 frames (a checkpoint at 200)", () -> Reference.newestFrame(rig.log, NET) >= 500);

            rig.sim.kill();
            long crashedMs = System.currentTimeMillis();
            long restart = System.nanoTime();
            rig.start();
            rig.awaitStatus(NET + " RUNNING after the restart", NET, crashedMs, s -> s.getState() == RunState.RUNNING);
            long runningAfter = System.nanoTime() - restart;
            assertThat(runningAfter).as("from the restart to RUNNING (session timeout 45 s)")
                    .isLessThan(Duration.ofSeconds(30).toNanos());
            long resumedFrame = Reference.newestFrame(rig.log, NET);
            rig.await("1,000 frames after the restart", () -> Reference.newestFrame(rig.log, NET) >= resumedFrame + 1000);
            rig.terminate();

            long ticks = (Reference.newestFrame(rig.log, NET) + 1) * 10;
            Reference.Outcome out = Reference.run(spec, NET, List.of(), ticks).verify(rig.log);
            List<String> joins = new ArrayList<>();
            for (String l : rig.sim.lines()) {
                if (l.contains("took over partitions")) {
                    joins.add(l.trim());
                }
            }
            System.out.printf("kill -9 and an immediate restart: RUNNING %s after the restart (session timeout 45 s); "
                    + "%d frames compared, checksum %s; %s%n", Kit.ms(runningAfter), out.framesCompared(), out.checksum(),
                    joins);
        }
    }
}
