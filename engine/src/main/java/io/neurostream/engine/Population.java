package io.neurostream.engine;

import io.neurostream.engine.model.NeuronDynamics;

/**
 * A population: neurons {@code [start, end)} of one model in one area. Neurons of a population are
 * contiguous in id.
 */
public final class Population {
    private final int index;
    private final String name;
    private final String modelName;
    private final int start;
    private final int end;
    private final int areaIndex;
    NeuronDynamics dynamics;
    private final int inhibitoryCount;

    Population(int index, String name, String modelName, int start, int end, int areaIndex, NeuronDynamics dynamics,
            int inhibitoryCount) {
        this.index = index;
        this.name = name;
        this.modelName = modelName;
        this.start = start;
        this.end = end;
        this.areaIndex = areaIndex;
        this.dynamics = dynamics;
        this.inhibitoryCount = inhibitoryCount;
    }

    public int index() {
        return index;
    }

    public String name() {
        return name;
    }

    public String model() {
        return modelName;
    }

    /** First neuron id. */
    public int start() {
        return start;
    }

    /** One past the last neuron id. */
    public int end() {
        return end;
    }

    public int size() {
        return end - start;
    }

    public int areaIndex() {
        return areaIndex;
    }

    /** How many of its neurons are inhibitory. */
    public int inhibitoryCount() {
        return inhibitoryCount;
    }

    public NeuronDynamics dynamics() {
        return dynamics;
    }
}
