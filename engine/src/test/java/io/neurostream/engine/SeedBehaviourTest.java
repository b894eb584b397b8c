package io.neurostream.engine;

import static io.neurostream.engine.TestNetworks.build;
import static io.neurostream.engine.TestNetworks.num;
import static io.neurostream.engine.TestNetworks.spiked;
import static io.neurostream.engine.TestNetworks.synapse;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.neurostream.engine.spec.NetworkSpec;
import io.neurostream.engine.spec.SpecException;
import io.neurostream.engine.spec.SpecParser;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** What the seed tutorial ({@code CUSTOM_NEURON_MODELS.md}) and its {@code brain_base_model.json} promise. */
class SeedBehaviourTest {

    // ------------------------------------------------------------------ E-I balance

    @Test
    void shouldComputeTutorialsEiBalanceExample() {
        EiBalance b = EiBalance.of(50.0, 10.0);
        assertThat(b.balanceRatio()).isCloseTo(5.0, within(1e-12));
        assertThat(b.eFraction()).isCloseTo(0.8333333333333334, within(1e-12));
        assertThat(b.iFraction()).isCloseTo(0.16666666666666666, within(1e-12));
        assertThat(String.format(java.util.Locale.ROOT, "%.2f %.2f%% %.2f%%", b.balanceRatio(), 100 * b.eFraction(),
                100 * b.iFraction())).isEqualTo("5.00 83.33% 16.67%");
    }

    @Test
    void shouldGiveAllZeroBalanceWithoutInput() {
        EiBalance b = EiBalance.of(0.0, 0.0);
        assertThat(b.balanceRatio()).isZero();
        assertThat(b.eFraction()).isZero();
        assertThat(b.iFraction()).isZero();
    }

    @Test
    void shouldDivideByAtLeastOneHundredthForTheRatio() {
        EiBalance b = EiBalance.of(2.0, 0.001);
        assertThat(b.balanceRatio()).isCloseTo(200.0, within(1e-9));
        assertThat(b.eFraction()).isCloseTo(2.0 / 2.001, within(1e-12));
        EiBalance noInh = EiBalance.of(3.0, 0.0);
        assertThat(noInh.balanceRatio()).isCloseTo(300.0, within(1e-9));
        assertThat(noInh.eFraction()).isEqualTo(1.0);
        assertThat(noInh.iFraction()).isZero();
        EiBalance onlyInh = EiBalance.of(0.0, 4.0);
        assertThat(onlyInh.balanceRatio()).isZero();
        assertThat(onlyInh.iFraction()).isEqualTo(1.0);
    }

    // ------------------------------------------------------------------ balanced types

    private static int[] counts(NeuronType[] t) {
        int[] c = new int[3]; // fast spiking, bursting, regular spiking
        for (NeuronType x : t) {
            if (x == NeuronType.FAST_SPIKING) {
                c[0]++;
            } else if (x == NeuronType.BURSTING) {
                c[1]++;
            } else if (x == NeuronType.REGULAR_SPIKING) {
                c[2]++;
            }
        }
        return c;
    }

    @ParameterizedTest(name = "{0} neurons, f = {1}")
    @CsvSource({"1000, 0.2, 200, 160, 640", "7, 0.2, 1, 1, 5", "10, 0.5, 5, 1, 4", "3, 0.1, 0, 0, 3", "0, 0.2, 0, 0, 0",
        "100, 0.25, 25, 15, 60", "5, 1.0, 5, 0, 0"})
    void shouldCreateBalancedTypeCountsAsTheSeed(int n, double f, int fs, int ib, int rs) {
        NeuronType[] t = BalancedTypes.create(n, f, 99L);
        assertThat(t).hasSize(n);
        assertThat(counts(t)).containsExactly(fs, ib, rs);
    }

