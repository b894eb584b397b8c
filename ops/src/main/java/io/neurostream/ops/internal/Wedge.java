package io.neurostream.ops.internal;

import java.util.concurrent.locks.LockSupport;

/**
 * For tests of the shutdown only: {@code -Dneurostream.test.wedge=shutdown} makes the shutdown of
 * {@code simulate} and {@code analytics} hang for ever on the command's own thread, ignoring interrupts,
 * so that a test can see the shutdown hook halt the JVM when the budget runs out (a wedged component's
 * close cannot do that: it is bounded). Not a setting: no command documents it, and nothing but a test
 * sets it.
 */
public final class Wedge {
    /** The JVM system property naming where to hang. */
    public static final String PROPERTY = "neurostream.test.wedge";

    private Wedge() {
    }

    /** Hangs for ever if {@link #PROPERTY} names {@code point}; returns at once otherwise. */
    public static void hangIfWedged(String point) {
        if (!point.equals(System.getProperty(PROPERTY))) {
            return;
        }
        while (true) {
            LockSupport.park(Wedge.class);
        }
    }
}
