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
import io.neurostream.simulator.SimulatorCore.Rejection;
import io.neurostream.simulator.SimulatorOutput;
import io.neurostream.simulator.Source;
import java.util.Arrays;
import java.util.List;

/** What the simulator core does to one hosted network: commands, inputs, pacing. */
public final class Hosting {
    /** Longest input duration, STEP or probe interval accepted, in ticks. */
    static final long MAX_TICKS = 1_000_000_000L;
    private static final List<String> VARIABLES = List.of("v", "u", "ge", "gi");

    private Hosting() {
    }

    public static HostedNetwork create(String id, String specJson, NetworkSpec spec, Network net, long epochMs,
            double frameMs) {
        return new HostedNetwork(id, specJson, spec, net, epochMs, frameMs);
    }

    public static void countRejected(HostedNetwork h) {
        h.rejectedCount++;
    }

    // ------------------------------------------------------------------ control

    /** Applies a command other than CREATE, or throws a {@link Rejection} that says why not. */
    public static void control(HostedNetwork h, Control c, SimulatorConfig config, long nowMs, long nowNanos) {
        switch (c.getCommand()) {
            case START:
                if (h.state != RunState.CREATED) {
                    throw wrongState(h, "START", "a network starts once; use RESUME after PAUSE");
                }
                if (c.getSpeed() != null) {
                    setSpeed(h, c.getSpeed());
                }
                h.state = RunState.RUNNING;
                anchor(h, nowNanos);
                break;
            case PAUSE:
                if (h.state != RunState.RUNNING) {
                    throw wrongState(h, "PAUSE", "only a running network pauses");
                }
                h.state = RunState.PAUSED;
                break;
            case RESUME:
                if (h.state != RunState.PAUSED) {
                    throw wrongState(h, "RESUME", "only a paused network resumes");
                }
                h.state = RunState.RUNNING;
                if (h.mode == RunMode.STEPPED) {
                    h.mode = h.speed == 0.0 ? RunMode.MAX : RunMode.REALTIME;
                }
                h.stepBudget = 0;
                anchor(h, nowNanos);
                break;
            case STEP: {
                if (h.state != RunState.PAUSED && h.state != RunState.CREATED) {
                    throw wrongState(h, "STEP", "step a network that is created or paused (PAUSE it first)");
                }
                Long steps = c.getSteps();
                if (steps == null) {
                    throw new Rejection(RejectReason.BAD_COMMAND, "STEP needs steps (ticks to compute)");
                }
                if (steps < 1 || steps > MAX_TICKS) {
                    throw new Rejection(RejectReason.BAD_DURATION, "STEP needs steps between 1 and " + MAX_TICKS
                            + " (ticks), got " + steps);
                }
                if (h.state == RunState.CREATED) {
                    h.state = RunState.PAUSED;
                }
                h.stepBudget += steps;
                h.mode = RunMode.STEPPED;
                break;
            }
            case SPEED:
                if (c.getSpeed() == null) {
                    throw new Rejection(RejectReason.BAD_COMMAND, "SPEED needs speed (0 = as fast as possible)");
                }
                setSpeed(h, c.getSpeed());
                anchor(h, nowNanos);
                break;
            case RESET: {
                // on the caller's thread (journal replay); live, SimulatorCore builds it off the loop
                java.util.concurrent.FutureTask<Network> build = new java.util.concurrent.FutureTask<>(() -> Network.build(h.spec));
                h.beginRebuild(build, nowMs - Math.floorMod(nowMs, 1000L));
                build.run();
                try {
                    h.endRebuild();
                } catch (java.util.concurrent.ExecutionException | InterruptedException e) {
                    throw new IllegalStateException("RESET could not rebuild network '" + h.id + "': " + e.getCause(), e);
                }
                break;
            }
            case PROBE:
                probe(h, c, config);
                break;
            case SET: {
                if (c.getSetPopulation() == null || c.getSetParameter() == null || c.getSetValue() == null) {
                    throw new Rejection(RejectReason.BAD_COMMAND, "SET needs set_population, set_parameter and set_value");
                }
                if (!Double.isFinite(c.getSetValue())) {
                    throw new Rejection(RejectReason.NON_FINITE, "set_value must be finite, got " + c.getSetValue());
                }
                inRange("set_value", c.getSetValue(), config);
                population(h, c.getSetPopulation());
                try {
                    h.net.setParameter(c.getSetPopulation(), c.getSetParameter(), c.getSetValue());
                } catch (IllegalArgumentException e) {
                    boolean unknown = String.valueOf(e.getMessage()).contains("has no settable parameter");
                    throw new Rejection(unknown ? RejectReason.UNKNOWN_PARAMETER : RejectReason.BAD_DURATION, e.getMessage());
                }
                break;
            }
            case CHECKPOINT:
                h.checkpointRequested = true;
                break;
            case STOP:
                h.state = RunState.STOPPED;
                break;
            default:
                throw new Rejection(RejectReason.BAD_COMMAND, "unknown command " + c.getCommand());
        }
    }

