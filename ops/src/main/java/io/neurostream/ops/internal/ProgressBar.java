package io.neurostream.ops.internal;

import java.io.PrintWriter;

/**
 * A one-line progress bar redrawn in place with {@code \r}, at most every {@value #REDRAW_MS} ms.
 *
 * <p>The simulation loop asks {@link #due(long)} once per tick, which is a comparison of two
 * longs; the clock is read only on the ticks {@link #update} is called, and the stride between
 * those calls adapts so that the clock is read a few times per redraw whatever a tick costs
 * (from one tick for huge networks up to {@value #MAX_STRIDE} ticks for tiny ones).
 */
public final class ProgressBar {
    /** Least time between two redraws. */
    static final long REDRAW_MS = 100;
    private static final long MAX_STRIDE = 1 << 14;
    private static final int BAR_WIDTH = 30;

    private final PrintWriter err;
    private final long totalTicks;
    private final double dtMs;
    private final long startNanos;
    private long nextCheck = 1;
    private long stride = 1;
    private long lastCheckNanos;
    private long lastDrawNanos;
    private int lastLength;

    public ProgressBar(PrintWriter err, long totalTicks, double dtMs) {
        this.err = err;
        this.totalTicks = totalTicks;
        this.dtMs = dtMs;
        this.startNanos = System.nanoTime();
        this.lastCheckNanos = startNanos;
        this.lastDrawNanos = startNanos;
    }

    /** Whether {@link #update} should be called after {@code ticksDone} ticks. */
    public boolean due(long ticksDone) {
        return ticksDone >= nextCheck;
    }

    /** Reads the clock, redraws if it is time, and plans the next check. */
    public void update(long ticksDone, long spikes) {
        long now = System.nanoTime();
        long sinceCheck = now - lastCheckNanos;
        lastCheckNanos = now;
        if (sinceCheck < REDRAW_MS * 1_000_000L / 8 && stride < MAX_STRIDE) {
            stride *= 2;
        } else if (sinceCheck > REDRAW_MS * 1_000_000L && stride > 1) {
            stride /= 2;
        }
        nextCheck = ticksDone + stride;
        if (now - lastDrawNanos >= REDRAW_MS * 1_000_000L) {
            lastDrawNanos = now;
            draw(ticksDone, spikes, now);
        }
    }

    private void draw(long ticksDone, long spikes, long now) {
        double fraction = totalTicks == 0 ? 1.0 : (double) ticksDone / totalTicks;
        int filled = (int) (fraction * BAR_WIDTH);
        StringBuilder sb = new StringBuilder(100);
        sb.append('\r').append('[');
        for (int i = 0; i < BAR_WIDTH; i++) {
            sb.append(i < filled ? '#' : '.');
        }
        double wallS = (now - startNanos) / 1e9;
        sb.append(String.format("] %3d%%  %.0f / %.0f ms simulated  %,d spikes  %.1f s",
                (int) (fraction * 100), ticksDone * dtMs, totalTicks * dtMs, spikes, wallS));
        int length = sb.length();
        for (int i = length; i < lastLength; i++) {
            sb.append(' ');
        }
        lastLength = length;
        err.print(sb);
        err.flush();
    }

    /** Erases the bar, leaving the cursor at the start of an empty line. */
    public void clear() {
        if (lastLength > 0) {
            err.print('\r' + " ".repeat(lastLength) + '\r');
            err.flush();
            lastLength = 0;
        }
    }
}
