package io.neurostream.ops;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.neurostream.engine.Network;
import io.neurostream.engine.Population;
import io.neurostream.engine.SpikeChecksum;
import io.neurostream.engine.model.SpikeSink;
import io.neurostream.engine.spec.NetworkSpec;
import io.neurostream.engine.spec.SpecException;
import io.neurostream.engine.spec.SpecParser;
import io.neurostream.ops.internal.CsvWriter;
import io.neurostream.ops.internal.ProbeRecorder;
import io.neurostream.ops.internal.ProgressBar;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code neurostream run SPEC.json}: simulates a network spec offline, without Kafka, and prints a
 * JSON summary as the last line of stdout.
 *
 * <p>How to run (from the repository root):
 * <pre>
 * ./neurostream run engine/src/test/resources/specs/cuba.json --spikes-out spikes.csv
 * </pre>
 * Expected: {@code spikes.csv} with the header {@code tick,neuron} and about 22,000 rows, and one
 * line of JSON on stdout with {@code "neurons":4000}, rates of E and I near 5–6 Hz and
 * {@code "spike_checksum"} the same on every run and with any {@code --threads}.
 *
 * <p>{@code wall_s} times the main loop only: one {@code step()} per tick, the per-population
 * spike counts, the checksum and the CSV output. Parsing and building the network are
 * {@code build_s}. Interrupted (Ctrl-C), the run stops after the current tick, closes its files
 * and prints the summary of the ticks done with {@code "interrupted": true}, exit code 130.
 */
@Command(name = "run",
        sortOptions = false,
        sortSynopsis = false,
        description = {
            "Simulates a network spec offline (no Kafka) and prints a JSON summary as the last line of stdout.",
            "SPEC.json is a NeuroStream spec (docs/spec-format.md) or the seed's brain_base_model.json.",
            "A progress bar is drawn on stderr when the terminal is interactive."},
        footer = {
            "",
            "Summary fields: name, seed, neurons, synapses, ticks, dt_ms, duration_ms,",
            "spikes, synaptic_events, rate_hz and population_spikes (per population),",
            "wall_s (main loop only), build_s (parse and build), threads, spike_checksum.",
            "",
            "Examples:",
            "  neurostream run engine/src/test/resources/specs/cuba.json \\",
            "      --spikes-out spikes.csv",
            "      1 s of the CUBA benchmark; every spike to spikes.csv (tick,neuron)",
            "  neurostream run cuba.json --duration-ms 10000 --threads 2",
            "      10 s on two threads: the same spikes and spike_checksum as on one",
            "  neurostream run my-net.json --duration-ms 200 --probes-out v.csv",
            "      the membrane traces the spec's \"probes\" ask for, to v.csv",
            "  neurostream run brain_base_model.json --duration-ms 100",
            "      the seed framework's configuration file, translated (notes on stderr)",
            "",
            "Exit codes: 0 ok, 1 an output file could not be written,",
            "2 bad usage or bad spec, 130 interrupted (Ctrl-C; the summary of the",
            "ticks done is still printed, with \"interrupted\": true)."})
public final class RunCommand implements Callable<Integer> {
    static final int EXIT_OK = 0;
    static final int EXIT_FAILURE = 1;
    static final int EXIT_USAGE = 2;
    static final int EXIT_INTERRUPTED = 130;

    /** Writes times as plain decimals (0.00037, not 3.7E-4). */
    private static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(JsonGenerator.Feature.WRITE_BIGDECIMAL_AS_PLAIN);

    @Spec
    CommandSpec command;

    @Parameters(index = "0", paramLabel = "SPEC.json",
            description = "The network spec to simulate.")
    Path specFile;

    @Option(names = {"-d", "--duration-ms"}, paramLabel = "MS", defaultValue = "1000",
            description = "Simulated time in ms (default: ${DEFAULT-VALUE}), rounded to whole ticks of the spec's dt_ms.")
    double durationMs;

    @Option(names = {"-t", "--threads"}, paramLabel = "N", defaultValue = "1",
            description = "Threads for integration (default: ${DEFAULT-VALUE}); the spikes are the same for any N.")
    int threads;

    @Option(names = "--spikes-out", paramLabel = "FILE",
            description = "Write every spike to FILE as CSV: tick,neuron, sorted by tick, then neuron.")
    Path spikesOut;

    @Option(names = "--probes-out", paramLabel = "FILE",
            description = "Write the values the spec's probes ask for to FILE as CSV: tick,neuron,variable,value.")
    Path probesOut;

    @Option(names = "--no-progress",
            description = "Never draw the progress bar.")
    boolean noProgress;

    @Option(names = {"-h", "--help"}, usageHelp = true,
            description = "Show this help message and exit.")
    boolean help;

