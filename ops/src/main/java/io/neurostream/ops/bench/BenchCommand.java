package io.neurostream.ops.bench;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.neurostream.engine.Network;
import io.neurostream.engine.SpikeChecksum;
import io.neurostream.engine.spec.NetworkSpec;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code bench NETWORK}: builds one of the benchmark networks ({@link BenchNetworks}), runs it and
 * prints how long the main loop took, with the same figures Brian2's benchmark scripts print.
 *
 * <p>How to run (from the repository root):
 * <pre>
 * mvn -B -q -pl ops -am package -DskipTests
 * java -cp "ops/target/classes:$(cat ops/target/classpath.txt)" io.neurostream.ops.bench.BenchCommand cuba --repeat 3
 * </pre>
 * or {@code ./neurostream bench cuba --repeat 3}. Expected output: a header, a line per run, then one
 * line {@code RESULT {json}} (CUBA at seed 1234: 4000 neurons, ~320,000 synapses, E and I near 5–6 Hz).
 *
 * <p>What is timed ({@code t_sim}): the main loop only, {@code network.step()} once per tick plus the
 * per-tick spike count by population and the spike checksum (Brian2's main loop likewise includes its
 * {@code SpikeMonitor}), in wall-clock time. {@code t_sim_cpu} is the CPU time of the same loop (all JVM
 * threads), which is what Brian2's C++ standalone reports as its {@code t_sim} without OpenMP
 * ({@code std::clock()}); on a busy machine the two differ. Building the network ({@code t_build})
 * is timed apart. Each timed run uses a
 * freshly built network, so every run simulates the same spikes from {@code t = 0}; warm-up runs
 * before them are not timed and let the JIT compile the step loop.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {
            "Runs a benchmark network and prints its simulation time, rates, synaptic events and memory per synapse.",
            "NETWORK is one of: cuba (CUBA, 4000 LIF neurons, dt 0.1 ms), cuba40k (CUBA with 40,000 neurons and the "
                + "same ~80 inputs each), izhikevich2003 (Izhikevich 2003, 1000 neurons, all-to-all, dt 1 ms).",
            "Only the main loop is timed (one step per tick with per-tick spike counting): t_sim in wall-clock time, "
                + "t_sim_cpu in CPU time of all JVM threads (what Brian2's C++ standalone reports as its t_sim). Each timed run "
                + "starts from a freshly built network. The last line is RESULT {json}."},
        footer = {"", "Examples:",
            "  bench cuba",
            "      1 s of CUBA: one untimed warm-up run, then one timed run",
            "  bench izhikevich2003 --repeat 3",
            "      the fastest of three timed runs is t_sim; t_sim_all has all three",
            "  bench cuba40k --threads 2 --repeat 5 --warmup 6",
            "      two threads, timed once the JIT has settled",
            "  bench cuba --seed 7 --warmup 0",
            "      another seed; no warm-up, so t_sim includes JIT compilation",
            "  bench cuba40k --copies 2 --repeat 5 --warmup 6",
            "      two copies at once, a thread each: the most two threads can gain here",
            "  bench cuba40k --threads 2 --scaling --repeat 9 --warmup 3",
            "      per round one thread, two threads, two copies and the hand-off; medians"})
