package io.neurostream.ingest.sense;

import io.neurostream.schemas.avro.ExternalInput;
import java.io.IOException;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Streams a {@link Source} into a network live: sample {@code k} is sent when the wall clock reaches
 * {@code start + k / rateHz} (or as soon as a live source yields it, if later), stamped with the tick it
 * acts at, so a live run is reproducible from its journal.
 *
 * <p><b>Ticks.</b> Each sample lasts {@code periodTicks = max(1, round(1000 / rateHz / dtMs))} ticks. The
 * first acts at the network's newest tick (its status' next tick to compute) plus {@code leadTicks};
 * each next one right after the previous, so consecutive samples cover consecutive, non-overlapping tick
 * ranges. At most every {@code refreshMs} the newest tick is read again: if the network has already
 * reached the next sample's tick (it runs faster than the source, or the source stalled), the stream
 * jumps ahead to newest tick + {@code leadTicks} (counted as a re-anchor) — forward only, never back.
 */
public final class Streamer {
    private final Source source;
    private final Encoder encoder;
    private final Consumer<ExternalInput> sink;
    private final LongSupplier newestTick;
    private final int periodTicks;
    private final long leadTicks;
    private final long refreshMs;

    /** What a run sent. */
    public record Result(long frames, long inputs, long firstTick, long endTick, int periodTicks, long reanchors,
            long skipped) {
        /** Ticks covered by the samples sent (the sum of their durations). */
        public long ticksCovered() {
            return frames * periodTicks;
        }
    }

    /**
     * @param sink       where each input goes (e.g. {@code client::send})
     * @param newestTick the network's next tick to compute, as its status says
     * @param dtMs       the network's tick, ms
     * @param leadTicks  how far ahead of the newest tick the first sample (and a re-anchored one) acts, ticks
     * @param refreshMs  how often the newest tick is read again while streaming, ms
     */
    public Streamer(Source source, Encoder encoder, Consumer<ExternalInput> sink, LongSupplier newestTick, double dtMs,
            long leadTicks, long refreshMs) {
        if (!(source.rateHz() > 0)) {
            throw new IllegalArgumentException("the source's rate must be > 0 Hz, got " + source.rateHz());
        }
        this.source = source;
        this.encoder = encoder;
        this.sink = sink;
        this.newestTick = newestTick;
        this.periodTicks = periodTicks(source.rateHz(), dtMs);
        this.leadTicks = Math.max(0, leadTicks);
        this.refreshMs = refreshMs;
    }

    /** Ticks one sample of a {@code rateHz} source lasts on a network with tick {@code dtMs}. */
    public static int periodTicks(double rateHz, double dtMs) {
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, Math.round(1000.0 / rateHz / dtMs)));
    }

    public int periodTicks() {
        return periodTicks;
    }

    /**
     * Streams until the source ends, {@code maxFrames} samples were sent, {@code maxSeconds} of source time
     * passed, or {@code stop} says so.
     *
     * @throws IOException        if the source cannot be read (what was sent stays sent)
     * @throws BadSampleException if the source holds something that is not a sample
     */
    public Result run(long maxFrames, double maxSeconds, BooleanSupplier stop) throws IOException, InterruptedException {
        long startNanos = System.nanoTime();
        long nextTick = newestTick.getAsLong() + leadTicks;
        long firstTick = nextTick;
        long lastRefresh = System.nanoTime();
        long frames = 0;
        long inputs = 0;
        long reanchors = 0;
        while (frames < maxFrames && !stop.getAsBoolean()) {
            Sample s = source.next();
            if (s == null || s.timeS() >= maxSeconds) {
                break;
            }
            long dueNanos = startNanos + (long) (s.timeS() * 1e9);
            long wait = dueNanos - System.nanoTime();
            if (wait > 0) {
                Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
            }
            if (System.nanoTime() - lastRefresh >= refreshMs * 1_000_000L) {
                lastRefresh = System.nanoTime();
                long newest = newestTick.getAsLong();
                if (newest >= nextTick) {
                    nextTick = newest + leadTicks;
                    reanchors++;
                }
            }
            List<ExternalInput> batch = encoder.encode(s, nextTick, periodTicks);
            batch.forEach(sink);
            inputs += batch.size();
            frames++;
            nextTick += periodTicks;
        }
        return new Result(frames, inputs, firstTick, nextTick, periodTicks, reanchors, source.skipped());
    }
}
