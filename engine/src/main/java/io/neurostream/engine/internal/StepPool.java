package io.neurostream.engine.internal;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntConsumer;

/**
 * A fixed set of worker threads that do one tick's work together: {@link #runEach} runs a job once on every
 * worker (the caller is worker 0) and returns when all are done. Worker {@code w} owns the contiguous chunks
 * {@code [firstChunk(w), firstChunk(w + 1))}, so work and the data it touches never move between threads (the
 * network integrates and delivers to the same ranges) and no task objects are made per tick.
 *
 * <p>A tick of a mid-sized network takes tens of microseconds, less than parking and waking a thread,
 * so workers spin (with {@link Thread#onSpinWait()}) for {@value #SPIN_NANOS} ns before they park, and the
 * caller spins while it waits for them.
 */
public final class StepPool implements AutoCloseable {
    /**
     * How long an idle worker spins before it parks. Waking a parked thread costs far more than a tick: on the
     * virtual machines we measure on, a worker that had parked saw the next round 0.3 to 1 ms late, and with
     * 20,000 spins (about 0.45 ms there) before parking, 1 round in 100 of CUBA 40,000 started that late, a
     * sixth of the time of every tick on average. Runtimes built for this spin longer still (Intel's OpenMP 200 ms).
     */
    private static final long SPIN_NANOS = 5_000_000L;
    private static final int SPINS_PER_CLOCK_READ = 1024;
    /** How many times the caller spins waiting for the workers before it yields between looks. */
    private static final int SPINS_BEFORE_YIELD = 20_000;

    private final int threads;
    private final int[] firstChunk;
    /** The job of the current round, run once per worker. */
    private volatile IntConsumer each;
    private final Thread[] workers;
    private final AtomicInteger remaining = new AtomicInteger();
    private volatile long generation;
    private volatile boolean closed;
    private volatile Throwable failure;
    /** Set by a worker that had parked before it took the current round, and cleared by the caller. */
    private volatile boolean parked;
    /**
     * Workers that have stopped spinning and park between looks: only then does a round need to wake them. Waking
     * a thread that spins costs the caller its thread lookup and lock each round for nothing.
     */
    private final AtomicInteger sleepers = new AtomicInteger();

    /** @param firstChunk worker {@code w}'s first chunk, ascending, {@code threads + 1} entries, the last the chunk count */
    public StepPool(int[] firstChunk) {
        this.threads = firstChunk.length - 1;
        this.firstChunk = firstChunk.clone();
        this.workers = new Thread[threads - 1];
        for (int t = 1; t < threads; t++) {
            final int id = t;
            Thread th = new Thread(() -> loop(id), "neurostream-step-" + t);
            th.setDaemon(true);
            workers[t - 1] = th;
            th.start();
        }
    }

    private void loop(int id) {
        long seen = 0;
        while (true) {
            int spins = 0;
            long spinUntil = 0;
            boolean parking = false;
            long g;
            while ((g = generation) == seen && !closed) {
                if (parking) {
                    LockSupport.parkNanos(this, 50_000L);
                } else if ((++spins & (SPINS_PER_CLOCK_READ - 1)) != 0) {
                    Thread.onSpinWait();
                } else if (spinUntil == 0) {
                    spinUntil = System.nanoTime() + SPIN_NANOS;
                } else if (spinUntil - System.nanoTime() < 0) {
                    // counted before the next look at the generation, which the caller sets before it reads
                    // the count: either the caller sees this worker asleep and wakes it, or the worker sees the round
                    parking = true;
                    sleepers.incrementAndGet();
                }
            }
            if (parking) {
                sleepers.decrementAndGet();
                parked = true;
            }
            if (closed) {
                return;
            }
            seen = g;
            try {
                each.accept(id);
            } catch (Throwable t) {
                failure = t;
            }
            remaining.decrementAndGet();
        }
    }

    /** Worker {@code w}'s first chunk ({@code w} up to {@link #threads()}, which gives the chunk count). */
    public int firstChunk(int w) {
        return firstChunk[w];
    }