    private static Rejection wrongState(HostedNetwork h, String command, String hint) {
        return new Rejection(RejectReason.WRONG_STATE, command + " is not allowed while network '" + h.id + "' is "
                + h.state + (h.mode == RunMode.STEPPED && h.state == RunState.PAUSED ? " (stepping)" : "") + ": " + hint);
    }

    private static void setSpeed(HostedNetwork h, double speed) {
        if (!(speed >= 0.0) || speed > 1e6 || Double.isNaN(speed)) {
            throw new Rejection(speed != speed || Double.isInfinite(speed) ? RejectReason.NON_FINITE : RejectReason.BAD_DURATION,
                    "speed must be 0 (as fast as possible) or a factor of real time in (0, 1e6], got " + speed);
        }
        h.speed = speed;
        if (h.mode != RunMode.STEPPED) {
            h.mode = speed == 0.0 ? RunMode.MAX : RunMode.REALTIME;
        }
    }

    /**
     * Computes up to {@code tick} without publishing (replay): as the network's state allows ticks to be
     * computed then — running, or paused with steps left (which the ticks use up).
     */
    public static void computeSilently(HostedNetwork h, long tick) {
        while (h.net.tick() < tick && h.state != RunState.NUMERIC_FAULT && h.state != RunState.FAILED) {
            int n = (int) Math.min(tick - h.net.tick(), h.ticksToFrameEnd());
            if (h.state == RunState.PAUSED) {
                h.stepBudget = Math.max(0, h.stepBudget - n);
            }
            try {
                h.compute(n, h.net.tick() + n == tick, SimulatorOutput.DISCARD);
            } catch (HostedNetwork.NumericFault e) {
                // recomputing what faulted before faults again, at the same tick: the network is restored as it ended
                fail(h, e);
            }
        }
    }

    public static long nextArrival(HostedNetwork h) {
        return h.arrivals++;
    }

    /** Sets the sequence number the next journal entry of this network gets. */
    public static void journalPosition(HostedNetwork h, long next) {
        h.journalSequence = next;
    }

    /** Marks a network FAILED after an error inside it; it computes no more. */
    public static void fail(HostedNetwork h, Throwable e) {
        if (e instanceof HostedNetwork.NumericFault) {
            h.state = RunState.NUMERIC_FAULT;
            h.message = "numeric fault at tick " + h.net.tick() + ": " + e.getMessage();
            org.slf4j.LoggerFactory.getLogger(Hosting.class).error("network {} stopped: {}", h.id, h.message);
            return;
        }
        h.state = RunState.FAILED;
        h.message = "failed at tick " + h.net.tick() + ": " + e;
        org.slf4j.LoggerFactory.getLogger(Hosting.class).error("network {} failed", h.id, e);
    }

    /** Marks a network FAILED for a reason found outside it (a record it made could not be published). */
    public static void fail(HostedNetwork h, String why) {
        h.state = RunState.FAILED;
        h.message = "failed at tick " + h.net.tick() + ": " + why;
        org.slf4j.LoggerFactory.getLogger(Hosting.class).error("network {} failed: {}", h.id, why);
    }

