package io.neurostream.simulator.internal;

import io.neurostream.engine.Area;
import io.neurostream.engine.Input;
import io.neurostream.engine.Network;
import io.neurostream.engine.Population;
import io.neurostream.engine.spec.Dist;
import io.neurostream.engine.spec.NetworkSpec;
import io.neurostream.schemas.avro.AppliedInput;
import io.neurostream.schemas.avro.Control;
import io.neurostream.schemas.avro.Coordinate;
import io.neurostream.schemas.avro.ExternalInput;
import io.neurostream.schemas.avro.RunMode;
import io.neurostream.schemas.avro.RunState;
import io.neurostream.schemas.avro.Target;
import io.neurostream.simulator.RejectReason;
import io.neurostream.simulator.SimulatorConfig;
import io.neurostream.simulator.SimulatorOutput;
import io.neurostream.simulator.Source;
import java.util.Arrays;
import java.util.List;

/**
 * The checks an external input passes before it is queued for its tick, in one place: its duration and
 * tick, its values (finite, within {@code simulator.input.max.abs.value}), its target (a population,
 * area, neuron list, coordinates or sense of this network), its size against the queue's and the
 * record limit's bounds. A failed check throws a {@link Rejection} that names what is wrong.
 */
public final class InputCheck {
    private InputCheck() {
    }

    /**
     * Validates an input and queues it for its tick, or throws a {@link Rejection}.
     *
     * @param rawBytes       the encoded size of the input record
     * @param maxRecordBytes the largest record the simulator writes: the input's journal entry must fit it
     */
    public static void accept(HostedNetwork h, ExternalInput in, Source src, int rawBytes, int maxRecordBytes,
            SimulatorConfig config, SimulatorOutput out) {
        if (h.state == RunState.STOPPED) {
            throw h.wrongState("an input", "the network is stopped");
        }
        if (h.pending.size() >= config.inputQueueMaxCount() || h.pendingBytes + rawBytes > config.inputQueueMaxBytes()) {
            throw queueFull(h, config);
        }        Network net = h.net;
        long now = net.tick();
        int duration = in.getDurationTicks();
        if (duration < 1 || duration > HostedNetwork.MAX_TICKS) {
            throw new Rejection(RejectReason.BAD_DURATION, "duration_ticks must be between 1 and " + HostedNetwork.MAX_TICKS + ", got " + duration);
        }
        long tick;
        if (in.getTick() == null) {
            tick = now;
        } else {
            long t = in.getTick();
            long tolerance = Math.round(config.lateToleranceMs() / net.dtMs());
            if (t < 0 || t < now - tolerance) {
                throw new Rejection(RejectReason.TICK_IN_PAST, "tick " + t + " is in the past: network '" + h.id + "' is at tick "
                        + now + " and applies late inputs only up to " + tolerance + " ticks (" + config.lateToleranceMs()
                        + " ms) late");
            }
            long ahead = Math.round(config.maxAheadMs() / net.dtMs());
            if (t > now + ahead) {
                throw new Rejection(RejectReason.TICK_TOO_FAR, "tick " + t + " is more than " + ahead + " ticks ("
                        + config.maxAheadMs() + " ms) ahead of the network's tick " + now);
            }
            tick = Math.max(t, now);
        }
        if (!Double.isFinite(in.getScale())) {
            throw new Rejection(RejectReason.NON_FINITE, "scale must be finite, got " + in.getScale());
        }
        Input input = toEngineInput(h, in, config, tick);
        AppliedInput journal = AppliedInput.newBuilder().setNetworkId(h.id).setSequence(-1).setTick(tick)
                .setSourceTopic(src.topic()).setSourcePartition(src.partition()).setSourceOffset(src.offset())
                .setPayload(in).build();
        // the journal entry wraps the input: a network id, a topic and a few numbers more than it
        long journalBytesAtMost = rawBytes + 2L * (5 + 4L * h.id.length()) + 5 + 4L * src.topic().length() + 64;
        if (journalBytesAtMost > maxRecordBytes) {
            int exact = io.neurostream.schemas.Topics.JOURNAL.valueSerde().encode(journal).length + h.id.length()
                    + RECORD_OVERHEAD_BYTES;
            if (exact > maxRecordBytes) {
                throw new Rejection(RejectReason.OVERSIZED, "the input is " + rawBytes + " bytes; its journal entry would be "
                        + exact + " bytes, over the largest record the simulator writes (" + maxRecordBytes
                        + " bytes); send smaller inputs (split a matrix, or lower its resolution)");
            }
        }
        // journaled now, with the tick it will act on: the journal then holds every input whose offset
        // is committed, including those still waiting for their tick
        h.journal(journal, tick, out);
        // what a waiting input holds is its engine form: a population target is every neuron id of it
        long bytes = Math.max(rawBytes, input.heapBytes());
        if (h.pendingBytes + bytes > config.inputQueueMaxBytes()) {
            throw queueFull(h, config);
        }
        h.pending.add(new HostedNetwork.Pending(tick, h.arrivals++, input, journal, bytes));
        h.pendingBytes += bytes;
        if (in.getTick() != null && in.getTick() < tick && out != SimulatorOutput.DISCARD) {
            h.meters().late(); // arrived after its tick: applied at the first tick not yet computed
        }
    }

