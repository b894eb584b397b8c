package io.neurostream.engine.spec;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A network as a user writes it (see {@code docs/spec-format.md}): lattice, areas, populations,
 * synapse kind, connection rules, inputs, plasticity and probes. Built by {@link SpecParser} from
 * JSON, validated there; {@link io.neurostream.engine.Network#build(NetworkSpec)} turns it into a
 * runnable network. All times are in ms, potentials in mV, rates in Hz.
 *
 * @param source  where the spec came from (file name), used in error messages
 * @param canonicalJson the parsed JSON, re-serialised canonically; its hash guards snapshots
 */
public record NetworkSpec(
        String source,
        String name,
        long seed,
        double dtMs,
        int[] lattice,
        List<AreaSpec> areas,
        Map<String, SenseSpec> senses,
        List<PopulationSpec> populations,
        SynapseSpec synapse,
        List<ConnectionSpec> connections,
        List<InputSpec> inputs,
        PlasticitySpec plasticity,
        List<ProbeSpec> probes,
        List<String> notes,
        String canonicalJson) {

    /**
     * The one weight magnitude (as stored, a float) of each population's outgoing rules, by population name, when
     * every population's outgoing rules share one constant weight and nothing changes weights (no plasticity); else
     * null. A network built from such a spec keeps one weight per presynaptic neuron instead of one per synapse (as
     * NEST's {@code static_synapse_hom_w}): 4 bytes less per synapse, built and held. Populations without outgoing
     * rules are absent.
     */
    public Map<String, Float> sharedWeightBySource() {
        if (plasticity != null) {
            return null;
        }
        Map<String, Float> shared = new HashMap<>();
        for (ConnectionSpec c : connections) {
            if (!c.weight().isConstant()) {
                return null;
            }
            float w = (float) c.weight().a();
            for (String from : c.from()) {
                Float before = shared.putIfAbsent(from, w);
                if (before != null && Float.floatToRawIntBits(before) != Float.floatToRawIntBits(w)) {
                    return null;
                }
            }
        }
        return shared;
    }

    /** An inclusive coordinate box {@code [lo, hi]} on each of x, y, z, w. */
    public record AreaSpec(String name, int[] lo, int[] hi, String sense) {
        public boolean contains(int x, int y, int z, int w) {
            return x >= lo[0] && x <= hi[0] && y >= lo[1] && y <= hi[1]
                    && z >= lo[2] && z <= hi[2] && w >= lo[3] && w <= hi[3];
        }

        public long volume() {
            long v = 1;
            for (int d = 0; d < 4; d++) {
                v *= (hi[d] - lo[d] + 1);
            }
            return v;
        }
    }

    /** A sense feeds one area; its matrices land on one z-layer of it, first axis x. */
    public record SenseSpec(String name, String area, int[] inputSize) {
    }

    /**
     * A population: {@code count} neurons, or each free coordinate of the area filled with
     * probability {@code density}.
     *
     * @param type a neuron type name, or {@code null} when {@code balancedInhibitoryFraction} is set
     */
    public record PopulationSpec(
            String name,
            String area,
            Integer count,
            Double density,
            String model,
            String type,
            Double balancedInhibitoryFraction,
            Map<String, Object> params,
            Map<String, Dist> init,
            String path) {
    }

    /** How spikes act on their targets. */
    public enum SynapseKind {
        /** The weight is added to the input current for one tick (the seed's and Izhikevich 2003's). */
        CURRENT_PULSE,
        /** The membrane potential jumps by the weight in mV (NEST's iaf_psc_delta). */
        VOLTAGE_JUMP,
        /** Exponentially decaying excitatory and inhibitory currents (CUBA, Brette et al. 2007). */
        EXP_CURRENT
    }

    public record SynapseSpec(SynapseKind kind, double tauExcMs, double tauInhMs) {
    }

    /** How the probability of a connection falls with the 4D Euclidean distance of the two neurons. */
    public enum DistanceProfile { GAUSSIAN, EXPONENTIAL }

    /**
     * @param scaleLattice sigma (gaussian) or lambda (exponential) in lattice units
     * @param maxDistance  no connection beyond this distance ({@code +∞} when absent)
     */
    public record DistanceRule(DistanceProfile profile, double scaleLattice, double maxDistance) {
    }

    /** A connection rule from some populations to others; exactly one of probability, inDegree. */
    public record ConnectionSpec(
            List<String> from,
            List<String> to,
            Double probability,
            Integer inDegree,
            DistanceRule distance,
            Dist weight,
            Dist delayMs,
            boolean autapses,
            String path) {
    }

    /** What an input is aimed at. Exactly one of the fields is set. */
    public record TargetSpec(
            List<String> populations,
            String area,
            int[] neurons,
            int[][] coordinates,
            String sense,
            int zLayer) {
    }

    /** The kinds of input. */
    public enum InputKind { CURRENT, POISSON, MATRIX }

    /**
     * An input active on ticks {@code [from, to)}.
     *
     * @param current the injected current (CURRENT); drawn per neuron per tick when not constant
     * @param rateHz  Poisson rate (POISSON); each event adds {@code weight} as an excitatory input
     * @param matrix  values by {@code [x][y]} (MATRIX), added as current to the sense's z-layer
     */
    public record InputSpec(
            TargetSpec target,
            InputKind kind,
            Dist current,
            double rateHz,
            double weight,
            double[][] matrix,
            double scale,
            double fromMs,
            double toMs,
            String path) {
    }

    /** The plasticity rules. */
    public enum PlasticityRule { STDP, HEBBIAN }

    /**
     * Pair STDP with traces (aPlus, aMinus, tauPlusMs, tauMinusMs) or the seed's same-tick Hebbian
     * rule (learningRate, weightDecay per tick), both clipped to {@code [wMin, wMax]} (magnitudes).
     *
     * @param from the presynaptic populations whose outgoing synapses are plastic (all when empty)
     */
    public record PlasticitySpec(
            PlasticityRule rule,
            double aPlus,
            double aMinus,
            double tauPlusMs,
            double tauMinusMs,
            double learningRate,
            double weightDecay,
            double wMin,
            double wMax,
            List<String> from) {
    }

    /** Neurons whose state variables are recorded every {@code everyTicks} ticks. */
    public record ProbeSpec(List<String> populations, int[] neurons, int firstN, List<String> variables,
            double everyMs, String path) {
    }
}
