package io.neurostream.ops;

import io.neurostream.engine.spec.SpecException;
import io.neurostream.ingest.NeuroStreamClient;
import io.neurostream.ops.internal.RunRecorder;
import io.neurostream.ops.internal.Settings;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code neurostream record ID --out FILE}: writes a network's current run, from the committed topics, to a
 * recording (docs/recording.md) that {@code inspect} describes and {@code replay} runs again.
 */
@Command(name = "record",
        sortOptions = false,
        description = {
            "Records a network's current run to a file that inspect describes and replay runs again.",
            "It reads the committed topics: the run's journal from its CREATE (every input and command with the "
                    + "tick it acted at) and, with --with-outputs, its spikes and frames, so a run still retained "
                    + "can be recorded after the fact.",
            "Without --duration-s or --until-stopped it stops once it has caught up with the network's newest "
                    + "committed tick; the file is flushed at least once a second while following."},
        footer = {
            "",
            "Examples:",
            "  neurostream record demo --out demo.nsrec --with-outputs",
            "      the run so far, with its output, then stop",
            "  neurostream record demo --out demo.nsrec --duration-s 60",
            "      the run so far, then what comes in the next 60 s of wall time",
            "  neurostream record demo --out demo.nsrec --until-stopped",
            "      until the network is stopped (or created again)",
            "",
            "Prints one line: the run, the ticks recorded and the counts, e.g.",
            "  recorded demo run 12 to demo.nsrec: ticks [0, 20000),",
            "  14 journal entries, 200 frames, 200 spike records",
            "(on one line).",
            "",
            "Exit codes: 0 recorded, 1 no run of ID in the journal, or a Kafka or",
            "file failure, 2 bad usage."})
public final class RecordCommand implements Callable<Integer> {
    @Spec
    CommandSpec command;

    @Mixin
    KafkaOptions kafka;

    @Parameters(index = "0", paramLabel = "ID", description = "The network whose current run to record.")
    String networkId;

    @Option(names = "--out", paramLabel = "FILE", required = true, description = "The recording to write (replaced if it exists).")
    Path out;

    @Option(names = "--with-outputs", description = "Record the run's spikes and frames too (inspect then shows the "
            + "spike_checksum, and replay compares against it).")
    boolean withOutputs;

    @Option(names = "--duration-s", paramLabel = "S",
            description = "After catching up, follow the live run for S seconds of wall time.")
    Double durationS;

    @Option(names = "--until-stopped", description = "After catching up, follow the live run until it is STOPPED.")
    boolean untilStopped;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    boolean help;

    @Override
    public Integer call() {
        PrintWriter stdout = command.commandLine().getOut();
        PrintWriter err = command.commandLine().getErr();
        if (durationS != null && untilStopped) {
            return Main.fail(err, "give --duration-s or --until-stopped, not both", Main.EXIT_USAGE);
        }
        if (durationS != null && !(durationS >= 0 && Double.isFinite(durationS))) {
            return Main.fail(err, "--duration-s must be a finite number of seconds >= 0, got " + durationS, Main.EXIT_USAGE);
        }
        Path dir = out.toAbsolutePath().getParent();
        if (Files.isDirectory(out) || (dir != null && !Files.isDirectory(dir))) {
            return Main.fail(err, "cannot write " + out + ": " + (Files.isDirectory(out) ? "it is a directory"
                    : "directory " + dir + " does not exist"), Main.EXIT_USAGE);
        }
        if (Files.exists(out) && !Files.isDirectory(out) && !Files.isRegularFile(out)) {
            // the writer replaces a file by deleting it: never a device, a pipe or a socket
            return Main.fail(err, "cannot write " + out + ": it exists and is not a regular file", Main.EXIT_USAGE);
        }
        Map<String, Object> settings;
        try {
            settings = Answers.clientSettings(kafka, Answers.DEFAULT_TIMEOUT_S);
        } catch (Settings.SettingsException | IllegalArgumentException e) {
            return Main.fail(err, e.getMessage(), Main.EXIT_USAGE);
        }
        String prefix = (String) settings.get(NeuroStreamClient.TOPIC_PREFIX);
        long until = durationS == null ? Long.MIN_VALUE : System.nanoTime() + (long) (durationS * 1e9);
        RunRecorder recorder = new RunRecorder(kafkaOnly(settings), prefix, networkId, withOutputs, projectVersion());
        try {
            RunRecorder.Result r = recorder.record(out, until, untilStopped);
            stdout.println("recorded " + networkId + " run " + r.runId() + " to " + out + ": ticks [0, " + r.committedTick()
                    + "), " + r.journalEntries() + " journal entries"
                    + (withOutputs ? ", " + r.frames() + " frames, " + r.spikeRecords() + " spike records" : "")
                    + (r.stopped() ? ", stopped" : ""));
            stdout.flush();
            return Main.EXIT_OK;
        } catch (IllegalStateException | SpecException e) {
            return Main.fail(err, e.getMessage(), Main.EXIT_FAILURE);
        } catch (IOException | UncheckedIOException e) {
            return Main.fail(err, "cannot write " + out + ": " + Main.describe(e), Main.EXIT_FAILURE);
        } catch (org.apache.kafka.common.KafkaException e) {
            return Main.fail(err, "Kafka at " + settings.get("bootstrap.servers") + ": " + Main.describe(e), Main.EXIT_FAILURE);
        } finally {
            recorder.close();
        }
    }

    /** The build's version (the project version, as {@code --version} prints it), or "unknown". */
    static String projectVersion() {
        java.util.Properties p = new java.util.Properties();
        try (java.io.InputStream in = Main.class.getResourceAsStream("version.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            return "unknown";
        }
        return p.getProperty("version", "unknown");
    }

    /** The Kafka client keys of the client settings (the NeuroStream ones are no consumer's business). */
    static Map<String, Object> kafkaOnly(Map<String, Object> settings) {
        Map<String, Object> m = new HashMap<>(settings);
        m.remove(NeuroStreamClient.TOPIC_PREFIX);
        m.remove(NeuroStreamClient.ANSWER_TIMEOUT_MS);
        return m;
    }
}