    /** Threads, the caller included. */
    public int threads() {
        return threads;
    }

    /** Runs {@code job} once on every worker, with the worker's number (the caller is 0); returns when all are done. */
    public void runEach(IntConsumer job) {
        if (solo > 0) {
            solo--;
            soloRounds++;
            if (solo == 0) {
                windowOwn = 0;
                windowWait = 0;
                windowRounds = 0;
            }
            for (int w = 0; w < threads; w++) {
                job.accept(w);
            }
            return;
        }
        each = job;
        remaining.set(threads - 1);
        generation = generation + 1;
        if (sleepers.get() > 0) {
            for (Thread w : workers) {
                LockSupport.unpark(w);
            }
        }
        long start = System.nanoTime();
        Throwable own = null;
        try {
            job.accept(0);
        } catch (Throwable t) {
            own = t;
        }
        long done = System.nanoTime();
        int spins = 0;
        while (remaining.get() > 0) {
            if (++spins < SPINS_BEFORE_YIELD) {
                Thread.onSpinWait();
            } else {
                Thread.yield();
            }
        }
        Throwable f = own != null ? own : failure;
        if (f != null) {
            failure = null;
            throw new IllegalStateException("a step worker failed", f);
        }
        if (parked) {
            // a worker slept through the gap before this round (the network was not stepped for a while): its
            // wake-up says nothing about whether the workers run alongside the caller while it steps
            parked = false;
        } else {
            judge(done - start, System.nanoTime() - done);
        }
    }

    /**
     * Keeps the workers only while they pay: over each window of at least {@value #WINDOW} rounds and
     * {@value #WINDOW_NANOS} ns, if the caller waited
     * for them longer than it would have taken to do their shares itself (threads - 1 times its own), the
     * other threads were not running alongside it (the machine is
     * busy with other processes, or has fewer free cores than threads) and each hand-over cost a scheduler
     * time slice. Then the caller takes every share itself for the next {@value #SOLO_ROUNDS} rounds, twice as
     * many after each try of the workers that did not pay either (up to 2^{@value #MAX_BACKOFF} times as many),
     * and tries the workers again after. The shares are the same either way, so are the results.
     *
     * <p>The window is long in time because a virtual machine's processors stall now and then for 0.5 to 4 ms
     * while the host (or another thread) runs. 64 rounds of CUBA 40,000 take about 1.5 ms of the caller's own
     * time, so one such stall of a worker was enough to fail the window and cost the next 4096 rounds their
     * second thread; over 50 ms it weighs what it weighs in the run.
     */
    void judge(long ownNanos, long waitNanos) {
        windowOwn += ownNanos;
        windowWait += waitNanos;
        if (++windowRounds < WINDOW || windowOwn + windowWait < WINDOW_NANOS) {
            return;
        }
        if (windowWait > (threads - 1) * windowOwn) {
            solo = SOLO_ROUNDS << Math.min(failedTries, MAX_BACKOFF);
            failedTries++;
            soloSpells++;
        } else {
            failedTries = 0;
        }
        windowOwn = 0;
        windowWait = 0;
        windowRounds = 0;
    }

    /** Workers asleep between rounds now (parked, each woken by the next round). */
    int sleepers() {
        return sleepers.get();
    }

    /** How many times the pool has given up on its workers for a while because they did not pay. */
    public long soloSpells() {
        return soloSpells;
    }

    /** Rounds the caller ran alone, every share itself, because the workers did not pay. */
    public long soloRounds() {
        return soloRounds;
    }

    private static final int WINDOW = 64;
    private static final long WINDOW_NANOS = 50_000_000L;
    private static final int SOLO_ROUNDS = 4096;
    private static final int MAX_BACKOFF = 8;
    private int failedTries;
    private long windowOwn;
    private long windowWait;
    private int windowRounds;
    private int solo;
    private long soloSpells;
    private long soloRounds;

    @Override
    public void close() {
        closed = true;
        for (Thread t : workers) {
            LockSupport.unpark(t);
        }
        for (Thread t : workers) {
            try {
                t.join(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