    /** After a restore: real-time pacing continues from now. */
    public static void reanchor(HostedNetwork h, long nowNanos) {
        anchor(h, nowNanos);
    }

    private static void anchor(HostedNetwork h, long nowNanos) {
        h.anchorNanos = nowNanos;
        h.anchorTick = h.net.tick();
        h.rtfWallNanos = nowNanos;
        h.rtfTick = h.net.tick();
    }

    private static void probe(HostedNetwork h, Control c, SimulatorConfig config) {
        List<Integer> ids = c.getProbeNeurons();
        if (ids == null || ids.isEmpty()) {
            h.probeIds = new int[0];
            return;
        }
        if (ids.size() > 100_000) {
            throw new Rejection(RejectReason.OVERSIZED, "at most 100000 probed neurons, got " + ids.size());
        }
        int[] arr = new int[ids.size()];
        for (int i = 0; i < arr.length; i++) {
            int id = ids.get(i);
            if (id < 0 || id >= h.net.size()) {
                throw new Rejection(RejectReason.UNKNOWN_NEURON, "no neuron " + id + " in network '" + h.id + "' (ids 0.."
                        + (h.net.size() - 1) + ")");
            }
            arr[i] = id;
        }
        List<String> vars = c.getProbeVariables() == null || c.getProbeVariables().isEmpty()
                ? List.of("v") : c.getProbeVariables();
        for (String v : vars) {
            if (!VARIABLES.contains(v)) {
                throw new Rejection(RejectReason.BAD_COMMAND, "unknown probe variable '" + v + "'; variables: " + VARIABLES);
            }
        }
        int every = c.getProbeEveryTicks() == null ? 1 : c.getProbeEveryTicks();
        if (every < 1) {
            throw new Rejection(RejectReason.BAD_DURATION, "probe_every_ticks must be >= 1, got " + every);
        }
        int[] distinct = Arrays.stream(arr).distinct().toArray();
        double perSecond = (double) distinct.length * vars.size() * 1000.0 / (every * h.net.dtMs());
        if (perSecond > config.probeMaxValuesPerSecond()) {
            throw new Rejection(RejectReason.OVERSIZED, String.format(java.util.Locale.ROOT,
                    "the probe would sample %d neurons x %d variables every %d ticks (%.3g ms): %.3g values per simulated "
                            + "second, more than the %d allowed (%s); probe fewer neurons or sample less often",
                    distinct.length, vars.size(), every, every * h.net.dtMs(), perSecond, config.probeMaxValuesPerSecond(),
                    SimulatorConfig.PROBE_MAX_VALUES_PER_S));
        }
        h.probeIds = distinct;
        h.probeVars = vars.toArray(new String[0]);
        h.probeEvery = every;
    }

    private static Population population(HostedNetwork h, String name) {
        for (Population p : h.net.populations()) {
            if (p.name().equals(name)) {
                return p;
            }
        }
        throw new Rejection(RejectReason.UNKNOWN_POPULATION, "network '" + h.id + "' has no population '" + name + "'");
    }

    // ------------------------------------------------------------------ inputs

