package io.neurostream.ops.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Ctrl-C and SIGTERM for a command that runs until stopped, with a bounded shutdown. A JVM shutdown hook
 * only <em>asks</em> the command's own thread to stop, then holds the JVM until that thread has shut
 * everything down in its order and called {@link #close()}, so the components are closed by the code
 * that started them, not by a hook racing it.
 *
 * <p>The whole shutdown gets a budget ({@value #TIMEOUT_PROPERTY}, default {@link #DEFAULT_TIMEOUT}),
 * counted from the signal or {@link #request}. Each component's close is bounded by what is left of
 * it ({@link #closeWithin}), so one wedged component (a close waiting for a thread stuck in a long
 * computation, or threads dead of OutOfMemoryError) does not hold the others. When the budget runs out
 * with the command's thread still closing, the hook logs one WARN with the stacks of what is stuck and
 * halts the JVM ({@link Runtime#halt}) with the signal's exit code: {@value #EXIT_SIGINT} after Ctrl-C
 * (SIGINT), {@value #EXIT_SIGTERM} after SIGTERM — the codes a clean stop ends with too.
 *
 * <pre>{@code
 * try (StopSignal stop = StopSignal.install("neurostream-demo-shutdown")) {
 *     start things;
 *     stop.await(Duration.ofSeconds(durationS));   // a signal, stop.request(), or the time is up
 *     for each thing: stop.closeWithin(name, thing); print the last line;
 * }                                                // releases the hook: the JVM may exit now
 * }</pre>
 */
public final class StopSignal implements AutoCloseable {
    /**
     * JVM system property: the shutdown budget in seconds, from the signal (or the command's own decision
     * to stop) until the JVM is halted whatever is still running. Default {@link #DEFAULT_TIMEOUT}.
     * For example {@code JAVA_OPTS=-Dneurostream.stop.timeout.s=120 ./neurostream simulate} for
     * networks whose final checkpoint takes longer.
     */
    public static final String TIMEOUT_PROPERTY = "neurostream.stop.timeout.s";
    /** The shutdown budget without {@value #TIMEOUT_PROPERTY}. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
    /** The exit code after Ctrl-C (SIGINT), 128 + 2, the shells' convention. */
    public static final int EXIT_SIGINT = 130;
    /** The exit code after SIGTERM, 128 + 15. */
    public static final int EXIT_SIGTERM = 143;
    /** The exit code of a halt when the JVM was asked to exit by something other than SIGINT or SIGTERM. */
    public static final int EXIT_OTHER = 1;

    private static final Logger LOG = LoggerFactory.getLogger(StopSignal.class);
    /** The exit code of the first SIGINT or SIGTERM this JVM received, 0 before one. */
    private static final AtomicInteger SIGNAL_EXIT = new AtomicInteger();
    private static final AtomicInteger WATCHED = new AtomicInteger();

    private final CountDownLatch stop = new CountDownLatch(1);
    private final CountDownLatch finished = new CountDownLatch(1);
    private final Thread hook;
    private final Thread owner;
    private final Duration budget;
    /** nanoTime when the stop began (signal, request or the first {@link #remaining}), 0 before. */
    private final AtomicLong stopStartedNanos = new AtomicLong();
    /** Threads closing a component that have outlived their bound. */
    private final Set<Thread> stuck = ConcurrentHashMap.newKeySet();
    private volatile boolean signalled;
    private volatile String reason;

    private StopSignal(String hookName, Duration budget) {
        this.owner = Thread.currentThread();
        this.budget = budget;
        hook = new Thread(this::onShutdown, hookName);
    }

    /** Installs the shutdown hook with the budget of {@value #TIMEOUT_PROPERTY} (default 30 s). */
    public static StopSignal install(String hookName) {
        return install(hookName, timeout());
    }

    /** Installs the shutdown hook; {@code budget} bounds the whole shutdown, after which the JVM is halted. */
    public static StopSignal install(String hookName, Duration budget) {
        watchSignals();
        StopSignal s = new StopSignal(hookName, budget);
        Runtime.getRuntime().addShutdownHook(s.hook);
        return s;
    }

    /** The shutdown budget: {@value #TIMEOUT_PROPERTY} if set to a positive number of seconds, else 30 s. */
    public static Duration timeout() {
        String v = System.getProperty(TIMEOUT_PROPERTY);
        if (v != null) {
            try {
                double s = Double.parseDouble(v.strip());
                if (s > 0 && s < 86_400) {
                    return Duration.ofMillis(Math.round(s * 1000));
                }
            } catch (NumberFormatException ignored) {
                // fall through to the warning
            }
            LOG.warn("{}={} is not a number of seconds in (0, 86400); using {} s", TIMEOUT_PROPERTY, v,
                    DEFAULT_TIMEOUT.toSeconds());
        }
        return DEFAULT_TIMEOUT;
    }

    /**
     * Records which signal started the JVM's shutdown, so that a halt exits with its code, then passes
     * it on to the JVM's own handler (which runs the shutdown hooks). Once per JVM; a signal the JVM
     * does not handle (run with {@code -Xrs}, or ignored by the parent) is left alone.
     */
    private static void watchSignals() {
        if (WATCHED.getAndIncrement() > 0) {
            return;
        }
        watch("INT", EXIT_SIGINT);
        watch("TERM", EXIT_SIGTERM);
    }

    private static void watch(String name, int code) {
        AtomicReference<SignalHandler> previous = new AtomicReference<>();
        SignalHandler recorder = sig -> {
            SIGNAL_EXIT.compareAndSet(0, code);
            SignalHandler p = previous.get();
            try {
                p.handle(sig);   // the JVM's handler: exit(128 + signal number), which runs the hooks
            } catch (RuntimeException notJava) {   // not there yet, or a native one
                Runtime.getRuntime().exit(code);
            }
        };
        try {
            // a signal ignored by whoever started the JVM stays ignored: the JVM installs nothing for it
            previous.set(Signal.handle(new Signal(name), recorder));
        } catch (IllegalArgumentException | UnsupportedOperationException e) {
            LOG.debug("cannot watch SIG{}: {}", name, e.toString());
        }
    }

    /** The hook: asks the command to stop, waits for it within the budget, halts the JVM past it. */
    private void onShutdown() {
        boolean done;
        try {
            signalled = true;
            stopStartedNanos.compareAndSet(0, System.nanoTime());
            stop.countDown();
            done = finished.await(remaining().toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException | RuntimeException | Error e) {   // OutOfMemoryError included: halt below
            done = false;
        }
        if (done) {
            return;
        }
        int code = SIGNAL_EXIT.get() != 0 ? SIGNAL_EXIT.get() : EXIT_OTHER;
        try {
            LOG.warn("the shutdown did not finish within {} s ({}); halting with exit code {}. Still running:{}",
                    budget.toMillis() / 1000.0, TIMEOUT_PROPERTY, code, stacks());
        } catch (Throwable e) {   // out of memory, or the logging is gone: halt all the same
            System.err.println("neurostream: the shutdown did not finish within " + budget.toMillis() / 1000.0
                    + " s; halting with exit code " + code);
        } finally {
            Runtime.getRuntime().halt(code);
        }
    }

    /** The stacks of the command's thread and of every close that outlived its bound. */
    private String stacks() {
        List<Thread> threads = new ArrayList<>();
        if (owner.isAlive()) {
            threads.add(owner);
        }
        stuck.stream().filter(Thread::isAlive).forEach(threads::add);
        StringBuilder b = new StringBuilder();
        for (Thread t : threads) {
            b.append(System.lineSeparator()).append("  \"").append(t.getName()).append("\" ").append(t.getState());
            for (StackTraceElement e : t.getStackTrace()) {
                b.append(System.lineSeparator()).append("    at ").append(e);
            }
        }
        return b.toString();
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
        stopStartedNanos.compareAndSet(0, System.nanoTime());
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

    /** The whole shutdown's budget. */
    public Duration budget() {
        return budget;
    }

    /**
     * What is left of the budget; the first call starts the stop's clock if no signal or {@link #request}
     * did (a command stopping because its time is up).
     */
    public Duration remaining() {
        stopStartedNanos.compareAndSet(0, System.nanoTime());
        long left = budget.toNanos() - (System.nanoTime() - stopStartedNanos.get());
        return Duration.ofNanos(Math.max(0, left));
    }

    /**
     * What is left of the budget for closing components: the budget less a tenth, kept for the command
     * to report what is stuck and for the JVM to exit before the hook halts it.
     */
    public Duration remainingForClose() {
        Duration left = remaining().minus(budget.dividedBy(10));
        return left.isNegative() ? Duration.ZERO : left;
    }

    /**
     * Closes {@code component} on a thread of its own and waits at most for {@link #remainingForClose()}.
     * On time, returns normally or throws what {@code close} threw; past it, logs one WARN with the
     * closing thread's stack, leaves that thread behind (a daemon) and throws {@link StuckException}.
     */
    public void closeWithin(String name, AutoCloseable component) throws Exception {
        Duration max = remainingForClose();
        AtomicReference<Exception> failure = new AtomicReference<>();
        Thread closer = new Thread(() -> {
            try {
                Wedge.hangIfWedged(name);
                component.close();
            } catch (Exception e) {
                failure.set(e);
            }
        }, "neurostream-stop-" + name.replace(' ', '-'));
        closer.setDaemon(true);
        closer.start();
        closer.join(Math.max(1, max.toMillis()));
        if (closer.isAlive()) {
            stuck.add(closer);
            StringBuilder b = new StringBuilder();
            for (StackTraceElement e : closer.getStackTrace()) {
                b.append(System.lineSeparator()).append("    at ").append(e);
            }
            LOG.warn("the {} did not stop within {} s, the rest of the shutdown budget ({}); left behind, "
                    + "closing:{}", name, max.toMillis() / 1000.0, TIMEOUT_PROPERTY, b);
            throw new StuckException("it did not stop within " + max.toMillis() / 1000.0 + " s (" + TIMEOUT_PROPERTY
                    + " = " + budget.toMillis() / 1000.0 + " s for the whole shutdown)");
        }
        if (failure.get() != null) {
            throw failure.get();
        }
    }

    /** A component that did not stop within the shutdown budget. */
    public static final class StuckException extends Exception {
        private static final long serialVersionUID = 1L;

        StuckException(String message) {
            super(message);
        }
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
