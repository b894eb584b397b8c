package io.neurostream.ops.internal;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Ctrl-C and SIGTERM for a command that runs until stopped. A JVM shutdown hook only <em>asks</em> the
 * command's own thread to stop, then holds the JVM until that thread has shut everything down in its
 * order and called {@link #close()} (at most {@code budget}), so the components are closed by the code
 * that started them, not by a hook racing it.
 *
 * <pre>{@code
 * try (StopSignal stop = StopSignal.install("neurostream-demo-shutdown", Duration.ofSeconds(60))) {
 *     start things;
 *     stop.await(Duration.ofSeconds(durationS));   // a signal, stop.request(), or the time is up
 *     stop things in order; print the last line;
 * }                                                // releases the hook: the JVM may exit now
 * }</pre>
 */
public final class StopSignal implements AutoCloseable {
    private final CountDownLatch stop = new CountDownLatch(1);
    private final CountDownLatch finished = new CountDownLatch(1);
    private final Thread hook;
    private volatile boolean signalled;
    private volatile String reason;

    private StopSignal(String hookName, Duration budget) {
        hook = new Thread(() -> {
            signalled = true;
            stop.countDown();
            try {
                finished.await(budget.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, hookName);
    }

    /** Installs the shutdown hook; {@code budget} bounds how long the hook holds the JVM for the shutdown. */
    public static StopSignal install(String hookName, Duration budget) {
        StopSignal s = new StopSignal(hookName, budget);
        Runtime.getRuntime().addShutdownHook(s.hook);
        return s;
    }

    /**
     * Waits until a signal arrives or {@link #request} is called (true), or until {@code max} has passed
     * (false); {@code null} waits without limit.
     */
    public boolean await(Duration max) throws InterruptedException {
        if (max == null) {
            stop.await();
            return true;
        }
        return stop.await(max.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Asks the waiting thread to stop, for a reason other than a signal (a component failed). */
    public void request(String why) {
        reason = why;
        stop.countDown();
    }

    /** Whether a signal (Ctrl-C, SIGTERM) started the stop. */
    public boolean signalled() {
        return signalled;
    }

    /** Why {@link #request} was called, or null. */
    public String reason() {
        return reason;
    }

    /** The shutdown is done: the hook (if running) returns and the JVM may exit; otherwise the hook is removed. */
    @Override
    public void close() {
        finished.countDown();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the JVM is exiting: the hook is running and has just been released
        }
    }
}
