package io.neurostream.ops.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.neurostream.engine.SpikeChecksum;
import io.neurostream.schemas.SpikeBatches;
import io.neurostream.schemas.Topics;
import io.neurostream.schemas.avro.AppliedInput;
import io.neurostream.schemas.avro.ExternalInput;
import io.neurostream.schemas.avro.Frame;
import io.neurostream.schemas.avro.SpikeBatch;
import io.neurostream.schemas.avro.Status;
import io.neurostream.simulator.Commands;
import io.neurostream.simulator.SimulatorTestDriver;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An uninterrupted run of the same spec and inputs through {@link SimulatorTestDriver} (no Kafka, no
 * faults), and the comparison of what a faulty run committed against it: every frame index exactly once
 * and in order, the committed {@code Frame} records equal to the reference's (every field, doubles bit
 * for bit), their timestamps the same offsets from the run epoch, and the same spike checksum
 * ({@link SpikeChecksum} over (tick, neuron)).
 */
final class Reference {
    final String networkId;
    final long ticks;
    final List<Frame> frames;
    final List<Long> frameOffsetsMs;
    final String checksum;
    final long spikes;
    final List<ExternalInput> inputs;

    private Reference(String networkId, long ticks, List<Frame> frames, List<Long> frameOffsetsMs, String checksum,
            long spikes, List<ExternalInput> inputs) {
        this.inputs = List.copyOf(inputs);
        this.networkId = networkId;
        this.ticks = ticks;
        this.frames = frames;
        this.frameOffsetsMs = frameOffsetsMs;
        this.checksum = checksum;
        this.spikes = spikes;
    }

    /** CREATE, the inputs, STEP {@code ticks}: the uninterrupted run. */
    static Reference run(String specJson, String networkId, List<ExternalInput> inputs, long ticks) {
        return run(new SimulatorTestDriver(), specJson, networkId, inputs, ticks);
    }

    /**
     * {@link #run(String, String, List, long)} under simulator settings other than the defaults, as the run
     * compared with it had them (e.g. a raised {@code simulator.input.max.abs.value}).
     */
    static Reference run(String specJson, String networkId, List<ExternalInput> inputs, long ticks,
            Map<String, String> settings) {
        return run(new SimulatorTestDriver(settings), specJson, networkId, inputs, ticks);
    }

    private static Reference run(SimulatorTestDriver driver, String specJson, String networkId,
            List<ExternalInput> inputs, long ticks) {
        try (SimulatorTestDriver d = driver) {
            d.pipeControl(Commands.create(networkId, specJson));
            for (ExternalInput in : inputs) {
                d.pipeInput(in);
            }
            d.pipeControl(Commands.step(networkId, ticks));
            d.runUntilIdle();
            long epoch = d.status(networkId).getRunEpochMs();
            List<Long> offsets = new ArrayList<>();
            for (long ts : d.frameTimestamps()) {
                offsets.add(ts - epoch);
            }
            assertThat(d.rejected()).as("the reference rejects nothing").isEmpty();
            return new Reference(networkId, ticks, List.copyOf(d.frames()), offsets, d.spikeChecksum(networkId),
                    d.spikeList(networkId).size(), inputs);
        }
    }

    /** What one faulty run committed for one network, checked against this reference. */
    record Outcome(int framesCommitted, int framesCompared, String checksum, long spikes, int journalEntries,
            int inputsJournaled) {
    }

