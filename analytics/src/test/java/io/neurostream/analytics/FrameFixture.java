package io.neurostream.analytics;

import io.neurostream.schemas.avro.AreaFrame;
import io.neurostream.schemas.avro.EClass;
import io.neurostream.schemas.avro.Frame;
import io.neurostream.schemas.avro.RunMode;
import io.neurostream.schemas.avro.RunState;
import io.neurostream.schemas.avro.Status;
import java.util.ArrayList;
import java.util.List;

/**
 * Hand-made frames the way the simulator publishes them: frame k of a run covers simulated ms
 * [k·frameMs, (k+1)·frameMs) and carries record timestamp epoch + k·frameMs.
 */
final class FrameFixture {
    /** A run epoch: a whole second, as the simulator truncates it (2026-01-01T00:00:00Z). */
    static final long EPOCH = 1_767_225_600_000L;

    /** One group of a frame: area, class, spikes, neurons, E input, I input. */
    record Group(String area, EClass cls, int spikes, int neurons, double e, double i) {
    }

    static Group e(String area, int spikes, int neurons, double eIn, double iIn) {
        return new Group(area, EClass.E, spikes, neurons, eIn, iIn);
    }

    static Group i(String area, int spikes, int neurons, double eIn, double iIn) {
        return new Group(area, EClass.I, spikes, neurons, eIn, iIn);
    }

    private final String network;
    private final long epochMs;
    private final int frameMs;

    FrameFixture(String network, long epochMs, int frameMs) {
        this.network = network;
        this.epochMs = epochMs;
        this.frameMs = frameMs;
    }

    String network() {
        return network;
    }

    /** Record timestamp of simulated ms {@code simMs}. */
    long ts(long simMs) {
        return epochMs + simMs;
    }

    int frameMs() {
        return frameMs;
    }

    /** A RUNNING Status of run {@code epochMs} of {@code network} that has reached simulated ms {@code simMs} (dt 1 ms). */
    static Status status(String network, long epochMs, long simMs) {
        return Status.newBuilder().setNetworkId(network).setState(RunState.RUNNING).setMode(RunMode.REALTIME)
                .setTick(simMs).setSimTimeMs(simMs).setDtMs(1.0).setRunEpochMs(epochMs).setSpeed(1.0)
                .setRealtimeFactor(1.0).setUpdatedAtMs(epochMs + simMs).setRejectedCount(0).setStalledMs(0).build();
    }

    /** This run's Status at simulated ms {@code simMs}. */
    Status status(long simMs) {
        return status(network, epochMs, simMs);
    }

    long epochMs() {
        return epochMs;
    }

    /** The frame starting at simulated ms {@code simMs} (a multiple of the frame length), dt = 1 ms. */
    Frame at(long simMs, List<Group> groups) {
        List<AreaFrame> areas = new ArrayList<>();
        for (Group g : groups) {
            areas.add(AreaFrame.newBuilder().setArea(g.area()).setEClass(g.cls()).setSpikes(g.spikes())
                    .setNeurons(g.neurons()).setEInput(g.e()).setIInput(g.i()).setMeanVMv(-60.0).build());
        }
        return Frame.newBuilder().setNetworkId(network).setFrame(simMs / frameMs).setFirstTick(simMs)
                .setTicks(frameMs).setDtMs(1.0).setSimTimeMs(simMs).setAreas(areas).build();
    }
}
