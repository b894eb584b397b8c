package io.neurostream.engine;

import java.util.ArrayList;
import java.util.List;

/**
 * The neuron types of the seed framework. Each is excitatory or inhibitory (Dale's law: every
 * synapse of a neuron has the sign of its class) and, for the Izhikevich model, selects a preset
 * {@code (a, b, c, d)} from Izhikevich (2003).
 */
public enum NeuronType {
    EXCITATORY("excitatory", false, 0.02, 0.2, -65, 8),
    REGULAR_SPIKING("regular_spiking", false, 0.02, 0.2, -65, 8),
    BURSTING("bursting", false, 0.02, 0.2, -55, 4),
    CHATTERING("chattering", false, 0.02, 0.2, -50, 2),
    INHIBITORY("inhibitory", true, 0.1, 0.2, -65, 2),
    FAST_SPIKING("fast_spiking", true, 0.1, 0.2, -65, 2);

    private final String specName;
    private final boolean inhibitory;
    /** Izhikevich preset for this type. */
    public final double izhA;
    public final double izhB;
    public final double izhC;
    public final double izhD;

    NeuronType(String specName, boolean inhibitory, double a, double b, double c, double d) {
        this.specName = specName;
        this.inhibitory = inhibitory;
        this.izhA = a;
        this.izhB = b;
        this.izhC = c;
        this.izhD = d;
    }

    /** The name used in specs, e.g. {@code fast_spiking}. */
    public String specName() {
        return specName;
    }

    public boolean isInhibitory() {
        return inhibitory;
    }

    /** The type of that spec name, or {@code null}. */
    public static NeuronType byName(String name) {
        for (NeuronType t : values()) {
            if (t.specName.equals(name)) {
                return t;
            }
        }
        return null;
    }

    /** All spec names, comma separated. */
    public static String names() {
        List<String> n = new ArrayList<>();
        for (NeuronType t : values()) {
            n.add(t.specName);
        }
        return String.join(", ", n);
    }
}