    @Test
    void shouldShuffleBalancedTypesReproduciblyByKey() {
        NeuronType[] a = BalancedTypes.create(1000, 0.2, 7L);
        assertThat(BalancedTypes.create(1000, 0.2, 7L)).containsExactly(a);
        assertThat(BalancedTypes.create(1000, 0.2, 8L)).isNotEqualTo(a);
        // not left in blocks: the inhibitory neurons are spread over the whole range
        int fsInFirstHalf = 0;
        for (int i = 0; i < 500; i++) {
            if (a[i] == NeuronType.FAST_SPIKING) {
                fsInFirstHalf++;
            }
        }
        assertThat(fsInFirstHalf).isBetween(60, 140);
    }

    @Test
    void shouldBuildBalancedPopulationFromSpec() {
        String json = "{\"name\": \"bal\", \"seed\": %d, \"populations\": [{\"name\": \"c\", \"count\": 1000,"
                + " \"model\": \"izhikevich\", \"type\": {\"balanced\": {\"inhibitory_fraction\": 0.2}}}]}";
        Network net = build(String.format(json, 42));
        NeuronType[] t = new NeuronType[net.size()];
        Set<Integer> fsX = new HashSet<>();
        for (int i = 0; i < t.length; i++) {
            t[i] = net.type(i);
            assertThat(net.isInhibitory(i)).isEqualTo(t[i] == NeuronType.FAST_SPIKING);
            if (t[i].isInhibitory()) {
                fsX.add(net.coordinates(i)[0]);
            }
        }
        assertThat(counts(t)).containsExactly(200, 160, 640);
        assertThat(net.population("c").inhibitoryCount()).isEqualTo(200);
        assertThat(net.classRange(0, true)).containsExactly(800, 1000);
        assertThat(net.classRange(0, false)).containsExactly(0, 800);
        // shuffled on the lattice: the inhibitory neurons do not just take the last 200 places
        assertThat(fsX).hasSize(200).isNotEqualTo(rangeSet(800, 1000));
        assertThat(fsX.stream().filter(x -> x < 500).count()).isBetween(60L, 140L);
        // the same seed gives the same arrangement, another seed another
        assertThat(placement(build(String.format(json, 42)))).isEqualTo(fsX);
        assertThat(placement(build(String.format(json, 43)))).isNotEqualTo(fsX);
    }

    private static Set<Integer> rangeSet(int from, int to) {
        Set<Integer> s = new HashSet<>();
        for (int i = from; i < to; i++) {
            s.add(i);
        }
        return s;
    }

    private static Set<Integer> placement(Network net) {
        Set<Integer> s = new HashSet<>();
        for (int i = 0; i < net.size(); i++) {
            if (net.isInhibitory(i)) {
                s.add(net.coordinates(i)[0]);
            }
        }
        return s;
    }

    // ------------------------------------------------------------------ senses and lookups

    /** Lattice 5×6×3×3; area "retina" x 1..3, y 1..4, z 1..2, w 1 (fed by sense "vision"), fully filled. */
    private static String senseSpec(String inputs) {
        return "{\"name\": \"senses\", \"seed\": 1, \"dt_ms\": 1.0, \"lattice\": [5, 6, 3, 3],"
                + " \"areas\": [{\"name\": \"retina\", \"x\": [1, 3], \"y\": [1, 4], \"z\": [1, 2], \"w\": [1, 1], \"sense\": \"vision\"},"
                + "   {\"name\": \"other\", \"x\": [0, 4], \"y\": [0, 5], \"z\": [0, 2], \"w\": [2, 2]}],"
                + " \"populations\": [{\"name\": \"r\", \"area\": \"retina\", \"density\": 1.0},"
                + "   {\"name\": \"o\", \"area\": \"other\", \"density\": 1.0}],"
                + " \"inputs\": [" + inputs + "]}";
    }

    /** After one tick of current I into a LIF neuron at rest (defaults): -65 + I·(1 - e^{-0.1}). */
    private static double afterOneTick(double current) {
        return -65.0 + current * (1 - Math.exp(-0.1));
    }

