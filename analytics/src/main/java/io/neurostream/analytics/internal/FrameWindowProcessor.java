package io.neurostream.analytics.internal;

import io.neurostream.schemas.Rejections;
import io.neurostream.schemas.Topics;
import io.neurostream.schemas.avro.AreaFrame;
import io.neurostream.schemas.avro.Balance;
import io.neurostream.schemas.avro.EClass;
import io.neurostream.schemas.avro.Frame;
import io.neurostream.schemas.avro.Rate;
import io.neurostream.schemas.avro.Rejected;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hopping windows of simulated time over each network's frames, with per-network stream time, publishing
 * each window once, when final.
 *
 * <p><b>Windows.</b> For a run with epoch {@code E} (the record timestamp of simulated time 0), the windows
 * are {@code [E + k·advance, E + k·advance + size)} for k ≥ 0: aligned to the run's simulated time, so a
 * replay with another epoch gives the same windows, and none reaches back before the run started. A frame
 * counts, as a point at its record timestamp, in every window that covers that timestamp: size/advance
 * windows once the run is a window old.
 *
 * <p><b>Panes.</b> Frames are summed into panes of gcd(size, advance) ms, one store update per frame; a
 * window is the sum of its size/pane panes, computed once when it is published. Panes no later window
 * covers are deleted then.
 *
 * <p><b>Final results, grace, late frames.</b> Each network keeps its own stream time (the largest frame
 * timestamp of its current run). Window {@code [s, e)} is published when that stream time reaches
 * {@code e + grace}, exactly once, and never updated. A frame all of whose windows are published is dropped
 * and counted ({@value Names#LATE_FRAMES}); a frame some of whose windows are published counts in the others
 * only. Kafka's own windowed aggregation and {@code suppress} use the partition's stream time instead, which
 * would let a network running ahead (as fast as possible, or simply not paused) close the windows of every
 * network on its partition and drop the others' frames as late for good.
 *
 * <p><b>Runs.</b> A frame's epoch is {@code timestamp - floor(sim_time_ms)}. The run a network's windows
 * follow is the one its latest Status announces ({@link KnownRun}, from {@link StatusProcessor}); before
 * any Status of the network has been seen, the run of its first frame. A frame of the followed run is
 * counted. A frame of the run the Status announces, when the windows still follow an older one, starts
 * the new run (CREATE or RESET): the old run's windows that are complete (end at most one ms after its
 * last frame) are published, its other panes discarded, and windowing restarts. Frames of the old run
 * that come before the new run's first frame still count (a network run as fast as possible writes
 * frames far ahead of the wall-clock time of its Status). Any other frame is rejected.
 *
 * <p><b>Rejected frames.</b> A frame of another run ({@value #FOREIGN_RUN}), or one that starts more than
 * {@code maxJumpMs} of simulated time after the newest counted frame of its run, or after the simulated
 * time its run's Status reports if that is further ({@value #FRAME_TOO_FAR_AHEAD}), is not counted and
 * does not move stream time: it goes to topic {@code rejected} with the reason, is counted
 * ({@value Names#REJECTED_FRAMES}) and logged at WARN, at most once per network every
 * {@value #WARN_INTERVAL_MS} ms of wall-clock time. Otherwise one frame stamped a year ahead would move
 * the network's stream time a year ahead and make every real frame after it late, for good.
 */
public final class FrameWindowProcessor implements Processor<String, Frame, String, Object> {
    private static final Logger LOG = LoggerFactory.getLogger(FrameWindowProcessor.class);
    /** Reason code of a frame whose epoch is not its network's run's. */
    public static final String FOREIGN_RUN = "FOREIGN_RUN";
    /** Reason code of a frame too far ahead of its run's newest frame. */
    public static final String FRAME_TOO_FAR_AHEAD = "FRAME_TOO_FAR_AHEAD";
    /** At most one WARN per network about rejected frames in this much wall-clock time, ms. */
    public static final long WARN_INTERVAL_MS = 60_000L;

    private final long sizeMs;
    private final long advanceMs;
    private final long graceMs;
    private final long paneMs;
    private final long maxJumpMs;

    private ProcessorContext<String, Object> context;
    private KeyValueStore<Bytes, WindowSums> panes;
    private KeyValueStore<String, NetworkClock> clocks;
    private KeyValueStore<String, List<Rate>> latestRates;
    private KeyValueStore<String, List<Balance>> latestBalance;
    private KeyValueStore<String, KnownRun> runs;
    private Sensor lateFrames;
    private Sensor invalidFrames;
    private Sensor rejectedFrames;
    private long invalidCount;
    /** Per network: wall-clock ms of the last WARN about rejected frames, and rejections since. */
    private final Map<String, long[]> warned = new HashMap<>();

    /**
     * @param maxJumpMs how far ahead of its run's newest counted frame, ms of simulated time, a frame may
     *                  start; further is rejected ({@value #FRAME_TOO_FAR_AHEAD})
     */
    public FrameWindowProcessor(long sizeMs, long advanceMs, long graceMs, long maxJumpMs) {
        if (sizeMs < 1 || advanceMs < 1 || advanceMs > sizeMs || graceMs < 0 || maxJumpMs < 1) {
            throw new IllegalArgumentException("need 1 <= advance <= size, grace >= 0 and max jump >= 1, got size "
                    + sizeMs + ", advance " + advanceMs + ", grace " + graceMs + ", max jump " + maxJumpMs);
        }
        this.sizeMs = sizeMs;
        this.advanceMs = advanceMs;
        this.graceMs = graceMs;
        this.paneMs = gcd(sizeMs, advanceMs);
        this.maxJumpMs = maxJumpMs;
    }

    private static long gcd(long a, long b) {
        return b == 0 ? a : gcd(b, a % b);
    }

    @Override
    public void init(ProcessorContext<String, Object> context) {
        this.context = context;
        panes = context.getStateStore(Names.PANES_STORE);
        clocks = context.getStateStore(Names.CLOCKS_STORE);
        latestRates = context.getStateStore(Names.LATEST_RATES_STORE);
        latestBalance = context.getStateStore(Names.LATEST_BALANCE_STORE);
        runs = context.getStateStore(Names.RUNS_STORE);
        lateFrames = context.metrics().addRateTotalSensor(Names.METRICS_SCOPE, "frames", Names.LATE_FRAMES,
                Sensor.RecordingLevel.INFO);
        invalidFrames = context.metrics().addRateTotalSensor(Names.METRICS_SCOPE, "frames", Names.INVALID_FRAMES,
                Sensor.RecordingLevel.INFO);
        rejectedFrames = context.metrics().addRateTotalSensor(Names.METRICS_SCOPE, "frames", Names.REJECTED_FRAMES,
                Sensor.RecordingLevel.INFO);
    }

    @Override
    public void process(Record<String, Frame> record) {
        Frame frame = record.value();
        String network = record.key() != null ? record.key() : frame == null ? null : frame.getNetworkId();
        String problem = network == null ? "no network id" : frame == null ? "null value" : problem(frame);
        if (problem != null) {
            invalidFrames.record();
            if (Long.bitCount(++invalidCount) == 1) { // 1st, 2nd, 4th, 8th ...: visible, never a flood
                LOG.warn("skipping an invalid frame of network {} ({} skipped so far): {}", network, invalidCount,
                        problem);
            }
            return;
        }
        long ts = record.timestamp();
        long simMs = (long) Math.floor(frame.getSimTimeMs());
        long epoch = ts - simMs;
        NetworkClock clock = clocks.get(network);
        KnownRun known = runs.get(network);
        boolean announced = known != null && known.runEpochMs() == epoch;
        if (clock != null && epoch == clock.runEpochMs()) {
            long newestMs = clock.streamTimeMs() - epoch;
            long referenceMs = announced ? Math.max(newestMs, known.simTimeMs()) : newestMs;
            if (simMs - referenceMs > maxJumpMs) {
                reject(record, network, FRAME_TOO_FAR_AHEAD, "frame " + frame.getFrame() + " of network " + network
                        + " starts at simulated " + simMs + " ms, " + (simMs - referenceMs) + " ms after the newest "
                        + (referenceMs == newestMs ? "frame counted of its run (" : "simulated time its Status reports (")
                        + referenceMs + " ms, run epoch " + epoch + "), more than the " + maxJumpMs
                        + " ms that analytics.frame.max.jump.ms allows; it would make the real frames after it late");
                return;
            }
        } else if (announced || (clock == null && known == null)) {
            // the run the latest Status announces (CREATE, RESET), or, before any Status, the first frame's
            if (known != null && simMs - known.simTimeMs() > maxJumpMs) {
                reject(record, network, FRAME_TOO_FAR_AHEAD, "frame " + frame.getFrame() + " of network " + network
                        + " starts at simulated " + simMs + " ms, " + (simMs - known.simTimeMs())
                        + " ms after the simulated time its Status reports (" + known.simTimeMs() + " ms, run epoch "
                        + epoch + "), more than the " + maxJumpMs + " ms that analytics.frame.max.jump.ms allows");
                return;
            }
            if (clock != null) {
                endRun(network, clock);
            }
            clock = new NetworkClock(epoch, ts, epoch);
        } else {
            long runEpoch = clock != null ? clock.runEpochMs() : known.runEpochMs();
            String from = known == null ? "learned from its first frame"
                    : known.runEpochMs() == runEpoch ? "announced by its Status"
                    : "still counted; its Status announces run epoch " + known.runEpochMs();
            reject(record, network, FOREIGN_RUN, "frame " + frame.getFrame() + " of network " + network
                    + " has run epoch " + epoch + " (record timestamp " + ts + " - simulated " + simMs + " ms), but the "
                    + "network's run has epoch " + runEpoch + " (" + from + "): a frame of another run, or stamped "
                    + "with a wrong timestamp");
            return;
        }
        long newestWindow = epoch + Math.floorDiv(ts - epoch, advanceMs) * advanceMs;
        if (newestWindow < clock.nextWindowStartMs()) {
            lateFrames.record(); // every window covering it is published
            return;
        }
        Bytes key = Codecs.paneKey(network, epoch + Math.floorDiv(ts - epoch, paneMs) * paneMs);
        WindowSums pane = panes.get(key);
        if (pane == null) {
            pane = new WindowSums();
        }
        pane.add(frame);
        panes.put(key, pane);

        clock = clock.withStreamTime(Math.max(clock.streamTimeMs(), ts));
        clock = publishUntil(network, clock, clock.streamTimeMs() - graceMs);
        clocks.put(network, clock);
    }

    /** Sends the frame to topic rejected, counts it and logs it (at most once per network a minute). */
    private void reject(Record<String, Frame> record, String network, String code, String reason) {
        rejectedFrames.record();
        long now = context.currentSystemTimeMs();
        Optional<RecordMetadata> source = context.recordMetadata();
        byte[] value = Topics.FRAMES.valueSerde().encode(record.value());
        Rejected r = Rejections.of(source.map(RecordMetadata::topic).orElse(""),
                source.map(RecordMetadata::partition).orElse(-1), source.map(RecordMetadata::offset).orElse(-1L),
                record.key() == null ? null : record.key().getBytes(StandardCharsets.UTF_8), value, network, code,
                reason, now);
        // stamped with the wall clock, as the simulator stamps its rejections: a frame's own timestamp may
        // be the very thing that is wrong
        context.forward(new Record<String, Object>(network, r, now), Names.REJECTED_SINK);
        long[] w = warned.computeIfAbsent(network, n -> new long[] {Long.MIN_VALUE, 0});
        w[1]++;
        if (w[0] == Long.MIN_VALUE || now - w[0] >= WARN_INTERVAL_MS) {
            LOG.warn("network {}: rejected {} frame(s) to topic rejected since the previous warning; the latest {}: {}",
                    network, w[1], code, reason);
            w[0] = now;
            w[1] = 0;
        }
    }

    private static String problem(Frame f) {
        if (f.getTicks() < 1 || !(f.getDtMs() > 0) || !(f.getSimTimeMs() >= 0) || Double.isInfinite(f.getSimTimeMs())) {
            return "ticks " + f.getTicks() + ", dt_ms " + f.getDtMs() + ", sim_time_ms " + f.getSimTimeMs();
        }
        for (AreaFrame a : f.getAreas()) {
            if (a.getSpikes() < 0 || a.getNeurons() < 0 || !(a.getEInput() >= 0) || !(a.getIInput() >= 0)
                    || Double.isInfinite(a.getEInput()) || Double.isInfinite(a.getIInput())) {
                return "area " + a.getArea() + " " + a.getEClass() + ": spikes " + a.getSpikes() + ", neurons "
                        + a.getNeurons() + ", e_input " + a.getEInput() + ", i_input " + a.getIInput();
            }
        }
        return null;
    }

    /** Publishes, in order, every window whose end is at most {@code endLimitMs}; returns the clock after. */
    private NetworkClock publishUntil(String network, NetworkClock clock, long endLimitMs) {
        long start = clock.nextWindowStartMs();
        while (start + sizeMs <= endLimitMs) {
            WindowSums sums = sum(network, start);
            if (sums.isEmpty()) {
                // nothing in [start, start + size): go to the first window covering the next pane, if any
                Long next = firstPaneAtOrAfter(network, start + sizeMs);
                long limit = next != null ? next : endLimitMs; // the first window ending after it
                long s = clock.runEpochMs()
                        + (Math.floorDiv(limit - sizeMs - clock.runEpochMs(), advanceMs) + 1) * advanceMs;
                start = Math.max(start + advanceMs, s);
                continue;
            }
            publish(network, clock.runEpochMs(), start, sums);
            for (long p = start; p < start + advanceMs; p += paneMs) {
                panes.delete(Codecs.paneKey(network, p)); // no later window covers these
            }
            start += advanceMs;
        }
        return clock.withNextWindowStart(start);
    }

    private WindowSums sum(String network, long start) {
        WindowSums w = new WindowSums();
        try (KeyValueIterator<Bytes, WindowSums> it = panes.range(Codecs.paneKey(network, start),
                Codecs.paneKey(network, start + sizeMs - 1))) {
            while (it.hasNext()) {
                w.add(it.next().value);
            }
        }
        return w;
    }

    private Long firstPaneAtOrAfter(String network, long t) {
        try (KeyValueIterator<Bytes, WindowSums> it = panes.range(Codecs.paneKey(network, t),
                Codecs.paneKey(network, Long.MAX_VALUE))) {
            return it.hasNext() ? Codecs.paneStartOf(it.next().key) : null;
        }
    }

    private void endRun(String network, NetworkClock clock) {
        publishUntil(network, clock, clock.streamTimeMs() + 1);
        List<Bytes> keys = new ArrayList<>();
        try (KeyValueIterator<Bytes, WindowSums> it = panes.range(Codecs.paneKey(network, Long.MIN_VALUE),
                Codecs.paneKey(network, Long.MAX_VALUE))) {
            it.forEachRemaining(kv -> keys.add(kv.key));
        }
        keys.forEach(panes::delete);
        LOG.info("network {}: run with epoch {} ended at stream time {}; {} unfinished panes discarded", network,
                clock.runEpochMs(), clock.streamTimeMs(), keys.size());
    }

    private void publish(String network, long epochMs, long start, WindowSums w) {
        long end = start + sizeMs;
        long timestamp = end - 1; // the window's last ms: results sort and retain with the window they describe
        double seconds = sizeMs / 1000.0;

        // totals per area (both classes) in first-appearance order, and for the network
        Map<String, double[]> areas = new LinkedHashMap<>(); // spikes, neurons, e, i
        double[] all = new double[4];
        for (int g = 0; g < w.groups(); g++) {
            double[] a = areas.computeIfAbsent(w.area(g), k -> new double[4]);
            for (double[] t : new double[][] {a, all}) {
                t[0] += w.spikes(g);
                t[1] += w.neurons(g);
                t[2] += w.eInput(g);
                t[3] += w.iInput(g);
            }
        }

        List<Rate> rates = new ArrayList<>(1 + areas.size() + w.groups());
        rates.add(rate(network, null, null, start, end, (long) all[0], (int) all[1], seconds));
        for (Map.Entry<String, double[]> a : areas.entrySet()) {
            rates.add(rate(network, a.getKey(), null, start, end, (long) a.getValue()[0], (int) a.getValue()[1], seconds));
            for (int g = 0; g < w.groups(); g++) {
                if (w.area(g).equals(a.getKey())) {
                    rates.add(rate(network, a.getKey(), w.eClass(g), start, end, w.spikes(g), w.neurons(g), seconds));
                }
            }
        }
        List<Balance> balances = new ArrayList<>(1 + areas.size());
        balances.add(balance(network, null, start, end, all[2], all[3]));
        for (Map.Entry<String, double[]> a : areas.entrySet()) {
            balances.add(balance(network, a.getKey(), start, end, a.getValue()[2], a.getValue()[3]));
        }
        rates = Collections.unmodifiableList(rates);
        balances = Collections.unmodifiableList(balances);

        for (Rate r : rates) {
            context.forward(new Record<String, Object>(network, r, timestamp), Names.RATES_SINK);
        }
        for (Balance b : balances) {
            context.forward(new Record<String, Object>(network, b, timestamp), Names.BALANCE_SINK);
        }
        latestRates.put(network, rates);
        latestBalance.put(network, balances);
        context.forward(new Record<String, Object>(network, new WindowResult(network, epochMs, start, end, rates, balances),
                timestamp), Names.ALERTS);
    }

    /** Rate record: rate_hz = spikes / (neurons × window size in s); 0 when there are no neurons. */
    static Rate rate(String network, String area, EClass cls, long start, long end, long spikes, int neurons,
            double seconds) {
        return Rate.newBuilder().setNetworkId(network).setArea(area).setEClass(cls).setWindowStartMs(start)
                .setWindowEndMs(end).setSpikes(spikes).setNeurons(neurons)
                .setRateHz(neurons > 0 ? spikes / (neurons * seconds) : 0.0).build();
    }

    /**
     * Balance record with the seed's function: e_fraction = E/(E+I), i_fraction = I/(E+I),
     * balance_ratio = E/max(I, 0.01), all 0 when E+I ≤ 0.
     */
    static Balance balance(String network, String area, long start, long end, double e, double i) {
        double total = e + i;
        boolean none = !(total > 0);
        return Balance.newBuilder().setNetworkId(network).setArea(area).setWindowStartMs(start).setWindowEndMs(end)
                .setEInput(e).setIInput(i)
                .setEFraction(none ? 0.0 : e / total)
                .setIFraction(none ? 0.0 : i / total)
                .setBalanceRatio(none ? 0.0 : e / Math.max(i, 0.01))
                .build();
    }
}