    /** Set by the shutdown hook (Ctrl-C); the loop checks it once per tick. */
    private volatile boolean stopRequested;

    @Override
    public Integer call() {
        PrintWriter out = command.commandLine().getOut();
        PrintWriter err = command.commandLine().getErr();
        if (!(durationMs > 0) || Double.isInfinite(durationMs)) {
            throw new ParameterException(command.commandLine(), "--duration-ms must be a positive number of ms, got " + durationMs);
        }
        if (threads < 1) {
            throw new ParameterException(command.commandLine(), "--threads must be at least 1, got " + threads);
        }
        for (Path file : new Path[] {spikesOut, probesOut}) {
            String problem = cannotCreate(file);
            if (problem != null) {
                return fail(err, "cannot write " + file + ": " + problem, EXIT_USAGE);
            }
        }

        long buildStart = System.nanoTime();
        NetworkSpec spec;
        try {
            spec = SpecParser.parse(specFile);
        } catch (SpecException e) {
            return fail(err, e.getMessage(), EXIT_USAGE);
        }
        if (probesOut != null && spec.probes().isEmpty()) {
            return fail(err, spec.source() + ": --probes-out was given, but the spec has no probes; add some, for example "
                    + "\"probes\": [{\"population\": \"" + spec.populations().get(0).name()
                    + "\", \"first\": 10, \"variables\": [\"v\"]}]", EXIT_USAGE);
        }
        long ticks = Math.round(durationMs / spec.dtMs());
        if (ticks < 1) {
            throw new ParameterException(command.commandLine(), "--duration-ms " + durationMs
                    + " is less than one tick (dt_ms = " + spec.dtMs() + " in " + spec.source() + ")");
        }
        for (String note : spec.notes()) {
            err.println("note: " + note);
        }
        err.flush();

        try (Network network = Network.build(spec)) {
            ProbeRecorder probes = probesOut == null ? null : ProbeRecorder.of(spec, network);
            network.setThreads(threads);
            double buildS = (System.nanoTime() - buildStart) / 1e9;
            return simulate(network, ticks, probes, buildS, out, err);
        } catch (SpecException e) {
            return fail(err, e.getMessage(), EXIT_USAGE);
        }
    }