    @Test
    void shouldMapSenseMatrixOntoOneZLayerFirstAxisXAndAccumulate() {
        double[][] m1 = {{1, 2, 3}, {4, 5, 6}};
        double[][] m2 = {{10, 20}, {30, 40}};
        Network net = build(senseSpec(
                "{\"target\": {\"sense\": \"vision\", \"z_layer\": 1}, \"matrix\": [[1, 2, 3], [4, 5, 6]], \"duration_ms\": 1},"
                + "{\"target\": {\"sense\": \"vision\", \"z_layer\": 1}, \"matrix\": [[10, 20], [30, 40]], \"duration_ms\": 1}"));
        net.step();
        int fed = 0;
        for (int id = 0; id < net.size(); id++) {
            int[] c = net.coordinates(id);
            double current = 0;
            if (c[3] == 1 && c[2] == 2) { // z0 + z_layer = 1 + 1, w0 = 1
                int i = c[0] - 1;
                int j = c[1] - 1;
                if (i < 2 && j < 3) {
                    current += m1[i][j];
                    fed++;
                }
                if (i < 2 && j < 2) {
                    current += m2[i][j];
                }
            }
            assertThat(net.variable(id, "v")).as("neuron %d at %s", id, Arrays.toString(c))
                    .isCloseTo(afterOneTick(current), within(1e-12));
        }
        assertThat(fed).isEqualTo(6);
        // and the input lasted one tick only
        net.step();
        int x = net.neuronAt(2, 3, 2, 1); // matrix [1][2] = 6
        assertThat(net.variable(x, "v")).isCloseTo(-65.0 + 6 * (1 - Math.exp(-0.1)) * Math.exp(-0.1), within(1e-12));
    }