public final class BenchCommand implements Callable<Integer> {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "NETWORK", completionCandidates = NetworkNames.class,
            description = "Benchmark network: ${COMPLETION-CANDIDATES}.")
    String network;

    @Option(names = "--threads", paramLabel = "N", defaultValue = "1",
            description = "Threads for integration (default: ${DEFAULT-VALUE}); spikes are the same for any N. "
                    + "With no more cores than N, the JIT's compiler threads take cores from the step for the first "
                    + "seconds, and the step then runs on one thread for a while (each run's line says for how many "
                    + "ticks): give a few more warm-up runs to time the steady state.")
    int threads;

    @Option(names = "--copies", paramLabel = "N", defaultValue = "1",
            description = "Runs N copies of the network at once, each on one thread of its own (default: ${DEFAULT-VALUE}). "
                    + "If they take as long as one copy alone, each thread had a core to itself; if longer, the threads "
                    + "shared one (processor threads of one core, a busy host), and --threads N can gain at most "
                    + "N times one copy's t_sim alone over theirs together. A run's t_sim is its slowest copy's.")
    int copies;

    @Option(names = "--scaling",
            description = "With --threads N: each timed round runs the network on one thread, on N threads, and N copies "
                    + "of it at once (--copies N), one after the other in an order that turns each round, and reports "
                    + "the speed-up (one thread's t_sim over N threads'), its ceiling (N times one thread's t_sim over "
                    + "the copies') and the hand-off (how long a value takes to reach another spinning thread and come "
                    + "back), per round and their medians.")
    boolean scaling;

    @Option(names = "--duration-ms", paramLabel = "D", defaultValue = "1000",
            description = "Simulated time per run in ms (default: ${DEFAULT-VALUE}).")
    double durationMs;

    @Option(names = "--seed", paramLabel = "S",
            description = "Seed, replacing the spec's (default: the spec's, 1234).")
    Long seed;

    @Option(names = "--repeat", paramLabel = "R", defaultValue = "1",
            description = "Timed runs; the fastest is t_sim, all are in t_sim_all (default: ${DEFAULT-VALUE}).")
    int repeat;

    @Option(names = "--warmup", paramLabel = "W", defaultValue = "1",
            description = "Untimed runs of the same length first, to let the JIT compile the step loop "
                    + "(default: ${DEFAULT-VALUE}).")
    int warmup;

    /** Picocli and ops' {@code neurostream bench} create it this way. */
    public BenchCommand() {
    }

    /** The benchmark network names, for picocli's completion and help. */
    static final class NetworkNames implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return BenchNetworks.NAMES.iterator();
        }
    }

    /** What to run: one benchmark network, for a duration, a number of times. */
    public record Options(String network, int threads, int copies, boolean scaling, double durationMs, Long seed, int repeat,
                          int warmup) {
        public Options {
            if (!BenchNetworks.NAMES.contains(network)) {
                throw new IllegalArgumentException("unknown network '" + network + "'; networks: "
                        + String.join(", ", BenchNetworks.NAMES));
            }
            if (threads < 1) {
                throw new IllegalArgumentException("--threads must be at least 1, got " + threads);
            }
            if (copies < 1) {
                throw new IllegalArgumentException("--copies must be at least 1, got " + copies);
            }
            if (copies > 1 && threads > 1) {
                throw new IllegalArgumentException("--copies runs each copy on one thread; give --threads 1 with it, got "
                        + threads);
            }
            if (scaling && (threads < 2 || copies > 1)) {
                throw new IllegalArgumentException("--scaling compares one thread with --threads N: give N of 2 or more"
                        + (copies > 1 ? ", and no --copies" : ", got " + threads));
            }
            if (!(durationMs > 0) || Double.isInfinite(durationMs)) {
                throw new IllegalArgumentException("--duration-ms must be a positive number, got " + durationMs);
            }
            if (repeat < 1) {
                throw new IllegalArgumentException("--repeat must be at least 1, got " + repeat);
            }
            if (warmup < 0) {
                throw new IllegalArgumentException("--warmup must be 0 or more, got " + warmup);
            }
        }
    }

    @Override
    public Integer call() throws Exception {
        Options options;
        try {
            options = new Options(network, threads, copies, scaling, durationMs, seed, repeat, warmup);
            ticks(options, BenchNetworks.spec(network, seed).dtMs());
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage(), e);
        }
        PrintWriter out = spec.commandLine().getOut();
        Map<String, Object> result;
        try {
            result = run(options, out);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage(), e);
        }
        out.println("RESULT " + toJson(result));
        out.flush();
        return 0;
    }

    /** Runs the standalone {@code bench} command; the only place that exits. */
    public static void main(String[] args) {
        System.exit(new CommandLine(new BenchCommand()).execute(args));
    }

    /**
     * One timed run: main-loop seconds and what it produced; with copies, the slowest copy's seconds, all copies' CPU,
     * and each copy's seconds in {@code copyTimes}.
     */
    private record Run(double tSim, double tSimCpu, long spikesE, long spikesI, long synEvents, String checksum, long roundsAlone,
                       List<Double> copyTimes) {
    }

    /**
     * Builds and runs the network as {@code options} say, writing progress to {@code log}, and returns
     * the figures of the {@code RESULT} line (insertion-ordered).
     */
    public static Map<String, Object> run(Options options, PrintWriter log) {
        NetworkSpec spec = BenchNetworks.spec(options.network(), options.seed());
        long ticks = ticks(options, spec.dtMs());
        double durationMs = ticks * spec.dtMs();

        // heap held by the built network: used heap after a GC, before and after building
        long heapBefore = usedHeapAfterGc();
        long b0 = System.nanoTime();
        Network first = Network.build(spec);
        double tBuild = (System.nanoTime() - b0) / 1e9;
        long heapAfter = usedHeapAfterGc();
        int atOnce = options.scaling() ? options.threads() : options.copies();
        long max = Runtime.getRuntime().maxMemory();
        if (atOnce > 1 && (double) (heapAfter - heapBefore) * atOnce > 0.8 * max) {
            first.close();
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "%d copies of %s at once need about %d MiB of heap (%d MiB each); this JVM has %d MiB (-Xmx): "
                            + "give fewer copies or a larger -Xmx (JAVA_OPTS)", atOnce, options.network(),
                    (heapAfter - heapBefore) * atOnce >> 20, (heapAfter - heapBefore) >> 20, max >> 20));
        }

        int n = first.size();
        int ne = first.populations().get(0).size();
        int ni = first.populations().size() > 1 ? first.populations().get(1).size() : 0;
        long synapses = first.synapseCount();
        double bytesPerSynapse = first.synapseBytes() / (double) synapses;
        double heapBytesPerSynapse = (heapAfter - heapBefore) / (double) synapses;
        log.printf(Locale.ROOT, "bench %s: %d neurons (%d E, %d I), %d synapses, dt %s ms, %s ms per run, %s, seed %d%n",
                options.network(), n, ne, ni, synapses, spec.dtMs(), fmt(durationMs), options.copies() > 1
                        ? options.copies() + " copies at once, one thread each"
                        : options.threads() + (options.threads() == 1 ? " thread" : " threads"), spec.seed());
        log.printf(Locale.ROOT, "built in %.3f s; static synapse arrays %.2f bytes/synapse, heap held %.2f bytes/synapse%n",
                tBuild, bytesPerSynapse, heapBytesPerSynapse);
        if (options.warmup() > 0) {
            log.printf(Locale.ROOT, "warm-up: %d untimed %s of %s ms first (JIT compilation; not in t_sim)%n",
                    options.warmup(), (options.scaling() ? "round" : "run") + (options.warmup() == 1 ? "" : "s")
                            + (options.scaling() ? " of the three ways' runs" : ""), fmt(durationMs));
        } else {
            log.println("no warm-up: the timed runs include JIT compilation");
        }
        log.flush();

        if (options.scaling()) {
            first.close();
            return scaling(options, spec, ticks, log);
        }
        Network network = first;
        List<Double> builds = new ArrayList<>();
        for (int w = 0; w < options.warmup(); w++) {
            if (network == null) {
                network = Network.build(spec);
            }
            timedRound(network, spec, ticks, options, new ArrayList<>());
            network = null;
        }

        List<Run> runs = new ArrayList<>();
        for (int r = 0; r < options.repeat(); r++) {
            if (network == null) {
                long t0 = System.nanoTime();
                network = Network.build(spec);
                builds.add((System.nanoTime() - t0) / 1e9);
            }
            Run run = timedRound(network, spec, ticks, options, builds);
            network = null;
            runs.add(run);
            String extra = "";
            if (options.threads() > 1) {
                extra = String.format(Locale.ROOT, ", %d of %d ticks on one thread", run.roundsAlone(), ticks);
            } else if (options.copies() > 1) {
                extra = ", the copies' t_sim " + run.copyTimes().stream()
                        .map(t -> String.format(Locale.ROOT, "%.4f", t)).toList();
            }
            log.printf(Locale.ROOT, "run %d/%d: t_sim %.4f s (CPU %.4f s), %d spikes (E %d, I %d), %d synaptic events, checksum %s%s%n",
                    r + 1, options.repeat(), run.tSim(), run.tSimCpu(), run.spikesE() + run.spikesI(), run.spikesE(), run.spikesI(),
                    run.synEvents(), run.checksum(), extra);
            log.flush();
        }

        Run best = runs.get(0);
        List<Double> all = new ArrayList<>();
        List<Double> allCpu = new ArrayList<>();
        boolean consistent = true;
        for (Run r : runs) {
            all.add(r.tSim());
            allCpu.add(r.tSimCpu());
            if (r.tSim() < best.tSim()) {
                best = r;
            }
            consistent &= r.checksum().equals(runs.get(0).checksum());
        }
        if (!consistent) {
            log.println("WARNING: the timed runs produced different spikes (checksums differ); the engine is not deterministic");
        }
        double durS = durationMs / 1000.0;
        long spikes = best.spikesE() + best.spikesI();

        Map<String, Object> m = new LinkedHashMap<>();
        m.put("bench", options.network());
        m.put("simulator", "neurostream");
        m.put("threads", options.threads());
        m.put("copies", options.copies());
        m.put("seed", spec.seed());
        m.put("N", n);
        m.put("Ne", ne);
        m.put("Ni", ni);
        m.put("dt_ms", spec.dtMs());
        m.put("duration_ms", durationMs);
        m.put("ticks", ticks);
        m.put("synapses", synapses);
        m.put("syn_per_neuron", synapses / (double) n);
        m.put("t_build", tBuild);
        m.put("t_build_warm", builds.isEmpty() ? null : builds.stream().mapToDouble(Double::doubleValue).min().getAsDouble());
        m.put("t_sim", best.tSim());
        m.put("t_sim_all", all);
        m.put("t_sim_cpu", allCpu.stream().mapToDouble(Double::doubleValue).min().getAsDouble());
        m.put("t_sim_cpu_all", allCpu);
        m.put("warmup_runs", options.warmup());
        m.put("repeat", options.repeat());
        m.put("realtime_factor", best.tSim() / durS);
        m.put("spikes", spikes);
        m.put("spikes_e", best.spikesE());
        m.put("spikes_i", best.spikesI());
        m.put("rate_e_hz", ne == 0 ? 0.0 : best.spikesE() / (double) ne / durS);
        m.put("rate_i_hz", ni == 0 ? 0.0 : best.spikesI() / (double) ni / durS);
        m.put("syn_events", best.synEvents());
        m.put("syn_events_per_s", best.synEvents() / best.tSim());
        m.put("neuron_updates_per_s", n * (double) ticks / best.tSim());
        m.put("bytes_per_synapse", bytesPerSynapse);
        m.put("heap_bytes_per_synapse", heapBytesPerSynapse);
        m.put("spike_checksum", best.checksum());
        m.put("checksums_agree", consistent);
        m.put("ticks_on_one_thread_all", runs.stream().map(Run::roundsAlone).toList());
        if (options.copies() > 1) {
            m.put("t_sim_copies_all", runs.stream().map(Run::copyTimes).toList());
        }
        m.put("java", System.getProperty("java.version"));
        m.put("java_vm", System.getProperty("java.vm.name") + " " + System.getProperty("java.vm.version"));
        m.put("gc", gcNames());
        m.put("max_heap_bytes", Runtime.getRuntime().maxMemory());
        m.put("available_processors", Runtime.getRuntime().availableProcessors());
        m.put("loadavg_1m_at_end", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        return m;
    }

    /**
     * {@code --scaling}: rounds of one thread, N threads and N copies, each on freshly built networks, their order
     * turned by one each round so that a machine growing slower or faster weighs on all three alike.
     */
    private static Map<String, Object> scaling(Options options, NetworkSpec spec, long ticks, PrintWriter log) {
        int n = options.threads();
        List<Options> ways = List.of(
                new Options(options.network(), 1, 1, false, options.durationMs(), options.seed(), 1, 0),
                new Options(options.network(), n, 1, false, options.durationMs(), options.seed(), 1, 0),
                new Options(options.network(), 1, n, false, options.durationMs(), options.seed(), 1, 0));
        List<Double> one = new ArrayList<>();
        List<Double> many = new ArrayList<>();
        List<Double> copies = new ArrayList<>();
        List<Double> speedUps = new ArrayList<>();
        List<Double> ceilings = new ArrayList<>();
        List<Long> alone = new ArrayList<>();
        String checksum = null;
        boolean consistent = true;
        log.printf(Locale.ROOT, "each round: 1 thread (t1), %d threads (t%d), %d copies at once (tc, the slower copy's), "
                + "and the median time for a write on one thread to be seen and answered on another (hand-off)%n", n, n, n);
        List<Double> handOffs = new ArrayList<>();
        for (int r = -options.warmup(); r < options.repeat(); r++) {
            Run[] runs = new Run[ways.size()];
            for (int i = 0; i < ways.size(); i++) {
                int way = Math.floorMod(i + r, ways.size());
                runs[way] = timedRound(Network.build(spec), spec, ticks, ways.get(way), new ArrayList<>());
            }
            for (Run run : runs) {
                checksum = checksum == null ? run.checksum() : checksum;
                consistent &= run.checksum().equals(checksum);
            }
            if (r < 0) {
                continue;
            }
            double speedUp = runs[0].tSim() / runs[1].tSim();
            double ceiling = n * runs[0].tSim() / runs[2].tSim();
            one.add(runs[0].tSim());
            many.add(runs[1].tSim());
            copies.add(runs[2].tSim());
            speedUps.add(speedUp);
            ceilings.add(ceiling);
            alone.add(runs[1].roundsAlone());
            double handOff = HandOff.medianRoundTripNanos(20_000) / 1e3;
            handOffs.add(handOff);
            log.printf(Locale.ROOT, "round %d/%d: t1 %.4f s, t%d %.4f s, tc %.4f s; speed-up %.3f, ceiling %.3f (%.0f%% of it); "
                            + "hand-off %.2f us%s%n",
                    r + 1, options.repeat(), runs[0].tSim(), n, runs[1].tSim(), runs[2].tSim(), speedUp, ceiling,
                    100 * speedUp / ceiling, handOff, runs[1].roundsAlone() > 0
                            ? String.format(Locale.ROOT, "; %d of %d ticks with %d threads on one", runs[1].roundsAlone(), ticks, n)
                            : "");
            log.flush();
        }
        if (!consistent) {
            log.println("WARNING: the runs produced different spikes (checksums differ); the engine is not deterministic");
        }
        log.printf(Locale.ROOT, "median of %d rounds: speed-up %.3f, ceiling %.3f%n", options.repeat(), median(speedUps),
                median(ceilings));
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("bench", options.network());
        m.put("simulator", "neurostream");
        m.put("scaling", true);
        m.put("threads", n);
        m.put("seed", spec.seed());
        m.put("ticks", ticks);
        m.put("warmup_rounds", options.warmup());
        m.put("rounds", options.repeat());
        m.put("t_sim_one_thread_all", one);
        m.put("t_sim_threads_all", many);
        m.put("t_sim_copies_all", copies);
        m.put("speed_up_all", speedUps);
        m.put("ceiling_all", ceilings);
        m.put("speed_up_median", median(speedUps));
        m.put("ceiling_median", median(ceilings));
        m.put("ticks_on_one_thread_all", alone);
        m.put("hand_off_us_all", handOffs);
        m.put("spike_checksum", checksum);
        m.put("checksums_agree", consistent);
        m.put("java", System.getProperty("java.version"));
        m.put("available_processors", Runtime.getRuntime().availableProcessors());
        m.put("loadavg_1m_at_end", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        return m;
    }

    private static double median(List<Double> xs) {
        double[] a = xs.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return a.length % 2 == 1 ? a[a.length / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
    }

    /** Ticks per run: the duration rounded to whole ticks, at least one. */
    static long ticks(Options options, double dtMs) {
        long ticks = Math.round(options.durationMs() / dtMs);
        if (ticks < 1) {
            throw new IllegalArgumentException("--duration-ms " + options.durationMs() + " is shorter than one tick ("
                    + dtMs + " ms)");
        }
        return ticks;
    }

    /**
     * One timed run of {@code network}, freshly built, or with {@code --copies N} of it and N - 1 more copies built
     * now (their build times added to {@code builds}), each on a thread of its own, started together.
     */
    private static Run timedRound(Network network, NetworkSpec spec, long ticks, Options options, List<Double> builds) {
        if (options.copies() == 1) {
            long c0 = processCpuNanos();
            Run run = timedRun(network, ticks, options.threads(), null);
            return new Run(run.tSim(), (processCpuNanos() - c0) / 1e9, run.spikesE(), run.spikesI(), run.synEvents(),
                    run.checksum(), run.roundsAlone(), List.of(run.tSim()));
        }
        List<Network> nets = new ArrayList<>(List.of(network));
        for (int c = 1; c < options.copies(); c++) {
            long t0 = System.nanoTime();
            nets.add(Network.build(spec));
            builds.add((System.nanoTime() - t0) / 1e9);
        }
        CyclicBarrier start = new CyclicBarrier(nets.size());
        ExecutorService threads = Executors.newFixedThreadPool(nets.size());
        try {
            List<Future<Run>> futures = new ArrayList<>();
            long c0 = processCpuNanos();
            for (Network net : nets) {
                futures.add(threads.submit(() -> timedRun(net, ticks, 1, start)));
            }
            List<Run> each = new ArrayList<>();
            for (Future<Run> f : futures) {
                each.add(f.get());
            }
            double cpu = (processCpuNanos() - c0) / 1e9;
            Run slowest = each.stream().max(Comparator.comparingDouble(Run::tSim)).orElseThrow();
            // identical copies simulate identical spikes, or the engine is not deterministic under concurrency
            String checksum = each.stream().allMatch(r -> r.checksum().equals(slowest.checksum()))
                    ? slowest.checksum() : "copies-differ";
            return new Run(slowest.tSim(), cpu, slowest.spikesE(), slowest.spikesI(), slowest.synEvents(), checksum, 0,
                    each.stream().map(Run::tSim).toList());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while the copies ran", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("a copy failed: " + e.getCause(), e.getCause());
        } finally {
            threads.shutdownNow();
        }
    }

    /**
     * Runs {@code ticks} ticks of a freshly built network, timing the main loop, then closes it; with {@code start},
     * waits for the other copies there first. Its CPU time is left to the caller.
     */
    private static Run timedRun(Network network, long ticks, int threads, CyclicBarrier start) {
        try (Network net = network) {
            net.setThreads(threads);
            SpikeChecksum checksum = new SpikeChecksum();
            long spikesE = 0;
            long spikesI = 0;
            final boolean twoPopulations = net.populations().size() > 1;
            if (start != null) {
                awaitQuietly(start);
            }
            long t0 = System.nanoTime();
            for (long k = 0; k < ticks; k++) {
                net.step();
                spikesE += net.spikesOfPopulation(0);
                if (twoPopulations) {
                    spikesI += net.spikesOfPopulation(1);
                }
                checksum.add(k, net.spikes().array(), net.spikes().size());
            }
            double tSim = (System.nanoTime() - t0) / 1e9;
            return new Run(tSim, Double.NaN, spikesE, spikesI, net.totalSynapticEvents(), checksum.hex(), net.roundsRunAlone(),
                    List.of(tSim));
        }
    }

    private static void awaitQuietly(CyclicBarrier barrier) {
        try {
            barrier.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted before the copies started", e);
        } catch (BrokenBarrierException e) {
            throw new IllegalStateException("another copy failed before the copies started", e);
        }
    }

    /**
     * CPU time used so far by all live threads of this JVM, in ns (per-thread
     * {@code CLOCK_THREAD_CPUTIME_ID} clocks on Linux, nanosecond resolution; the JVM's process CPU
     * time only has clock-tick resolution, 10 ms here). This is what Brian2's C++ standalone main loop
     * measures with {@code std::clock()} when it runs without OpenMP. -1 if the JVM cannot measure it.
     */
    static long processCpuNanos() {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        if (!threads.isThreadCpuTimeSupported()) {
            return -1;
        }
        long sum = 0;
        for (long id : threads.getAllThreadIds()) {
            long t = threads.getThreadCpuTime(id);
            if (t > 0) {
                sum += t;
            }
        }
        return sum;
    }

    /** Used heap after a full GC (the lowest of three readings, so a late-finishing collection does not count). */
    static long usedHeapAfterGc() {
        long best = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            System.gc();
            best = Math.min(best, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
        }
        return best;
    }

    private static String gcNames() {
        StringBuilder sb = new StringBuilder();
        for (var gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            if (sb.length() > 0) {
                sb.append(", ");
            }
            sb.append(gc.getName());
        }
        return sb.toString();
    }

    private static String fmt(double x) {
        return x == Math.rint(x) ? Long.toString((long) x) : Double.toString(x);
    }

    /** The result as one line of JSON. */
    static String toJson(Map<String, Object> result) {
        try {
            return MAPPER.writeValueAsString(result);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
