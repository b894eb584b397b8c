package io.neurostream.ops.bench;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;

/**
 * How long a write on one thread takes to be seen and answered on another: a value passed back and forth between
 * two spinning threads. Each tick on several threads hands over a few times (the round starts, the shares end, their
 * spikes are merged), so this time, which depends on where the host placed the two processors (one core complex
 * sharing a cache, or two apart), weighs on every tick; two copies of a network never hand over and do not see it.
 */
final class HandOff {
    private HandOff() {
    }

    /** The median of {@code trips} round trips, in ns (the answering thread spins on a core of its own, if there is one). */
    static double medianRoundTripNanos(int trips) {
        AtomicLong ball = new AtomicLong();
        Thread echo = new Thread(() -> {
            for (long expect = 1; expect < 2L * trips; expect += 2) {
                while (ball.get() != expect) {
                    if (Thread.currentThread().isInterrupted()) {
                        return;
                    }
                    Thread.onSpinWait();
                }
                ball.set(expect + 1);
            }
        }, "neurostream-hand-off");
        echo.setDaemon(true);
        echo.start();
        long[] nanos = new long[trips];
        try {
            for (int t = 0; t < trips; t++) {
                long serve = 2L * t + 1;
                long t0 = System.nanoTime();
                ball.set(serve);
                while (ball.get() != serve + 1) {
                    Thread.onSpinWait();
                }
                nanos[t] = System.nanoTime() - t0;
            }
        } finally {
            echo.interrupt();
        }
        Arrays.sort(nanos);
        return nanos[trips / 2];
    }
}