    @Test
    void shouldMapSenseMatrixAddedAtRunTime() {
        Network net = build(senseSpec(""));
        double[][] m = {{1, 0.5}, {0, 2}, {3, 4}};
        net.addInput(net.senseInput("vision", 0, m, 2.0, 0, 1));
        net.step();
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 2; j++) {
                int id = net.neuronAt(1 + i, 1 + j, 1, 1);
                assertThat(net.variable(id, "v")).isCloseTo(afterOneTick(2.0 * m[i][j]), within(1e-12));
                assertThat(net.variable(net.neuronAt(1 + i, 1 + j, 2, 1), "v")).isEqualTo(-65.0);
            }
        }
        assertThat(net.variable(net.neuronAt(1, 3, 1, 1), "v")).isEqualTo(-65.0);
        assertThatThrownBy(() -> net.senseInput("vision", 0, new double[4][1], 1.0, 0, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("does not fit");
        assertThatThrownBy(() -> net.senseInput("vision", 2, m, 1.0, 0, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("z_layer");
    }

    @Test
    void shouldRejectSenseMatrixBiggerThanItsArea() {
        assertThatThrownBy(() -> build(senseSpec(
                "{\"target\": {\"sense\": \"vision\"}, \"matrix\": [[1, 2, 3, 4, 5], [1, 2, 3, 4, 5]]}")))
                .isInstanceOf(SpecException.class)
                .hasMessageContaining("test.json").hasMessageContaining("inputs[0].matrix").hasMessageContaining("does not fit");
        assertThatThrownBy(() -> build(senseSpec(
                "{\"target\": {\"sense\": \"vision\"}, \"matrix\": [[1], [2], [3], [4]]}")))
                .isInstanceOf(SpecException.class).hasMessageContaining("inputs[0].matrix");
        assertThatThrownBy(() -> build(senseSpec(
                "{\"target\": {\"sense\": \"vision\", \"z_layer\": 2}, \"matrix\": [[1]]}")))
                .isInstanceOf(SpecException.class).hasMessageContaining("inputs[0].target.z_layer");
    }

    @Test
    void shouldLookUpNeuronsByAreaCoordinateAndPopulation() {
        Network net = build(senseSpec(""));
        int[] retina = net.neuronsInArea("retina");
        assertThat(retina).hasSize(3 * 4 * 2);
        assertThat(net.neuronsOfPopulation("r")).containsExactly(retina);
        int[] other = net.neuronsOfPopulation("o");
        assertThat(other).hasSize(5 * 6 * 3);
        assertThat(net.neuronsInArea("other")).containsExactly(other);
        for (int i = 0; i < other.length; i++) {
            assertThat(other[i]).isEqualTo(retina.length + i);
        }
        Set<String> seen = new HashSet<>();
        for (int id = 0; id < net.size(); id++) {
            int[] c = net.coordinates(id);
            assertThat(seen.add(Arrays.toString(c))).as("one neuron per coordinate").isTrue();
            assertThat(net.neuronAt(c[0], c[1], c[2], c[3])).isEqualTo(id);
            Area a = net.area(id < retina.length ? "retina" : "other");
            assertThat(a.contains(c[0], c[1], c[2], c[3])).isTrue();
        }
        assertThat(net.neuronAt(0, 0, 0, 0)).as("outside every area").isEqualTo(-1);
        assertThat(net.neuronAt(1, 1, 0, 1)).as("in the lattice, not in the retina's z range").isEqualTo(-1);
        assertThat(net.neuronAt(5, 0, 0, 2)).as("off the lattice").isEqualTo(-1);
        assertThat(net.coordinates(net.neuronAt(3, 4, 2, 1))).containsExactly(3, 4, 2, 1);
    }

    // ------------------------------------------------------------------ Hebbian rule

    private static final String HEBB_PLASTICITY = " \"plasticity\": {\"rule\": \"hebbian\", \"learning_rate\": 0.1,"
            + " \"weight_decay\": 0.001, \"w_min\": 0.0, \"w_max\": 0.65},";

    /** Three neurons, all-to-all at 0.5; tick 2: 0 and 1 fire; tick 5: 0 alone; ticks 7, 8: 0 and 1. */
    private static String hebb(String plasticity) {
        return "{\"name\": \"hebb\", \"seed\": 3, \"dt_ms\": 1.0,"
            + " \"populations\": [{\"name\": \"a\", \"count\": 3}],"
            + " \"connections\": [{\"from\": \"a\", \"to\": \"a\", \"probability\": 1.0, \"weight\": 0.5}],"
            + plasticity
            + " \"inputs\": ["
            + "  {\"target\": {\"neurons\": [0, 1]}, \"current\": 1000.0, \"from_ms\": 2, \"duration_ms\": 1},"
            + "  {\"target\": {\"neurons\": [0]}, \"current\": 1000.0, \"from_ms\": 5, \"duration_ms\": 1},"
            + "  {\"target\": {\"neurons\": [0, 1]}, \"current\": 1000.0, \"from_ms\": 7, \"duration_ms\": 2}]}";
    }

    @Test
    void shouldApplySeedsHebbianRuleWithClipAndLinearDecay() {
        Network net = build(hebb(HEBB_PLASTICITY));
        int w01 = synapse(net, 0, 1);
        int w02 = synapse(net, 0, 2);
        int w10 = synapse(net, 1, 0);
        int w12 = synapse(net, 1, 2);
        int w20 = synapse(net, 2, 0);
        int w21 = synapse(net, 2, 1);
        assertThat(net.synapseCount()).isEqualTo(6);
        // worked by hand: decay 0.001 every tick; tick 2: 0 and 1 fire; tick 5: 0 alone; ticks 7, 8: 0 and 1
        double[][] expected = {
            // w01,  w02,   w10,   w12,   w20,   w21    after tick
            {0.499, 0.499, 0.499, 0.499, 0.499, 0.499}, // 0
            {0.498, 0.498, 0.498, 0.498, 0.498, 0.498}, // 1
            {0.597, 0.447, 0.597, 0.447, 0.497, 0.497}, // 2: +η both, -η/2 only pre
            {0.596, 0.446, 0.596, 0.446, 0.496, 0.496}, // 3
            {0.595, 0.445, 0.595, 0.445, 0.495, 0.495}, // 4
            {0.544, 0.394, 0.594, 0.444, 0.494, 0.494}, // 5: pre 0 alone
            {0.543, 0.393, 0.593, 0.443, 0.493, 0.493}, // 6
            {0.642, 0.342, 0.649, 0.392, 0.492, 0.492}, // 7: w10 0.693 clipped to 0.65
            {0.649, 0.291, 0.649, 0.341, 0.491, 0.491}, // 8: w01 0.742 and w10 clipped
            {0.648, 0.290, 0.648, 0.340, 0.490, 0.490}, // 9
        };
        int[] syn = {w01, w02, w10, w12, w20, w21};
        for (int k = 0; k < expected.length; k++) {
            net.step();
            assertThat(spiked(net, 0)).isEqualTo(k == 2 || k == 5 || k == 7 || k == 8);
            assertThat(spiked(net, 1)).isEqualTo(k == 2 || k == 7 || k == 8);
            assertThat(spiked(net, 2)).isFalse();
            for (int s = 0; s < syn.length; s++) {
                assertThat((double) net.synapseWeight(syn[s])).as("synapse %d after tick %d", s, k)
                        .isCloseTo(expected[k][s], within(1e-6));
            }
        }
    }

    @Test
    void shouldStopHebbianDecayAndDepressionAtZero() {
        Network net = build("{\"name\": \"hebb0\", \"seed\": 3, \"dt_ms\": 1.0,"
                + " \"populations\": [{\"name\": \"a\", \"count\": 1}, {\"name\": \"b\", \"count\": 1}, {\"name\": \"c\", \"count\": 1}],"
                + " \"connections\": [{\"from\": \"a\", \"to\": \"b\", \"probability\": 1.0, \"weight\": 0.0025},"
                + "   {\"from\": \"c\", \"to\": \"b\", \"probability\": 1.0, \"weight\": 0.08}],"
                + " \"plasticity\": {\"rule\": \"hebbian\", \"learning_rate\": 0.1, \"weight_decay\": 0.001, \"w_min\": 0.0, \"w_max\": 1.0},"
                + " \"inputs\": [{\"target\": {\"population\": \"c\"}, \"current\": 1000.0, \"from_ms\": 0, \"duration_ms\": 3}]}");
        int ab = synapse(net, 0, 1);
        int cb = synapse(net, 2, 1);
        double[] expectedAb = {0.0015, 0.0005, 0.0, 0.0, 0.0};
        double[] expectedCb = {0.08 - 0.05 - 0.001, 0.0, 0.0, 0.0, 0.0}; // then 0.029 - 0.05 clips at 0
        for (int k = 0; k < expectedAb.length; k++) {
            net.step();
            assertThat((double) net.synapseWeight(ab)).as("decay only, tick %d", k).isCloseTo(expectedAb[k], within(1e-7));
            assertThat(net.synapseWeight(ab)).isGreaterThanOrEqualTo(0f);
            assertThat((double) net.synapseWeight(cb)).as("depression, tick %d", k).isCloseTo(expectedCb[k], within(1e-7));
            assertThat(net.synapseWeight(cb)).isGreaterThanOrEqualTo(0f);
        }
    }

    @Test
    void shouldNotChangeWeightsWithoutPlasticity() {
        Network net = build(hebb(""));
        for (int k = 0; k < 10; k++) {
            net.step();
        }
        for (int s = 0; s < net.synapseCount(); s++) {
            assertThat(net.synapseWeight(s)).isEqualTo(0.5f);
        }
    }

    // ------------------------------------------------------------------ pair STDP

    private static String stdp(double dt, double preMs, double postMs) {
        return "{\"name\": \"stdp\", \"seed\": 1, \"dt_ms\": " + num(dt) + ","
                + " \"populations\": [{\"name\": \"pre\", \"count\": 1}, {\"name\": \"post\", \"count\": 1}],"
                + " \"connections\": [{\"from\": \"pre\", \"to\": \"post\", \"probability\": 1.0, \"weight\": 0.5, \"delay_ms\": " + num(dt) + "}],"
                + " \"plasticity\": {\"rule\": \"stdp\", \"a_plus\": 0.01, \"a_minus\": 0.012, \"tau_plus_ms\": 16.8,"
                + "   \"tau_minus_ms\": 33.7, \"w_min\": 0.0, \"w_max\": 1.0},"
                + " \"inputs\": [{\"target\": {\"population\": \"pre\"}, \"current\": 20000.0, \"from_ms\": " + num(preMs)
                + ", \"duration_ms\": " + num(dt) + "},"
                + "   {\"target\": {\"population\": \"post\"}, \"current\": 20000.0, \"from_ms\": " + num(postMs)
                + ", \"duration_ms\": " + num(dt) + "}]}";
    }

    /** Runs 40 ms; checks the two spikes happen when asked and returns the weight after each tick. */
    private static double[] stdpWeights(double dt, double preMs, double postMs) {
        Network net = build(stdp(dt, preMs, postMs));
        int ticks = (int) Math.round(40.0 / dt);
        double[] w = new double[ticks];
        for (int k = 0; k < ticks; k++) {
            net.step();
            assertThat(spiked(net, 0)).isEqualTo(k == Math.round(preMs / dt));
            assertThat(spiked(net, 1)).isEqualTo(k == Math.round(postMs / dt));
            w[k] = net.synapseWeight(0);
        }
        return w;
    }

    @ParameterizedTest(name = "dt {0} ms")
    @CsvSource({"1.0", "0.5", "0.1"})
    void shouldPotentiateByAPlusTimesExpOfDelayWhenPreFiresBeforePost(double dt) {
        double[] w = stdpWeights(dt, 10.0, 15.0);
        int post = (int) Math.round(15.0 / dt);
        for (int k = 0; k < post; k++) {
            assertThat(w[k]).as("tick %d", k).isEqualTo(0.5);
        }
        double expected = 0.5 + 0.01 * Math.exp(-5.0 / 16.8);
        for (int k = post; k < w.length; k++) {
            assertThat(w[k]).as("tick %d", k).isCloseTo(expected, within(1e-6));
        }
    }

    @ParameterizedTest(name = "dt {0} ms")
    @CsvSource({"1.0", "0.5", "0.1"})
    void shouldDepressByAMinusTimesExpOfDelayWhenPostFiresBeforePre(double dt) {
        double[] w = stdpWeights(dt, 17.0, 10.0);
        int pre = (int) Math.round(17.0 / dt);
        for (int k = 0; k < pre; k++) {
            assertThat(w[k]).isEqualTo(0.5);
        }
        double expected = 0.5 - 0.012 * Math.exp(-7.0 / 33.7);
        for (int k = pre; k < w.length; k++) {
            assertThat(w[k]).as("tick %d", k).isCloseTo(expected, within(1e-6));
        }
    }

    @Test
    void shouldLeaveWeightUnchangedWhenPreAndPostFireInTheSameTick() {
        assertThat(stdpWeights(1.0, 10.0, 10.0)).containsOnly(0.5);
    }

    // ------------------------------------------------------------------ brain_base_model.json

    private static final String SEED_SHA256 = "108931c28992e639df7d3e452dc5f0285f7a68daeb5b9848258093839e56a54c";

    @Test
    void shouldLoadTheSeedsBrainBaseModelUnchanged() throws Exception {
        byte[] bytes = TestNetworks.resourceBytes("/seed/brain_base_model.json");
        assertThat(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)))
                .as("the test resource is the seed's file, byte for byte").isEqualTo(SEED_SHA256);
        NetworkSpec spec = SpecParser.parse(new String(bytes, java.nio.charset.StandardCharsets.UTF_8), "brain_base_model.json");
        assertThat(spec.areas()).extracting(NetworkSpec.AreaSpec::name).containsExactly("V1_like", "A1_like", "S1_like",
                "Gustatory_like", "Olfactory_like", "Vestibular_like", "Digital_sensor");
        assertThat(spec.senses()).hasSize(7);
        assertThat(spec.senses().get("vision").area()).isEqualTo("V1_like");
        assertThat(spec.senses().get("digital").area()).isEqualTo("Digital_sensor");
        assertThat(spec.senses().get("vestibular").inputSize()).containsExactly(5, 5);
        assertThat(spec.lattice()).containsExactly(20, 20, 20, 20);
        assertThat(spec.populations()).hasSize(7).allSatisfy(p -> assertThat(p.density()).isEqualTo(0.1));
        assertThat(spec.plasticity().learningRate()).isEqualTo(0.001);
        assertThat(spec.plasticity().weightDecay()).isEqualTo(0.00001);
        assertThat(spec.plasticity().wMax()).isEqualTo(1.0);
        assertThat(String.join("\n", spec.notes())).contains("cell_lifecycle", "neuromodulation", "homeostatic",
                "metaplasticity", "short_term");

        Network net = Network.build(spec);
        // 4 areas of 20·20·20, 2 of 10·10·20, 1 of 5·5·20: 36,500 coordinates at density 0.1
        assertThat(net.size()).isBetween(3650 - 5 * 57, 3650 + 5 * 57);
        long[] volume = {8000, 8000, 8000, 2000, 2000, 500, 8000};
        for (int p = 0; p < 7; p++) {
            Population pop = net.populations().get(p);
            double mean = 0.1 * volume[p];
            double sd = Math.sqrt(volume[p] * 0.1 * 0.9);
            assertThat((double) pop.size()).as(pop.name()).isBetween(mean - 5 * sd, mean + 5 * sd);
            Area a = net.area(pop.name());
            for (int id = pop.start(); id < pop.end(); id++) {
                int[] c = net.coordinates(id);
                assertThat(a.contains(c[0], c[1], c[2], c[3])).isTrue();
            }
        }
        assertThat(net.synapseCount()).isZero();
    }

    @Test
    void shouldIntegrateTheSeedsLifAsTheSeedDid() {
        String json = TestNetworks.resource("/seed/brain_base_model.json");
        Network net = Network.build(SpecParser.parse(json, "brain_base_model.json"));
        double[][] ones = new double[20][20];
        for (double[] row : ones) {
            Arrays.fill(row, 1.0);
        }
        net.addInput(net.senseInput("vision", 0, ones, 1.0, 0, Input.FOREVER));
        // the seed: dv = dt·((v_rest - v)/tau_m + I), v_rest -65, v_reset -70, threshold -50, tau_m 20, 5 ms refractory
        List<Long> expected = new ArrayList<>();
        double v = -65.0;
        int hold = 0;
        for (long k = 0; k < 200; k++) {
            if (hold > 0) {
                hold--;
                v = -70.0;
                continue;
            }
            v += 1.0 * ((-65.0 - v) / 20.0 + 1.0);
            if (v >= -50.0) {
                expected.add(k);
                v = -70.0;
                hold = 5;
            }
        }
        assertThat(expected).startsWith(27L, 64L);
        int[] fed = net.neuronsInArea("V1_like");
        List<Integer> layer0 = new ArrayList<>();
        for (int id : fed) {
            if (net.coordinates(id)[2] == 0) {
                layer0.add(id);
            }
        }
        assertThat(layer0).hasSizeGreaterThan(10);
        int probe = layer0.get(0);
        List<Long> actual = new ArrayList<>();
        long others = 0;
        for (long k = 0; k < 200; k++) {
            net.step();
            if (spiked(net, probe)) {
                actual.add(k);
            }
            for (int i = 0; i < net.spikes().size(); i++) {
                int id = net.spikes().get(i);
                if (!(net.coordinates(id)[3] == 0 && net.coordinates(id)[2] == 0)) {
                    others++;
                }
            }
            if (expected.contains(k)) {
                assertThat(net.spikes().size()).as("every fed neuron fires on tick %d", k).isEqualTo(layer0.size());
            }
        }
        assertThat(actual).isEqualTo(expected);
        assertThat(others).isZero();
    }
}
