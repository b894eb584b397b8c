package io.neurostream.ops;

import io.neurostream.engine.SpikeChecksum;
import io.neurostream.ingest.recording.Recording;
import io.neurostream.ingest.recording.RecordingException;
import io.neurostream.ingest.recording.RecordingInfo;
import io.neurostream.schemas.SpikeBatches;
import io.neurostream.schemas.avro.AppliedInput;
import io.neurostream.schemas.avro.Control;
import io.neurostream.schemas.avro.ExternalInput;
import io.neurostream.schemas.avro.Frame;
import io.neurostream.schemas.avro.SpikeBatch;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code neurostream inspect FILE}: what a recording holds, without running it. */
@Command(name = "inspect",
        sortOptions = false,
        description = {
            "Describes a recording made by 'neurostream record'.",
            "It prints the metadata, the inputs and commands by kind, the ticks covered and, when the recording "
                    + "holds outputs, the spike count and spike_checksum (the hash 'neurostream run' and 'replay' "
                    + "print)."},
        footer = {
            "",
            "Examples:",
            "  neurostream inspect demo.nsrec",
            "",
            "Exit codes: 0 ok, 1 the file is not a recording this version reads,",
            "or is cut short or corrupted (one line says which and where), 2 bad usage."})
public final class InspectCommand implements Callable<Integer> {
    @Spec
    CommandSpec command;

    @Parameters(index = "0", paramLabel = "FILE", description = "The recording.")
    Path file;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    boolean help;

    @Override
    public Integer call() {
        PrintWriter out = command.commandLine().getOut();
        PrintWriter err = command.commandLine().getErr();
        Recording recording;
        Recording.Contents c;
        Outputs outputs = new Outputs();
        try {
            recording = Recording.open(file);
            c = recording.readJournal(outputs);
        } catch (RecordingException e) {
            return Main.fail(err, e.getMessage(), Main.EXIT_FAILURE);
        }
        RecordingInfo info = recording.info();
        Map<String, Integer> inputs = new TreeMap<>();
        Map<String, Integer> commands = new TreeMap<>();
        long firstInput = Long.MAX_VALUE;
        long lastInput = Long.MIN_VALUE;
        int deferred = 0;
        for (AppliedInput a : c.journal()) {
            if (a.getTick() < 0) {
                deferred++;
            } else if (a.getPayload() instanceof ExternalInput in) {
                inputs.merge(in.getKind().name(), 1, Integer::sum);
                firstInput = Math.min(firstInput, a.getTick());
                lastInput = Math.max(lastInput, a.getTick());
            } else {
                commands.merge(((Control) a.getPayload()).getCommand().name(), 1, Integer::sum);
            }
        }
        out.println("file:        " + file);
        out.println("format:      " + info.formatVersion() + " (written by neurostream " + info.writerVersion() + " at "
                + info.createdAt() + ")");
        out.println("network:     " + info.networkId() + ", run " + info.runId() + ", seed " + info.seed() + ", dt_ms "
                + info.dtMs());
        out.println("ticks:       [0, " + c.committedTick() + ") = " + ms(c.committedTick(), info.dtMs()) + " ms"
                + (c.complete() ? "" : " (no final mark: the recorder was cut short; whole up to here)"));
        out.println("records:     " + c.records() + " in " + c.blocks() + " blocks");
        out.println("journal:     " + c.journal().size() + " entries" + (deferred > 0 ? " (" + deferred
                + " notes about records that waited for a build)" : ""));
        out.println("inputs:      " + (inputs.isEmpty() ? "none" : kinds(inputs) + ", ticks " + firstInput + " to " + lastInput));
        out.println("commands:    " + (commands.isEmpty() ? "none" : kinds(commands)));
        if (outputs.frames == 0 && outputs.spikeRecords == 0) {
            out.println("outputs:     none (recorded without --with-outputs)");
        } else {
            out.println("outputs:     " + outputs.frames + " frames, " + outputs.spikeRecords + " spike records");
            out.println("spikes:      " + outputs.sum.count());
            out.println("spike_checksum: " + outputs.sum.hex());
        }
        out.flush();
        return Main.EXIT_OK;
    }

    /**
     * A recording's outputs counted as they are read, and the checksum of its spikes in the order they were
     * published: a long recording's outputs do not fit in memory.
     */
    static final class Outputs implements Recording.Outputs {
        final SpikeChecksum sum = new SpikeChecksum();
        long frames;
        long spikeRecords;

        @Override
        public void spikes(SpikeBatch b) {
            spikeRecords++;
            int[] ids = SpikeBatches.neuronIds(b);
            int[] offs = SpikeBatches.tickOffsets(b);
            for (int i = 0; i < ids.length; i++) {
                sum.add(b.getFirstTick() + offs[i], ids[i]);
            }
        }

        @Override
        public void frame(Frame f) {
            frames++;
        }
    }

    private static String kinds(Map<String, Integer> m) {
        StringBuilder b = new StringBuilder();
        m.forEach((k, v) -> b.append(b.length() == 0 ? "" : ", ").append(k).append(' ').append(v));
        return b.toString();
    }

    /** ticks x dt in decimal (400 x 0.1 = 40, not 40.00000000000001). */
    static String ms(long ticks, double dtMs) {
        return java.math.BigDecimal.valueOf(dtMs).multiply(java.math.BigDecimal.valueOf(ticks)).stripTrailingZeros()
                .toPlainString();
    }
}
