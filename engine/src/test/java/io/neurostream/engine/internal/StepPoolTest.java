package io.neurostream.engine.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.function.IntConsumer;
import org.junit.jupiter.api.Test;

/** Every worker's share runs once per round, on its worker or, while the workers do not pay, on the caller. */
class StepPoolTest {

    @Test
    void shouldRunEveryWorkersShareOnceARound() {
        AtomicIntegerArray runs = new AtomicIntegerArray(2);
        String[] ranOn = new String[2];
        IntConsumer share = w -> {
            runs.incrementAndGet(w);
            ranOn[w] = Thread.currentThread().getName();
        };
        try (StepPool pool = new StepPool(new int[] {0, 2, 6})) {
            assertThat(pool.firstChunk(1)).isEqualTo(2);
            assertThat(pool.firstChunk(2)).as("the chunk count").isEqualTo(6);
            pool.runEach(share);
            assertThat(ranOn[0]).as("the caller is worker 0").isEqualTo(Thread.currentThread().getName());
            assertThat(ranOn[1]).isEqualTo("neurostream-step-1");
            for (int r = 1; r < 1000; r++) {
                pool.runEach(share);   // shares this small do not pay for a hand-over: the caller may take them all
            }
            assertThat(runs.get(0)).isEqualTo(1000);
            assertThat(runs.get(1)).isEqualTo(1000);
        }
    }

    @Test
    void shouldWakeAWorkerThatFellAsleepBetweenRounds() throws InterruptedException {
        // a round only wakes workers that have parked: one that slept through a pause must still take its share
        try (StepPool pool = new StepPool(new int[] {0, 1, 2})) {
            String[] ranOn = new String[2];
            int[] asleepDuringShare = new int[2];
            IntConsumer share = w -> {
                ranOn[w] = Thread.currentThread().getName();
                asleepDuringShare[w] = pool.sleepers();
            };
            pool.runEach(share);
            for (int r = 0; r < 3; r++) {
                long deadline = System.nanoTime() + 10_000_000_000L;
                while (pool.sleepers() == 0 && System.nanoTime() < deadline) {
                    Thread.sleep(1); // the worker spins for 5 ms, then parks
                }
                assertThat(pool.sleepers()).as("the worker parked after spinning").isEqualTo(1);
                ranOn[1] = null;
                pool.runEach(share);
                assertThat(ranOn[1]).isEqualTo("neurostream-step-1");
                assertThat(asleepDuringShare[1]).as("the worker counts itself awake once it has the round").isZero();
            }
        }
    }

    @Test
    void shouldTakeTheWorkersSharesItselfWhileWaitingForThemCostsMoreThanItsOwnShare() {
        // worker 1 is slow whenever it runs on its own thread, as a thread the machine has no core for would be
        Thread caller = Thread.currentThread();
        AtomicIntegerArray runs = new AtomicIntegerArray(2);
        AtomicIntegerArray onCaller = new AtomicIntegerArray(2);
        IntConsumer share = w -> {
            runs.incrementAndGet(w);
            if (Thread.currentThread() == caller) {
                onCaller.incrementAndGet(w);
            } else {
                try {
                    Thread.sleep(1);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        };
        try (StepPool pool = new StepPool(new int[] {0, 1, 2})) {
            for (int r = 0; r < 1000; r++) {
                pool.runEach(share);
            }
            assertThat(runs.get(0)).isEqualTo(1000);
            assertThat(runs.get(1)).isEqualTo(1000);
            assertThat(pool.soloSpells()).isEqualTo(1);
            assertThat(onCaller.get(1)).as("worker 1's share, taken by the caller after the first window").isGreaterThan(900);
        }
    }

    @Test
    void shouldKeepTheWorkersThroughAStallOfAFewMillisecondsNowAndThen() {
        // the judge alone, fed round times: shares of 20 us, and once in 500 rounds a 4 ms wait, as when a virtual
        // machine's processor stalls while the host runs something else (40% of the caller's own time: the
        // workers still pay); a window of 64 rounds (1.3 ms of own time) gave them up at the first stall
        try (StepPool pool = new StepPool(new int[] {0, 1, 2})) {
            for (int r = 0; r < 20_000; r++) {
                pool.judge(20_000L, r % 500 == 499 ? 4_000_000L : 1_000L);
            }
            assertThat(pool.soloSpells()).as("times the caller gave up on the worker").isZero();

            // while the worker runs one round in two on the caller's core, it does not pay
            for (int r = 0; r < 20_000 && pool.soloSpells() == 0; r++) {
                pool.judge(20_000L, r % 2 == 0 ? 45_000L : 1_000L);
            }
            assertThat(pool.soloSpells()).isEqualTo(1);
        }
    }
}
