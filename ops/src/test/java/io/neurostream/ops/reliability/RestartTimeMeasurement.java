package io.neurostream.ops.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.neurostream.broker.EmbeddedBroker;
import io.neurostream.schemas.Topics;
import io.neurostream.simulator.Commands;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Measures how long a SIGKILLed {@code neurostream simulate} takes to come back, against the age of the run
 * and the checkpoint interval ({@code simulator.checkpoint.interval.frames}), to show that restart time grows
 * with the time since the last checkpoint, not with the age of the run. Off by default (it takes about
 * 15 minutes and measures rather than checks); run it with
 * <pre>
 * mvn -B -o test -pl ops -am -Dtest='reliability.RestartTimeMeasurement' -Dsurefire.failIfNoSpecifiedTests=false \
 *     -Dmeasure.restart=true
 * </pre>
 * It prints a Markdown table and writes it to {@code ops/target/reliability/restart-times.md}; the children's
 * logs go to {@code ops/target/reliability/<prefix>/}.
 *
 * <p>For each checkpoint interval ({@code -Dmeasure.restart.intervals}, frames of 1 ms simulated, default
 * {@value #DEFAULT_INTERVALS}) one CUBA network (4000 neurons, dt 0.1 ms) runs in real time (speed 1) with a
 * live input feed (a step current every 50 ms of simulated time, so the journal grows); when its committed
 * output reaches each run age ({@code -Dmeasure.restart.ages}, seconds of simulated time, default
 * {@value #DEFAULT_AGES}; {@code -Dmeasure.restart.repeats} kills each, {@value #REPEAT_GAP_S} s apart) the
 * simulator is SIGKILLed and restarted at once under the same instance id. Then one network in MAX mode
 * (speed 0) with no checkpoint after its start runs for {@code -Dmeasure.restart.max.seconds} of wall clock
 * before the kill, so its catch-up takes longer than {@code transaction.timeout.ms} (10 s here).
 *
 * <p>Per restart it records, from the restarted process's start (the parent's clock): when the
 * {@code took over partitions} line arrived (and the ms it reports for reading and replaying), when
 * {@code caught up at tick} arrived, and when the first committed frame after the kill arrived; the
 * checkpoint, journal and status records read and the ticks recomputed, from the simulator's log.
 */
@Tag("measurement")
@EnabledIfSystemProperty(named = "measure.restart", matches = "true")
@Timeout(3600)
class RestartTimeMeasurement {
    static final String DEFAULT_AGES = "20,60,180";
    static final String DEFAULT_INTERVALS = "1000,10000,100000";
    /** Simulated seconds between the repeated kills at one run age. */
    static final int REPEAT_GAP_S = 5;
    /** The checkpoint interval of the MAX-mode case: no checkpoint after the run start marker. */
    static final long MAX_MODE_INTERVAL_FRAMES = 100_000_000L;
    /** CUBA's frames: 1 ms of simulated time, 10 ticks of 0.1 ms. */
    static final long TICKS_PER_FRAME = 10;
    private static final Duration WAIT = Duration.ofSeconds(180);

    /** The service is up (JVM started, clients created); it joins the group next. */
    private static final Pattern RUNNING = Pattern.compile("running against");
    private static final Pattern TOOK_OVER = Pattern.compile(
            "took over partitions \\[[^]]*] in (\\d+) ms: (\\d+) network\\(s\\) to recover; read (\\d+) checkpoint, "
                    + "(\\d+) journal and (\\d+) status records");
    private static final Pattern RECOMPUTING = Pattern.compile("recomputing ticks (\\d+) \\.\\. (\\d+)");
    private static final Pattern CAUGHT_UP = Pattern.compile("caught up at tick (\\d+)");

    /** One restart as measured; times in ms from the restarted process's start, -1 when it did not happen. */
    record Restart(String mode, long intervalFrames, int ageTargetS, double ageS, double loadAvg, long runningMs,
            long tookOverMs, long reportedMs, long checkpoints, long journal, long statuses, long recomputedTicks,
            long caughtUpMs,
            long firstFrameMs, long killToFirstFrameMs) {
    }

    @Test
    void measureRestartTimeAgainstRunAgeAndCheckpointInterval() throws Exception {
        EmbeddedBroker broker = Kit.sharedBroker();
        int[] ages = ints(System.getProperty("measure.restart.ages", DEFAULT_AGES));
        int[] intervals = ints(System.getProperty("measure.restart.intervals", DEFAULT_INTERVALS));
        int repeats = Integer.getInteger("measure.restart.repeats", 2);
        int maxSeconds = Integer.getInteger("measure.restart.max.seconds", 30);
        long t0 = System.nanoTime();
        List<Restart> all = new ArrayList<>();
        for (int interval : intervals) {
            all.addAll(realTime(broker, interval, ages, repeats));
        }
        if (maxSeconds > 0) {
            all.add(maxMode(broker, maxSeconds));
        }
        String report = report(all, ages, intervals, repeats, maxSeconds, (System.nanoTime() - t0) / 1e9);
        System.out.print(report);
        Path out = Path.of("target", "reliability", "restart-times.md");
        Files.createDirectories(out.getParent());
        Files.writeString(out, report);
        assertThat(all).allSatisfy(r -> assertThat(r.firstFrameMs()).as("restart %s", r).isPositive());
    }

    /** One real-time run with a live feed, killed and restarted at each age, {@code repeats} times. */
    private List<Restart> realTime(EmbeddedBroker broker, int intervalFrames, int[] ages, int repeats)
            throws Exception {
        String prefix = Kit.prefix("restart-" + intervalFrames);
        Kit.topics(broker, prefix, 2);
        Path logs = Path.of("target", "reliability", prefix);
        String id = "r1";
        String bs = broker.bootstrapServers();
        List<String> args = Kit.simulate(bs, prefix, "sim-a",
                Map.of("simulator.checkpoint.interval.frames", Integer.toString(intervalFrames)));
        int lastAge = Arrays.stream(ages).max().orElse(0) + REPEAT_GAP_S * repeats + 30;
        var schedule = LiveInputs.randomCurrents(id, 20260501L, 10_000, 500, lastAge * 10_000L);
        List<Restart> out = new ArrayList<>();
        ServiceProcess sim = null;
        try (CommittedLog log = new CommittedLog(broker.clientConfig(), prefix, List.of(Topics.FRAMES, Topics.STATUS));
                KafkaProducer<String, byte[]> control = Kit.producer(broker.clientConfig())) {
            sim = ServiceProcess.start("sim-a-0", logs, args);
            Kit.send(control, prefix, Commands.create(id, Kit.cuba()));
            Kit.send(control, prefix, Commands.start(id, 1.0));
            Output output = Output.frames(log, id);
            try (LiveInputs inputs = new LiveInputs(broker.clientConfig(), prefix, schedule,
                    () -> Reference.committedTick(log, id), LiveInputs.LEAD_TICKS)) {
                int k = 0;
                for (int age : ages) {
                    for (int rep = 0; rep < repeats; rep++) {
                        long frame = (age + (long) rep * REPEAT_GAP_S) * 1000L;
                        await(log, sim, "frame " + frame, () -> output.newestFrame() >= frame);
                        Measured m = killAndRestart(sim, "sim-a-" + (++k), logs, args, log, output);
                        sim = m.successor();
                        out.add(m.restart("real time", intervalFrames, age));
                        System.out.println("restart-times: " + out.get(out.size() - 1));
                    }
                }
                assertThat(inputs.failure()).isNull();
            }
            sim.terminate(Duration.ofSeconds(30));
            return out;
        } finally {
            if (sim != null) {
                sim.close();
            }
        }
    }

    /** One MAX-mode run with no checkpoint after its start, killed after {@code seconds} of wall clock. */
    private Restart maxMode(EmbeddedBroker broker, int seconds) throws Exception {
        String prefix = Kit.prefix("restart-max");
        Kit.topics(broker, prefix, 2);
        Path logs = Path.of("target", "reliability", prefix);
        String id = "m1";
        List<String> args = Kit.simulate(broker.bootstrapServers(), prefix, "sim-m",
                Map.of("simulator.checkpoint.interval.frames", Long.toString(MAX_MODE_INTERVAL_FRAMES)));
        ServiceProcess sim = null;
        // in MAX mode frames come at tens of thousands a second: the committed Status (one per transaction)
        // tells the newest committed tick as well, at a fraction of the records
        try (CommittedLog log = new CommittedLog(broker.clientConfig(), prefix, List.of(Topics.STATUS));
                KafkaProducer<String, byte[]> control = Kit.producer(broker.clientConfig())) {
            sim = ServiceProcess.start("sim-m-0", logs, args);
            Kit.send(control, prefix, Commands.create(id, Kit.cuba()));
            Kit.send(control, prefix, Commands.start(id, 0.0));
            Output output = Output.statuses(log, id);
            await(log, sim, "a committed status", () -> output.newestFrame() > 0);
            Thread.sleep(seconds * 1000L);
            Measured m = killAndRestart(sim, "sim-m-1", logs, args, log, output);
            sim = m.successor();
            Restart r = m.restart("MAX", MAX_MODE_INTERVAL_FRAMES, 0);
            System.out.println("restart-times: " + r);
            sim.terminate(Duration.ofSeconds(30));
            return r;
        } finally {
            if (sim != null) {
                sim.close();
            }
        }
    }

    /** What one kill and restart showed. */
    private record Measured(ServiceProcess successor, long killNanos, long frameAtKill, double loadAvg,
            Map<Pattern, Stamp> stamps, long firstFrameNanos) {
        Restart restart(String mode, long intervalFrames, int ageTarget) {
            long start = successor.startedNanos();
            Stamp running = stamps.get(RUNNING);
            Stamp took = stamps.get(TOOK_OVER);
            Stamp rec = stamps.get(RECOMPUTING);
            Stamp caught = stamps.get(CAUGHT_UP);
            return new Restart(mode, intervalFrames, ageTarget, (frameAtKill + 1) / 1000.0, loadAvg,
                    running == null ? -1 : ms(running.nanos - start),
                    took == null ? -1 : ms(took.nanos - start), group(took, 1), group(took, 3), group(took, 4),
                    group(took, 5), rec == null ? -1 : group(rec, 2) - group(rec, 1),
                    caught == null ? -1 : ms(caught.nanos - start),
                    firstFrameNanos < 0 ? -1 : ms(firstFrameNanos - start),
                    firstFrameNanos < 0 ? -1 : ms(firstFrameNanos - killNanos));
        }

        /** A number of a stamped line; -1 when the line did not come. */
        private static long group(Stamp s, int g) {
            return s == null ? -1 : Long.parseLong(s.match.group(g));
        }

        private static long ms(long nanos) {
            return nanos / 1_000_000L;
        }
    }

    /** The first line matching a pattern, and when it arrived (System.nanoTime). */
    private record Stamp(long nanos, Matcher match) {
    }

    /**
     * SIGKILLs {@code sim}, starts its successor at once, and times the successor's recovery milestones: the
     * lines as they arrive, and the first committed frame newer than any of the dead instance's.
     */
    private static Measured killAndRestart(ServiceProcess sim, String name, Path logs, List<String> args,
            CommittedLog log, Output output) throws Exception {
        double load = loadAvg();
        long killed = sim.kill();
        ServiceProcess next = ServiceProcess.start(name, logs, args);
        Map<Pattern, Stamp> stamps = new LinkedHashMap<>();
        // a successor commits nothing before it took over; by then the dead instance's last commit is read
        boolean took = next.awaitLine(line -> stamp(line, stamps, RUNNING, TOOK_OVER, RECOMPUTING, CAUGHT_UP)
                && stamps.containsKey(TOOK_OVER), WAIT);
        if (!took) {
            throw new AssertionError(next + " did not take over within " + WAIT + "; its log:\n" + next.tail(60));
        }
        Thread.sleep(300); // the committed-log reader polls every 100 ms
        long frameAtKill = output.newestFrame();
        // the later milestones: stamped as their lines arrive, by a thread of their own
        Thread watcher = new Thread(() -> {
            try {
                next.awaitLine(line -> stamp(line, stamps, RECOMPUTING, CAUGHT_UP) && stamps.containsKey(CAUGHT_UP),
                        WAIT);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "stamps-" + name);
        watcher.setDaemon(true);
        watcher.start();
        await(log, next, "a frame after frame " + frameAtKill, () -> output.newestFrame() > frameAtKill);
        long firstFrame = output.arrivalAfter(frameAtKill);
        Thread.sleep(500);
        watcher.interrupt();
        watcher.join(2000);
        synchronized (stamps) {
            return new Measured(next, killed, frameAtKill, load, new LinkedHashMap<>(stamps), firstFrame);
        }
    }

    /** Records the arrival of the first line matching each pattern; always true (the caller decides when to stop). */
    private static boolean stamp(String line, Map<Pattern, Stamp> stamps, Pattern... patterns) {
        long now = System.nanoTime();
        synchronized (stamps) {
            for (Pattern p : patterns) {
                Matcher m = p.matcher(line);
                if (!stamps.containsKey(p) && m.find()) {
                    stamps.put(p, new Stamp(now, m));
                }
            }
        }
        return true;
    }

    /**
     * How the committed output is followed: the newest committed frame, and when the first committed record
     * past a frame arrived (System.nanoTime, -1 if none yet).
     */
    private interface Output {
        long newestFrame();

        long arrivalAfter(long frame);

        /** By committed Frame records. */
        static Output frames(CommittedLog log, String id) {
            return new Output() {
                public long newestFrame() {
                    return Reference.newestFrame(log, id);
                }

                public long arrivalAfter(long frame) {
                    return Reference.arrivalOfFrameAfter(log, id, frame);
                }
            };
        }

        /** By committed Status records (one per transaction): their tick is where the committed frames end. */
        static Output statuses(CommittedLog log, String id) {
            return new Output() {
                public long newestFrame() {
                    return Reference.committedTick(log, id) / TICKS_PER_FRAME - 1;
                }

                public long arrivalAfter(long frame) {
                    for (CommittedLog.Entry<io.neurostream.schemas.avro.Status> e : log.entries(Topics.STATUS)) {
                        if (id.equals(e.key()) && e.value().getTick() / TICKS_PER_FRAME - 1 > frame) {
                            return e.arrivalNanos();
                        }
                    }
                    return -1;
                }
            };
        }
    }

    private static void await(CommittedLog log, ServiceProcess sim, String what, BooleanSupplier done)
            throws InterruptedException {
        try {
            log.await(what, WAIT, done);
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; " + sim + (sim.isAlive() ? " is running" : " exited with "
                    + sim.exitCode()) + ", the end of its log:\n" + sim.tail(60), e);
        }
    }

    private static double loadAvg() {
        try {
            return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }

    private static int[] ints(String csv) {
        return Arrays.stream(csv.split(",")).map(String::trim).mapToInt(Integer::parseInt).toArray();
    }

    // ------------------------------------------------------------------ report

    static String report(List<Restart> all, int[] ages, int[] intervals, int repeats, int maxSeconds, double wallS) {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "Restart times of `neurostream simulate` after SIGKILL "
                + "(CUBA, 4000 neurons, dt 0.1 ms; run ages %s s, checkpoint intervals %s frames, %d kill(s) per age%s; "
                + "%.0f s wall)%n%n",
                Arrays.toString(ages), Arrays.toString(intervals), repeats,
                maxSeconds > 0 ? ", one MAX-mode case after " + maxSeconds + " s" : "", wallS));
        b.append("Medians per run age and checkpoint interval (times in s from the restarted process's start):\n\n");
        b.append("| mode | checkpoint interval (frames) | run age (s simulated) | recomputed (s simulated) "
                + "| checkpoint / journal / status records read | service up (s) | took over (s) "
                + "| of which reading + replay (s) | caught up (s) | first new frame (s) | kill → first new frame (s) "
                + "| n |\n");
        b.append("|---|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|\n");
        Map<String, List<Restart>> groups = new LinkedHashMap<>();
        for (Restart r : all) {
            groups.computeIfAbsent(r.mode() + "/" + r.intervalFrames() + "/" + r.ageTargetS(), x -> new ArrayList<>())
                    .add(r);
        }
        for (List<Restart> g : groups.values()) {
            Restart r0 = g.get(0);
            b.append(String.format(Locale.ROOT,
                    "| %s | %d | %.1f | %.1f | %.0f / %.0f / %.0f | %s | %s | %s | %s | %s | %s | %d |%n",
                    r0.mode(), r0.intervalFrames(), median(g, Restart::ageS),
                    median(g, r -> r.recomputedTicks() / (TICKS_PER_FRAME * 1000.0)),
                    median(g, Restart::checkpoints), median(g, Restart::journal), median(g, Restart::statuses),
                    s(median(g, Restart::runningMs)), s(median(g, Restart::tookOverMs)), s(median(g, Restart::reportedMs)),
                    s(median(g, Restart::caughtUpMs)), s(median(g, Restart::firstFrameMs)),
                    s(median(g, Restart::killToFirstFrameMs)), g.size()));
        }
        b.append("\nEvery restart:\n\n");
        b.append("| mode | interval | age (s) | load avg | service up (ms) | took over (ms) | reported (ms) "
                + "| records ckpt/journal/status | recomputed ticks | caught up (ms) | first new frame (ms) "
                + "| kill → first frame (ms) |\n");
        b.append("|---|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|\n");
        for (Restart r : all) {
            b.append(String.format(Locale.ROOT, "| %s | %d | %.1f | %.1f | %d | %d | %d | %d/%d/%d | %d | %s | %d | %d |%n",
                    r.mode(), r.intervalFrames(), r.ageS(), r.loadAvg(), r.runningMs(), r.tookOverMs(), r.reportedMs(),
                    r.checkpoints(), r.journal(), r.statuses(), r.recomputedTicks(),
                    r.caughtUpMs() < 0 ? "–" : Long.toString(r.caughtUpMs()),
                    r.firstFrameMs(), r.killToFirstFrameMs()));
        }
        return b.toString();
    }

    private static double median(List<Restart> g, java.util.function.ToDoubleFunction<Restart> f) {
        double[] v = g.stream().mapToDouble(f).filter(x -> x >= 0).sorted().toArray();
        if (v.length == 0) {
            return -1;
        }
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    /** Milliseconds as seconds with one decimal, "–" for a milestone that did not happen. */
    private static String s(double ms) {
        return ms < 0 ? "–" : String.format(Locale.ROOT, "%.1f", ms / 1000.0);
    }
}