    /**
     * Validates an input and queues it for its tick, or throws a {@link Rejection}.
     *
     * @param rawBytes       the encoded size of the input record
     * @param maxRecordBytes the largest record the simulator writes: the input's journal entry must fit it
     */
    public static void accept(HostedNetwork h, ExternalInput in, Source src, int rawBytes, int maxRecordBytes,
            SimulatorConfig config, SimulatorOutput out) {
        if (h.state == RunState.STOPPED) {
            throw wrongState(h, "an input", "the network is stopped");
        }
        if (h.pending.size() >= config.inputQueueMaxCount() || h.pendingBytes + rawBytes > config.inputQueueMaxBytes()) {
            throw queueFull(h, config);
        }        Network net = h.net;
        long now = net.tick();
        int duration = in.getDurationTicks();
        if (duration < 1 || duration > MAX_TICKS) {
            throw new Rejection(RejectReason.BAD_DURATION, "duration_ticks must be between 1 and " + MAX_TICKS + ", got " + duration);
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
    private static void inRange(String what, double value, SimulatorConfig config) {
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
                total += population(h, p).size();
            }
            int[] ids = new int[total];
            int m = 0;
            for (String p : t.getPopulations()) {
                Population pop = population(h, p);
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

    /**
     * Computes what is due for this network now, for at most about {@link HostedNetwork#SLICE_NANOS} of CPU
     * time (at least one tick): a frame that costs more is finished over several calls, so one slow
     * network never holds the loop from the others for longer than a tick. Returns ticks computed.
     */
    public static int advance(HostedNetwork h, long nowNanos, long nowMs, SimulatorConfig config, SimulatorOutput out) {
        if (h.state == RunState.RUNNING) {
            int n = h.ticksToFrameEnd();
            if (h.mode == RunMode.MAX) {
                return h.computeSliced(n, out);
            }
            long target = accountStall(h, nowNanos, config) ? h.net.tick() + n : realtimeTarget(h, nowNanos);
            if (h.net.tick() + n <= target) {
                return h.computeSliced(n, out);
            }
            return 0;
        }
        if (h.state == RunState.PAUSED && h.stepBudget > 0) {
            int n = (int) Math.min(h.stepBudget, h.ticksToFrameEnd());
            int done = h.computeSliced(n, out);
            h.stepBudget -= done;
            if (h.stepBudget == 0) {
                h.closeOpenFrame(out); // a STEP that ends inside a frame closes it early
                out.status(h.id, h.status(config.instanceId(), nowMs), nowMs);
            }
            return done;
        }
        return 0;
    }

    /**
     * If a running real-time network has fallen more than {@code simulator.max.lag.ms} behind the wall
     * clock × speed (a stall, or a network slower than real time), adds the gap to its {@code stalled_ms}
     * and re-anchors its pacing at now; returns whether it did.
     */
    public static boolean accountStall(HostedNetwork h, long nowNanos, SimulatorConfig config) {
        if (h.state != RunState.RUNNING || h.mode != RunMode.REALTIME) {
            return false;
        }
        long lagTicks = realtimeTarget(h, nowNanos) - h.net.tick();
        long maxLag = Math.max(h.ticksPerFrame, Math.round(config.maxLagMs() / h.net.dtMs()));
        if (lagTicks <= maxLag) {
            return false;
        }
        h.stalledMs += Math.round((lagTicks - h.ticksPerFrame) * h.net.dtMs() / h.speed);
        h.anchorNanos = nowNanos;
        h.anchorTick = h.net.tick();
        return true;
    }

    private static long realtimeTarget(HostedNetwork h, long nowNanos) {
        double simMs = (nowNanos - h.anchorNanos) / 1e6 * h.speed;
        return h.anchorTick + (long) Math.floor(simMs / h.net.dtMs());
    }

    public static long nanosUntilWork(HostedNetwork h, long nowNanos) {
        if (h.state == RunState.RUNNING) {
            if (h.mode == RunMode.MAX) {
                return 0;
            }
            long due = h.net.tick() + h.ticksToFrameEnd() - h.anchorTick;
            long dueNanos = h.anchorNanos + (long) Math.ceil(due * h.net.dtMs() * 1e6 / h.speed);
            return Math.max(0, dueNanos - nowNanos);
        }
        if (h.state == RunState.PAUSED && h.stepBudget > 0) {
            return 0;
        }
        return Long.MAX_VALUE;
    }

    /** Updates the measured real-time factor (simulated time / wall time since the last measurement). */
    public static void measure(HostedNetwork h, long nowNanos) {
        long wall = nowNanos - h.rtfWallNanos;
        if (wall > 0 && h.state == RunState.RUNNING) {
            h.realtimeFactor = (h.net.tick() - h.rtfTick) * h.net.dtMs() * 1e6 / wall;
        } else if (h.state != RunState.RUNNING) {
            h.realtimeFactor = 0.0;
        }
        h.rtfWallNanos = nowNanos;
        h.rtfTick = h.net.tick();
    }
}