    /**
     * Checks the committed output of the network against this reference over the reference's ticks; the
     * committed run may go on beyond them (that part is checked for gaps and duplicates only).
     */
    Outcome verify(CommittedLog log) {
        // the journal: one entry per sequence number, each input applied at the tick it asked for
        List<AppliedInput> journal = log.values(Topics.JOURNAL, networkId);
        Set<Long> inputOffsets = new HashSet<>();
        int inputCount = 0;
        for (int i = 0; i < journal.size(); i++) {
            AppliedInput a = journal.get(i);
            assertThat(a.getSequence()).as("journal entry #%d of %s: sequence numbers without gap or duplicate", i,
                    networkId).isEqualTo(i);
            if (a.getTick() < 0) {
                continue; // a record that waited for a build (tick -1) or was rejected after it (-2): not applied here
            }
            if (a.getPayload() instanceof ExternalInput in) {
                inputCount++;
                assertThat(inputOffsets.add(a.getSourceOffset())).as("input at offset %d journaled once",
                        a.getSourceOffset()).isTrue();
                assertThat(a.getTick()).as("input at offset %d applied at its own tick; a later one means it arrived "
                        + "after the network had computed that tick (the test's feed must lead the network)",
                        a.getSourceOffset()).isEqualTo(in.getTick());
            }
        }
        List<CommittedLog.Entry<Frame>> frameEntries = log.entries(Topics.FRAMES).stream()
                .filter(e -> networkId.equals(e.key())).toList();
        List<Frame> committed = frameEntries.stream().map(CommittedLog.Entry::value).toList();
        for (int i = 0; i < committed.size(); i++) {
            assertThat(committed.get(i).getFrame()).as("committed frame #%d of %s: every frame index once, in order "
                    + "(a gap or a duplicate otherwise)", i, networkId).isEqualTo(i);
        }
        int n = frames.size();
        assertThat(committed).as("committed frames of %s", networkId).hasSizeGreaterThanOrEqualTo(n);
        for (int i = 0; i < n; i++) {
            if (!committed.get(i).equals(frames.get(i))) {
                long until = frames.get(i).getFirstTick() + frames.get(i).getTicks();
                StringBuilder why = new StringBuilder();
                for (AppliedInput a : log.values(Topics.JOURNAL, networkId)) {
                    if (a.getTick() < until) {
                        why.append("\n  journaled: seq ").append(a.getSequence()).append(" tick ").append(a.getTick())
                                .append(" from ").append(a.getSourceTopic()).append('@').append(a.getSourceOffset())
                                .append(a.getPayload() instanceof ExternalInput in ? " input for tick " + in.getTick()
                                        : " " + ((io.neurostream.schemas.avro.Control) a.getPayload()).getCommand());
                    }
                }
                for (ExternalInput in : this.inputs) {
                    if (in.getTick() < until) {
                        why.append("\n  reference input: tick ").append(in.getTick()).append(" current ")
                                .append(in.getCurrent()).append(" for ").append(in.getDurationTicks());
                    }
                }
                for (io.neurostream.schemas.avro.Rejected r : log.values(Topics.REJECTED, networkId)) {
                    why.append("\n  rejected: ").append(r.getSourceTopic()).append('@').append(r.getSourceOffset())
                            .append(' ').append(r.getReasonCode()).append(": ").append(r.getReason());
                }
                throw new AssertionError("frame " + i + " of " + networkId + " differs from the uninterrupted run:\n"
                        + "  committed: " + committed.get(i) + "\n  reference: " + frames.get(i) + why);
            }
        }
        assertThat(log.values(Topics.REJECTED, networkId)).as("records of %s rejected", networkId).isEmpty();
        List<Status> statuses = log.values(Topics.STATUS, networkId);
        assertThat(statuses).as("committed statuses of %s", networkId).isNotEmpty();
        long epoch = statuses.get(0).getRunEpochMs();
        assertThat(statuses).as("one run epoch across every owner").allMatch(s -> s.getRunEpochMs() == epoch);
        for (int i = 0; i < n; i++) {
            assertThat(frameEntries.get(i).timestamp() - epoch).as("timestamp of frame %d of %s, from the run epoch", i,
                    networkId).isEqualTo(frameOffsetsMs.get(i));
        }

        List<SpikeBatch> batches = log.values(Topics.SPIKES, networkId);
        for (int i = 0; i < batches.size(); i++) {
            assertThat(batches.get(i).getFrame()).as("committed spike batch #%d of %s: every frame once, in order", i,
                    networkId).isEqualTo(i);
        }
        assertThat(batches).hasSizeGreaterThanOrEqualTo(n);
        SpikeChecksum c = new SpikeChecksum();
        long count = 0;
        for (SpikeBatch b : batches.subList(0, n)) {
            int[] ids = SpikeBatches.neuronIds(b);
            int[] offs = SpikeBatches.tickOffsets(b);
            for (int k = 0; k < ids.length; k++) {
                c.add(b.getFirstTick() + offs[k], ids[k]);
                count++;
            }
        }
        assertThat(c.hex()).as("spike checksum of %s over %d ticks (%d spikes committed, %d in the reference)",
                networkId, ticks, count, spikes).isEqualTo(checksum);

        return new Outcome(committed.size(), n, c.hex(), count, journal.size(), inputCount);
    }

    /** Index of the newest committed frame of a network read so far (-1: none). */
    static long newestFrame(CommittedLog log, String networkId) {
        long max = -1;
        for (CommittedLog.Entry<Frame> e : log.entries(Topics.FRAMES)) {
            if (networkId.equals(e.key())) {
                max = Math.max(max, e.value().getFrame());
            }
        }
        return max;
    }

    /** When the first committed frame after {@code frame} arrived (System.nanoTime), or -1 if none yet. */
    static long arrivalOfFrameAfter(CommittedLog log, String networkId, long frame) {
        for (CommittedLog.Entry<Frame> e : log.entries(Topics.FRAMES)) {
            if (networkId.equals(e.key()) && e.value().getFrame() > frame) {
                return e.arrivalNanos();
            }
        }
        return -1;
    }

    /** The highest tick of the network's committed statuses (-1: none). */
    static long committedTick(CommittedLog log, String networkId) {
        long max = -1;
        for (CommittedLog.Entry<Status> e : log.entries(Topics.STATUS)) {
            if (networkId.equals(e.key())) {
                max = Math.max(max, e.value().getTick());
            }
        }
        return max;
    }
}