    private static Rejection queueFull(HostedNetwork h, SimulatorConfig config) {
        return new Rejection(RejectReason.QUEUE_FULL, "network '" + h.id + "' already holds " + h.pending.size()
                + " inputs (" + h.pendingBytes + " bytes, as targets expanded to neurons) waiting for their tick; at most "
                + config.inputQueueMaxCount() + " inputs and " + config.inputQueueMaxBytes() + " bytes wait ("
                + SimulatorConfig.INPUT_QUEUE_MAX_COUNT + ", " + SimulatorConfig.INPUT_QUEUE_MAX_BYTES + ")");
    }

    /** Kafka's overhead per record beyond key and value, at most (record batch header and record framing). */
    public static final int RECORD_OVERHEAD_BYTES = 128;

    /** Throws OUT_OF_RANGE unless {@code |value| <= simulator.input.max.abs.value}. */
    static void inRange(String what, double value, SimulatorConfig config) {
        if (Math.abs(value) > config.maxAbsValue()) {
            throw new Rejection(RejectReason.OUT_OF_RANGE, what + " is " + value + "; values beyond +/-" + config.maxAbsValue()
                    + " are not physical (" + SimulatorConfig.MAX_ABS_VALUE + ")");
        }
    }

    /** Queues again an input that was accepted before a checkpoint and had not reached its tick. */
    public static void requeue(HostedNetwork h, AppliedInput journal, long tick, long arrival, SimulatorConfig config) {
        ExternalInput in = ExternalInput.newBuilder((ExternalInput) journal.getPayload()).setTick(tick).build();
        Input input = toEngineInput(h, in, config, tick);
        long bytes = Math.max(io.neurostream.schemas.Topics.EXTERNAL_INPUT.valueSerde().encode(in).length, input.heapBytes());
        h.pending.add(new HostedNetwork.Pending(tick, arrival, input, journal, bytes));
        h.pendingBytes += bytes;
    }

    /** The engine input an external input means, from {@code tick} for its duration; or a {@link Rejection}. */
    static Input toEngineInput(HostedNetwork h, ExternalInput in, SimulatorConfig config, long tick) {
        long to = tick + in.getDurationTicks();
        switch (in.getKind()) {
            case CURRENT: {
                if (in.getCurrent() == null) {
                    throw new Rejection(RejectReason.BAD_COMMAND, "a CURRENT input needs current");
                }
                double current = in.getCurrent() * in.getScale();
                if (!Double.isFinite(current)) {
                    throw new Rejection(RejectReason.NON_FINITE, "current must be finite, got " + in.getCurrent());
                }
                inRange("current x scale", current, config);
                return Input.current(targets(h, in.getTarget(), config), Dist.constant(current), tick, to);
            }
            case POISSON: {
                Double rate = in.getRateHz();
                if (rate == null || !Double.isFinite(rate) || !Double.isFinite(in.getWeight())) {
                    throw new Rejection(rate == null ? RejectReason.BAD_COMMAND : RejectReason.NON_FINITE,
                            "a POISSON input needs finite rate_hz and weight, got " + rate + " and " + in.getWeight());
                }
                if (rate < 0 || rate > 1e5 || in.getWeight() < 0) {
                    throw new Rejection(RejectReason.BAD_DURATION, "rate_hz must be in [0, 100000] and weight >= 0 (a magnitude), got "
                            + rate + " and " + in.getWeight());
                }
                double weight = in.getWeight() * in.getScale();
                if (!Double.isFinite(weight) || weight < 0) {
                    throw new Rejection(RejectReason.NON_FINITE, "weight x scale must be a finite magnitude, got "
                            + in.getWeight() + " x " + in.getScale() + " = " + weight);
                }
                inRange("weight x scale", weight, config);
                return Input.poisson(targets(h, in.getTarget(), config), rate, weight, tick, to);
            }
            case MATRIX:
                return matrix(h, in, config, tick, to);
            default:
                throw new Rejection(RejectReason.BAD_COMMAND, "unknown input kind " + in.getKind()
                        + " (a newer producer?); kinds: CURRENT, POISSON, MATRIX");
        }
    }

