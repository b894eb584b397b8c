package io.neurostream.bench;

import io.neurostream.engine.Network;
import io.neurostream.ops.bench.BenchNetworks;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * JMH benchmarks of one tick ({@code network.step()}) of the benchmark networks in their steady
 * state: the network is built once per trial and run for a warm-up of simulated time before
 * measuring, so the JIT-compiled loop is measured on ongoing activity, not on the start-up transient.
 *
 * <ul>
 *   <li>{@code cuba4000Step} — one 0.1 ms tick of CUBA 4000 (so 10,000 of them are 1 s simulated);</li>
 *   <li>{@code izhikevich1000Step} — one 1 ms tick of the Izhikevich (2003) network (1000 per second).</li>
 * </ul>
 *
 * <p>How to run (from the repository root):
 * <pre>
 * mvn -B -q -pl bench -am package -DskipTests
 * java -cp "bench/target/classes:$(cat bench/target/classpath.txt)" org.openjdk.jmh.Main StepBenchmark -f 1 -wi 3 -i 5
 * </pre>
 * Add {@code -p threads=2} for two integration threads. Expected output: JMH's table with one row
 * per benchmark, average time per tick in µs.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class StepBenchmark {

    /** Ticks run in {@code @Setup} before measuring: 100 ms of CUBA, 1 s of Izhikevich. */
    static final int SETTLE_TICKS = 1000;

    /** A benchmark network, built once per trial and settled past its start-up transient. */
    @State(Scope.Benchmark)
    public abstract static class Settled {
        @Param("1")
        public int threads;

        Network network;

        abstract String name();

        @Setup(Level.Trial)
        public void build() {
            network = Network.build(BenchNetworks.spec(name(), null));
            network.setThreads(threads);
            for (int k = 0; k < SETTLE_TICKS; k++) {
                network.step();
            }
        }

        @TearDown(Level.Trial)
        public void close() {
            network.close();
        }
    }

    /** CUBA, 4000 LIF neurons, dt 0.1 ms. */
    @State(Scope.Benchmark)
    public static class Cuba extends Settled {
        @Override
        String name() {
            return "cuba";
        }
    }

    /** Izhikevich (2003), 1000 neurons, all-to-all, dt 1 ms. */
    @State(Scope.Benchmark)
    public static class Izhikevich extends Settled {
        @Override
        String name() {
            return "izhikevich2003";
        }
    }

    @Benchmark
    public int cuba4000Step(Cuba s) {
        return s.network.step();
    }

    @Benchmark
    public int izhikevich1000Step(Izhikevich s) {
        return s.network.step();
    }
}
