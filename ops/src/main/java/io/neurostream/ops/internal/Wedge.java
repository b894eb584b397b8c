package io.neurostream.ops.internal;

import java.util.concurrent.locks.LockSupport;

/**
 * For tests of the shutdown only, a JVM system property naming where to hang for ever, ignoring
 * interrupts: {@code -Dneurostream.test.wedge=shutdown} hangs the shutdown of {@code simulate} and
 * {@code analytics} on the command's own thread, so that a test sees the shutdown hook halt the JVM
 * when the budget runs out; {@code -Dneurostream.test.wedge=NAME} hangs the close of the part NAME
 * ({@code simulator}, {@code broker}, ... as {@link StopSignal#closeWithin} names them), as a close
 * that waits without timeout for a thread stuck in a long computation does. Not a setting: no command
 * documents it, and nothing but a test sets it.
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