    private static Input matrix(HostedNetwork h, ExternalInput in, SimulatorConfig config, long tick, long to) {
        Target t = in.getTarget();
        if (t == null || t.getSense() == null) {
            throw new Rejection(RejectReason.BAD_TARGET, "a MATRIX input targets a sense (target.sense and target.z_layer)");
        }
        if (in.getMatrixRows() == null || in.getMatrixCols() == null || in.getMatrixValues() == null) {
            throw new Rejection(RejectReason.BAD_SHAPE, "a MATRIX input needs matrix_rows, matrix_cols and matrix_values");
        }
        int rows = in.getMatrixRows();
        int cols = in.getMatrixCols();
        if (rows < 1 || cols < 1) {
            throw new Rejection(RejectReason.BAD_SHAPE, "matrix shape must be at least 1x1, got " + rows + "x" + cols);
        }
        if ((long) rows * cols > config.maxMatrixValues()) {
            throw new Rejection(RejectReason.OVERSIZED, "matrix of " + rows + "x" + cols + " values; at most "
                    + config.maxMatrixValues() + " are accepted");
        }
        if (in.getMatrixValues().remaining() != 4L * rows * cols) {
            throw new Rejection(RejectReason.BAD_SHAPE, "matrix " + rows + "x" + cols + " needs " + 4L * rows * cols
                    + " bytes of float32 values, got " + in.getMatrixValues().remaining());
        }
        NetworkSpec.SenseSpec sense = h.spec.senses().get(t.getSense());
        if (sense == null) {
            throw new Rejection(RejectReason.UNKNOWN_SENSE, "network '" + h.id + "' has no sense '" + t.getSense() + "'; senses: "
                    + String.join(", ", h.spec.senses().keySet()));
        }
        Area area = h.net.area(sense.area());
        int ax = area.hi()[0] - area.lo()[0] + 1;
        int ay = area.hi()[1] - area.lo()[1] + 1;
        int depth = area.hi()[2] - area.lo()[2] + 1;
        if (rows > ax || cols > ay) {
            throw new Rejection(RejectReason.BAD_SHAPE, "matrix " + rows + "x" + cols + " does not fit sense '" + t.getSense()
                    + "' (area " + area.name() + " is " + ax + "x" + ay + " on x, y)");
        }
        int z = t.getZLayer() == null ? 0 : t.getZLayer();
        if (z < 0 || z >= depth) {
            throw new Rejection(RejectReason.OFF_LATTICE, "z_layer " + z + " is outside sense '" + t.getSense() + "' (0.."
                    + (depth - 1) + ")");
        }
        float[] values = io.neurostream.schemas.Matrices.unpack(in);
        double[][] m = new double[rows][cols];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                float f = values[i * cols + j];
                if (!Float.isFinite(f)) {
                    throw new Rejection(RejectReason.NON_FINITE, "matrix value [" + i + "][" + j + "] is " + f);
                }
                if (!Double.isFinite(f * in.getScale())) {
                    throw new Rejection(RejectReason.NON_FINITE, "matrix value [" + i + "][" + j + "] x scale is not finite: "
                            + f + " x " + in.getScale());
                }
                if (Math.abs(f * in.getScale()) > config.maxAbsValue()) {
                    inRange("matrix value [" + i + "][" + j + "] x scale", f * in.getScale(), config);
                }
                m[i][j] = f;
            }
        }
        return h.net.senseInput(t.getSense(), z, m, in.getScale(), tick, to);
    }

    private static int[] targets(HostedNetwork h, Target t, SimulatorConfig config) {
        if (t == null) {
            throw new Rejection(RejectReason.BAD_TARGET, "the input has no target");
        }
        int set = (t.getPopulations() != null ? 1 : 0) + (t.getArea() != null ? 1 : 0) + (t.getNeurons() != null ? 1 : 0)
                + (t.getCoordinates() != null ? 1 : 0) + (t.getSense() != null ? 1 : 0);
        if (set != 1) {
            throw new Rejection(RejectReason.BAD_TARGET, "the target must name exactly one of populations, area, neurons, "
                    + "coordinates (sense only with MATRIX), got " + set);
        }
        Network net = h.net;
        if (t.getSense() != null) {
            throw new Rejection(RejectReason.BAD_TARGET, "a sense target takes a MATRIX input");
        }
        String empty = t.getPopulations() != null && t.getPopulations().isEmpty() ? "populations"
                : t.getNeurons() != null && t.getNeurons().isEmpty() ? "neurons"
                : t.getCoordinates() != null && t.getCoordinates().isEmpty() ? "coordinates" : null;
        if (empty != null) {
            throw new Rejection(RejectReason.BAD_TARGET, "target." + empty + " is an empty list: the input would reach no neuron");
        }
        if (t.getPopulations() != null) {
            int total = 0;
            for (String p : t.getPopulations()) {
                total += h.population(p).size();
            }
            int[] ids = new int[total];
            int m = 0;
            for (String p : t.getPopulations()) {
                Population pop = h.population(p);
                for (int i = pop.start(); i < pop.end(); i++) {
                    ids[m++] = i;
                }
            }
            return ids;
        }
        if (t.getArea() != null) {
            for (Area a : net.areas()) {
                if (a.name().equals(t.getArea())) {
                    return net.neuronsInArea(a.name());
                }
            }
            throw new Rejection(RejectReason.UNKNOWN_AREA, "network '" + h.id + "' has no area '" + t.getArea() + "'");
        }
        if (t.getNeurons() != null) {
            List<Integer> ns = t.getNeurons();
            if (ns.size() > config.maxInputNeurons()) {
                throw new Rejection(RejectReason.OVERSIZED, "at most " + config.maxInputNeurons() + " neurons per input, got " + ns.size());
            }
            int[] ids = new int[ns.size()];
            for (int i = 0; i < ids.length; i++) {
                int id = ns.get(i);
                if (id < 0 || id >= net.size()) {
                    throw new Rejection(RejectReason.UNKNOWN_NEURON, "no neuron " + id + " in network '" + h.id + "' (ids 0.."
                            + (net.size() - 1) + ")");
                }
                ids[i] = id;
            }
            return ids;
        }
        List<Coordinate> cs = t.getCoordinates();
        if (cs.size() > config.maxInputNeurons()) {
            throw new Rejection(RejectReason.OVERSIZED, "at most " + config.maxInputNeurons() + " coordinates per input, got " + cs.size());
        }
        int[] ids = new int[cs.size()];
        int[] lattice = net.lattice();
        for (int i = 0; i < ids.length; i++) {
            Coordinate c = cs.get(i);
            int[] xyzw = {c.getX(), c.getY(), c.getZ(), c.getW()};
            for (int d = 0; d < 4; d++) {
                if (xyzw[d] < 0 || xyzw[d] >= lattice[d]) {
                    throw new Rejection(RejectReason.OFF_LATTICE, "coordinate " + Arrays.toString(xyzw) + " is off the lattice "
                            + Arrays.toString(lattice));
                }
            }
            ids[i] = net.neuronAt(xyzw[0], xyzw[1], xyzw[2], xyzw[3]);
            if (ids[i] < 0) {
                throw new Rejection(RejectReason.OFF_LATTICE, "no neuron at " + Arrays.toString(xyzw) + " in network '" + h.id + "'");
            }
        }
        return ids;
    }

    // ------------------------------------------------------------------ pacing
}