    /** The main loop and the summary; installs a shutdown hook for its duration so Ctrl-C ends it cleanly. */
    private int simulate(Network network, long ticks, ProbeRecorder probes, double buildS, PrintWriter out,
            PrintWriter err) {
        CountDownLatch finished = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            stopRequested = true;
            try {
                finished.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "neurostream-run-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            return loop(network, ticks, probes, buildS, out, err);
        } finally {
            finished.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the JVM is exiting (Ctrl-C): the hook is running and has just been released
            }
        }
    }

    private int loop(Network network, long ticks, ProbeRecorder probes, double buildS, PrintWriter out, PrintWriter err) {
        final List<Population> pops = network.populations();
        final int popCount = pops.size();
        final long[] popSpikes = new long[popCount];
        final SpikeChecksum checksum = new SpikeChecksum();
        final ProgressBar progress = !noProgress && System.console() != null
                ? new ProgressBar(err, ticks, network.dtMs()) : null;
        long done = 0;
        double wallS;
        CsvWriter spikesCsv = null;
        CsvWriter probesCsv = null;
        try {
            Path opening = spikesOut;
            try {
                spikesCsv = spikesOut == null ? null : CsvWriter.create(spikesOut, "tick,neuron");
                opening = probesOut;
                probesCsv = probesOut == null ? null : CsvWriter.create(probesOut, "tick,neuron,variable,value");
            } catch (IOException e) {
                throw new UncheckedIOException(opening + ": " + describe(e), e);
            }

            final long start = System.nanoTime();
            while (done < ticks && !stopRequested) {
                final long k = done;
                network.step();
                final SpikeSink spikes = network.spikes();
                final int count = spikes.size();
                if (count > 0) {
                    checksum.add(k, spikes.array(), count);
                    for (int p = 0; p < popCount; p++) {
                        popSpikes[p] += network.spikesOfPopulation(p);
                    }
                    if (spikesCsv != null) {
                        spikesCsv.tickRows(k, spikes.array(), count);
                    }
                }
                if (probesCsv != null) {
                    probes.sample(k, probesCsv);
                }
                done = k + 1;
                if (progress != null && progress.due(done)) {
                    progress.update(done, checksum.count());
                }
            }
            wallS = (System.nanoTime() - start) / 1e9;
            if (progress != null) {
                progress.clear();
            }
            closeAll(spikesCsv, probesCsv);
        } catch (UncheckedIOException e) {
            if (progress != null) {
                progress.clear();
            }
            closeQuietly(spikesCsv);
            closeQuietly(probesCsv);
            return fail(err, "cannot write " + e.getMessage(), EXIT_FAILURE);
        }

        ObjectNode summary = summary(network, done, checksum, popSpikes, wallS, buildS, probes);
        if (stopRequested) {
            summary.put("interrupted", true);
        }
        try {
            out.println(MAPPER.writeValueAsString(summary));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("the summary is plain JSON", e);
        }
        out.flush();
        return stopRequested ? EXIT_INTERRUPTED : EXIT_OK;
    }

    private ObjectNode summary(Network network, long ticks, SpikeChecksum checksum, long[] popSpikes, double wallS,
            double buildS, ProbeRecorder probes) {
        ObjectNode s = summary(network, ticks, checksum, popSpikes, wallS, buildS, threads, spikesOut);
        if (probesOut != null) {
            s.put("probes_out", probesOut.toString());
            s.put("probe_samples", probes.samples());
        }
        return s;
    }

    /**
     * The JSON summary of {@code ticks} ticks of {@code network}: what it is, its spikes, synaptic events and
     * per-population rates and spike counts, the times, threads and spike_checksum, and where the spikes went
     * ({@code spikesOut}, or none). One function for {@code run} and {@code replay}, whose promise is to print
     * the same summary as run.
     *
     * @param populationSpikes spikes of each population by its index; a population past its end had none
     */
    static ObjectNode summary(Network network, long ticks, SpikeChecksum checksum, long[] populationSpikes,
            double wallS, double buildS, int threads, Path spikesOut) {
        // ticks·dt in decimal, so that 3 ticks of 0.1 ms read 0.3, not 0.30000000000000004
        double durationMs = BigDecimal.valueOf(network.dtMs()).multiply(BigDecimal.valueOf(ticks)).doubleValue();
        ObjectNode s = MAPPER.createObjectNode();
        s.put("name", network.name());
        s.put("seed", network.seed());
        s.put("neurons", network.size());
        s.put("synapses", network.synapseCount());
        s.put("ticks", ticks);
        s.put("dt_ms", network.dtMs());
        s.put("duration_ms", durationMs);
        s.put("spikes", checksum.count());
        s.put("synaptic_events", network.totalSynapticEvents());
        ObjectNode rates = s.putObject("rate_hz");
        ObjectNode counts = s.putObject("population_spikes");
        for (Population p : network.populations()) {
            long c = p.index() < populationSpikes.length ? populationSpikes[p.index()] : 0;
            // spikes·1000 / (neurons·ms): one rounding for counts and durations that are exact in decimal
            rates.put(p.name(), p.size() == 0 || durationMs == 0 ? 0.0 : c * 1000.0 / (p.size() * durationMs));
            counts.put(p.name(), c);
        }
        s.put("wall_s", micros(wallS));
        s.put("build_s", micros(buildS));
        s.put("threads", threads);
        s.put("spike_checksum", checksum.hex());
        if (spikesOut != null) {
            s.put("spikes_out", spikesOut.toString());
        }
        return s;
    }

    /** Seconds rounded to microseconds, as a plain decimal. */
    private static BigDecimal micros(double seconds) {
        return BigDecimal.valueOf(Math.round(seconds * 1e6), 6).stripTrailingZeros();
    }

    /** Why {@code file} cannot be created, or {@code null} if it looks fine (checked before the long build). */
    private static String cannotCreate(Path file) {
        if (file == null) {
            return null;
        }
        if (Files.isDirectory(file)) {
            return "it is a directory";
        }
        Path dir = file.toAbsolutePath().getParent();
        if (dir != null && !Files.isDirectory(dir)) {
            return "directory " + dir + " does not exist";
        }
        if (dir != null && !Files.isWritable(dir) && !Files.isWritable(file)) {
            return "permission denied";
        }
        return null;
    }

    private static String describe(IOException e) {
        if (e instanceof NoSuchFileException) {
            return "no such file or directory";
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        return e.getMessage() != null ? e.getMessage() : e.toString();
    }

    private static void closeAll(CsvWriter a, CsvWriter b) {
        try {
            if (a != null) {
                a.close();
            }
        } finally {
            if (b != null) {
                b.close();
            }
        }
    }

    private static void closeQuietly(CsvWriter w) {
        if (w != null) {
            try {
                w.close();
            } catch (UncheckedIOException ignored) {
                // already failing; the first error is the one reported
            }
        }
    }

    /** One line on stderr, {@code neurostream: <problem>}, and the exit code. */
    private static int fail(PrintWriter err, String problem, int code) {
        err.println("neurostream: " + problem);
        err.flush();
        return code;
    }
}
