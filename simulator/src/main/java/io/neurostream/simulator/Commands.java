package io.neurostream.simulator;

import io.neurostream.schemas.avro.Control;
import io.neurostream.schemas.avro.ControlCommand;
import io.neurostream.schemas.avro.ExternalInput;
import io.neurostream.schemas.avro.InputKind;
import io.neurostream.schemas.avro.Target;
import java.nio.ByteBuffer;
import java.util.List;

/** Factories for the control and input records people send most, for code, tests and the CLI. */
public final class Commands {
    private Commands() {
    }

    private static Control.Builder control(String networkId, ControlCommand command) {
        return Control.newBuilder().setNetworkId(networkId).setCommand(command).setIssuedAtMs(System.currentTimeMillis());
    }

    public static Control create(String networkId, String specJson) {
        return control(networkId, ControlCommand.CREATE).setSpecJson(specJson).build();
    }

    /** START in real time at {@code speed} × wall clock (0 = as fast as possible). */
    public static Control start(String networkId, double speed) {
        return control(networkId, ControlCommand.START).setSpeed(speed).build();
    }

    public static Control pause(String networkId) {
        return control(networkId, ControlCommand.PAUSE).build();
    }

    public static Control resume(String networkId) {
        return control(networkId, ControlCommand.RESUME).build();
    }

    /** STEP {@code ticks} ticks (the network must be created or paused). */
    public static Control step(String networkId, long ticks) {
        return control(networkId, ControlCommand.STEP).setSteps(ticks).build();
    }

    /** SPEED: a factor of real time, or 0 for as fast as possible. */
    public static Control speed(String networkId, double speed) {
        return control(networkId, ControlCommand.SPEED).setSpeed(speed).build();
    }

    public static Control reset(String networkId) {
        return control(networkId, ControlCommand.RESET).build();
    }

    public static Control probe(String networkId, List<Integer> neurons, List<String> variables, int everyTicks) {
        return control(networkId, ControlCommand.PROBE).setProbeNeurons(neurons).setProbeVariables(variables)
                .setProbeEveryTicks(everyTicks).build();
    }

    public static Control set(String networkId, String population, String parameter, double value) {
        return control(networkId, ControlCommand.SET).setSetPopulation(population).setSetParameter(parameter)
                .setSetValue(value).build();
    }

    public static Control checkpoint(String networkId) {
        return control(networkId, ControlCommand.CHECKPOINT).build();
    }

    public static Control stop(String networkId) {
        return control(networkId, ControlCommand.STOP).build();
    }

    /** A current into every neuron of some populations for {@code durationTicks} from {@code tick} (null: next tick). */
    public static ExternalInput current(String networkId, List<String> populations, double current, Long tick,
            int durationTicks) {
        return ExternalInput.newBuilder().setNetworkId(networkId).setKind(InputKind.CURRENT).setTick(tick)
                .setDurationTicks(durationTicks).setCurrent(current)
                .setTarget(Target.newBuilder().setPopulations(populations).build()).build();
    }

    /** A current into some neurons. */
    public static ExternalInput currentToNeurons(String networkId, List<Integer> neurons, double current, Long tick,
            int durationTicks) {
        return ExternalInput.newBuilder().setNetworkId(networkId).setKind(InputKind.CURRENT).setTick(tick)
                .setDurationTicks(durationTicks).setCurrent(current)
                .setTarget(Target.newBuilder().setNeurons(neurons).build()).build();
    }

    /** Poisson trains into every neuron of some populations. */
    public static ExternalInput poisson(String networkId, List<String> populations, double rateHz, double weight,
            Long tick, int durationTicks) {
        return ExternalInput.newBuilder().setNetworkId(networkId).setKind(InputKind.POISSON).setTick(tick)
                .setDurationTicks(durationTicks).setRateHz(rateHz).setWeight(weight)
                .setTarget(Target.newBuilder().setPopulations(populations).build()).build();
    }

    /** A sense matrix ({@code values[x][y]}) onto z-layer {@code zLayer} of the sense's area. */
    public static ExternalInput matrix(String networkId, String sense, int zLayer, float[][] values, double scale,
            Long tick, int durationTicks) {
        int rows = values.length;
        int cols = rows == 0 ? 0 : values[0].length;
        float[] flat = new float[rows * cols];
        for (int i = 0; i < rows; i++) {
            System.arraycopy(values[i], 0, flat, i * cols, cols);
        }
        // an empty matrix is packed as no bytes: bad input the tests send on purpose
        ByteBuffer b = flat.length == 0 ? ByteBuffer.allocate(0) : io.neurostream.schemas.Matrices.pack(flat, rows, cols);
        return ExternalInput.newBuilder().setNetworkId(networkId).setKind(InputKind.MATRIX).setTick(tick)
                .setDurationTicks(durationTicks).setMatrixRows(rows).setMatrixCols(cols).setMatrixValues(b)
                .setScale(scale).setTarget(Target.newBuilder().setSense(sense).setZLayer(zLayer).build()).build();
    }
}
