package io.neurostream.simulator;

import io.neurostream.schemas.Topics;
import io.neurostream.schemas.avro.AppliedInput;
import io.neurostream.schemas.avro.Checkpoint;
import io.neurostream.schemas.avro.Control;
import io.neurostream.schemas.avro.ControlCommand;
import io.neurostream.schemas.avro.ExternalInput;
import io.neurostream.schemas.avro.Frame;
import io.neurostream.schemas.avro.MembraneSample;
import io.neurostream.schemas.avro.Rejected;
import io.neurostream.schemas.avro.SpikeBatch;
import io.neurostream.schemas.avro.Status;
import io.neurostream.schemas.avro.Topology;
import io.neurostream.simulator.internal.HostedNetwork;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The simulator's core ({@link SimulatorCore}, the code the service runs) with no Kafka, driven tick by
 * tick: commands and inputs are handed to it as the service hands it records, and {@link #stepTo}
 * advances a network with a STEP command, exactly as {@code neurostream control ID step N} would. It is
 * what replays a recording offline: SET, RESET, PROBE and the inputs act as they do in the service, because
 * they go through the same code.
 *
 * <p>Time: the wall clock is fake (fixed at {@link #START_MS}); stepping does not depend on it. Spikes go
 * to the listener given, frame by frame, in tick order; journal entries and rejections are kept.
 */
public final class OfflineSimulator implements AutoCloseable {
    /** The fake wall clock, ms since the epoch (2026-01-01T00:00:00Z). */
    public static final long START_MS = 1_767_225_600_000L;
    private static final long NOW_NANOS = 1_000_000_000L;

    private final SimulatorConfig config;
    private final SimulatorCore core;
    private final Consumer<SpikeBatch> spikes;
    private final List<AppliedInput> journal = new ArrayList<>();
    private final List<Rejected> rejected = new ArrayList<>();
    private long controlOffset;
    private long inputOffset;

    /**
     * @param settings simulator settings ({@link SimulatorConfig}); the input queue bounds and tolerances apply
     * @param spikes   receives every SpikeBatch the simulator publishes, in order
     */
    public OfflineSimulator(Map<?, ?> settings, Consumer<SpikeBatch> spikes) {
        this.config = new SimulatorConfig(settings);
        this.spikes = spikes;
        this.core = new SimulatorCore(config, new Output());
    }

    /** Hands a command to the simulator, as if read from the control topic; see {@link #rejected()} for its fate. */
    public void control(Control c) {
        core.onRecord(new Source(config.topicPrefix() + Topics.CONTROL.baseName(), 0, controlOffset++), c.getNetworkId(),
                Topics.CONTROL.valueSerde().encode(c), START_MS, NOW_NANOS);
    }

    /** Hands an input to the simulator, as if read from the external-input topic. */
    public void input(ExternalInput in) {
        core.onRecord(new Source(config.topicPrefix() + Topics.EXTERNAL_INPUT.baseName(), 0, inputOffset++), in.getNetworkId(),
                Topics.EXTERNAL_INPUT.valueSerde().encode(in), START_MS, NOW_NANOS);
    }

    /**
     * Advances a network to {@code tick} (nothing if it is there already) with a STEP command, and computes
     * the ticks.
     *
     * @throws IllegalStateException if the network is not hosted or does not reach the tick (its status says why)
     */
    public void stepTo(String networkId, long tick) {
        long now = tick(networkId);
        if (tick <= now) {
            return;
        }
        control(Control.newBuilder().setNetworkId(networkId).setCommand(ControlCommand.STEP).setSteps(tick - now)
                .setIssuedAtMs(START_MS).build());
        while (core.doWork(NOW_NANOS, START_MS) > 0) {
            // computes frame by frame until the STEP is done
        }
        if (tick(networkId) != tick) {
            HostedNetwork h = core.network(networkId);
            throw new IllegalStateException("network '" + networkId + "' stopped at tick " + tick(networkId) + " of " + tick
                    + (h != null ? " (" + h.state() + ": " + h.message() + ")" : ""));
        }
    }

    /** The network's next tick to compute. */
    public long tick(String networkId) {
        HostedNetwork h = core.network(networkId);
        if (h == null) {
            throw new IllegalStateException("no network '" + networkId + "' is hosted"
                    + (rejected.isEmpty() ? "" : "; last rejection: " + rejected.get(rejected.size() - 1).getReason()));
        }
        return h.tick();
    }

    /** The hosted network, or null. */
    public HostedNetwork network(String networkId) {
        return core.network(networkId);
    }

    /** Every journal entry the simulator wrote, in order (the STEP commands of {@link #stepTo} among them). */
    public List<AppliedInput> journal() {
        return journal;
    }

    /** Every record the simulator rejected, in order. */
    public List<Rejected> rejected() {
        return rejected;
    }

    @Override
    public void close() {
        for (HostedNetwork h : core.networks()) {
            h.network().close();
        }
    }

    private final class Output implements SimulatorOutput {
        @Override
        public void spikes(String networkId, SpikeBatch batch, long timestampMs) {
            spikes.accept(batch);
        }

        @Override
        public void frame(String networkId, Frame frame, long timestampMs) {
        }

        @Override
        public void membrane(String networkId, MembraneSample sample, long timestampMs) {
        }

        @Override
        public void journal(String networkId, AppliedInput applied, long timestampMs) {
            journal.add(AppliedInput.newBuilder(applied).build());
        }

        @Override
        public void topology(String networkId, Topology chunk, long timestampMs) {
        }

        @Override
        public void status(String networkId, Status status, long timestampMs) {
        }

        @Override
        public void rejected(String key, Rejected r, long timestampMs) {
            rejected.add(r);
        }

        @Override
        public void checkpoint(String networkId, Checkpoint chunk, long timestampMs) {
        }

        @Override
        public void retireCheckpoint(String networkId, int chunk, long timestampMs) {
        }
    }
}
