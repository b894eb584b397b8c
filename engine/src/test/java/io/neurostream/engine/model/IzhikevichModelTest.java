package io.neurostream.engine.model;

import static io.neurostream.engine.TestNetworks.build;
import static io.neurostream.engine.TestNetworks.num;
import static io.neurostream.engine.TestNetworks.spikeTicks;
import static io.neurostream.engine.TestNetworks.spiked;
import static org.assertj.core.api.Assertions.assertThat;

import io.neurostream.engine.Network;
import io.neurostream.engine.NeuronType;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Single Izhikevich (2003) neurons under constant input, against a plain scalar reimplementation of
 * the equations written here, and qualitative checks that catch a wrong preset.
 */
class IzhikevichModelTest {

    /** (a, b, c, d) as published in Izhikevich (2003), Fig. 2, written out here rather than read from the engine. */
    private static final double[] RS = {0.02, 0.2, -65, 8};
    private static final double[] FS = {0.1, 0.2, -65, 2};
    private static final double[] IB = {0.02, 0.2, -55, 4};
    private static final double[] CH = {0.02, 0.2, -50, 2};

    private static double[] preset(String type) {
        switch (type) {
            case "regular_spiking": return RS;
            case "fast_spiking": return FS;
            case "bursting": return IB;
            case "chattering": return CH;
            default: throw new IllegalArgumentException(type);
        }
    }

    /**
     * The model, straight from the paper: v' = 0.04v² + 5v + 140 - u + I, u' = a(bv - u); v ≥ 30 → v = c,
     * u += d; v(0) = -65, u(0) = b·v(0). Paper scheme: two half steps of dt/2 for v, then u from the new v.
     * Euler: both derivatives from the old state. Returns the spike ticks.
     */
    static List<Long> reference(boolean paper, double dt, double[] abcd, double current, long ticks) {
        double a = abcd[0];
        double b = abcd[1];
        double c = abcd[2];
        double d = abcd[3];
        double v = -65.0;
        double u = b * v;
        List<Long> spikes = new ArrayList<>();
        for (long k = 0; k < ticks; k++) {
            if (paper) {
                v = v + dt / 2 * (0.04 * v * v + 5 * v + 140 - u + current);
                v = v + dt / 2 * (0.04 * v * v + 5 * v + 140 - u + current);
                u = u + dt * a * (b * v - u);
            } else {
                double dv = 0.04 * v * v + 5 * v + 140 - u + current;
                double du = a * (b * v - u);
                v = v + dt * dv;
                u = u + dt * du;
            }
            if (v >= 30) {
                spikes.add(k);
                v = c;
                u = u + d;
            }
        }
        return spikes;
    }

    private static String spec(String type, String scheme, double dt, double current, String extraParams) {
        return "{\"name\": \"izh1\", \"seed\": 1, \"dt_ms\": " + num(dt) + ","
                + " \"populations\": [{\"name\": \"n\", \"count\": 1, \"model\": \"izhikevich\", \"type\": \"" + type + "\","
                + "   \"params\": {\"scheme\": \"" + scheme + "\"" + extraParams + "}}],"
                + " \"inputs\": [{\"target\": {\"population\": \"n\"}, \"current\": " + num(current) + ", \"from_ms\": 0}]}";
    }

    static Stream<Arguments> typesSchemesSteps() {
        List<Arguments> out = new ArrayList<>();
        for (String type : new String[] {"regular_spiking", "fast_spiking", "bursting", "chattering"}) {
            for (String scheme : new String[] {"paper", "euler"}) {
                for (double dt : new double[] {1.0, 0.5}) {
                    out.add(Arguments.of(type, scheme, dt));
                }
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0}, {1}, dt {2} ms")
    @MethodSource("typesSchemesSteps")
    void shouldMatchScalarReferenceSpikeTimesUnderConstantInput(String type, String scheme, double dt) {
        long ticks = Math.round(1000.0 / dt);
        List<Long> expected = reference("paper".equals(scheme), dt, preset(type), 10.0, ticks);
        List<Long> actual = spikeTicks(build(spec(type, scheme, dt, 10.0, "")), 0, ticks);
        assertThat(expected).hasSizeGreaterThan(15);
        assertThat(actual).isEqualTo(expected);
    }

    @Test
    void shouldRunTheIssueSpecExactlyAsWritten() {
        String json = "{\"name\": \"one-rs\", \"seed\": 1, \"dt_ms\": 1.0, \"populations\": [{\"name\": \"n\", \"count\": 1,"
                + " \"model\": \"izhikevich\", \"type\": \"regular_spiking\", \"params\": {\"scheme\": \"paper\"}}],"
                + " \"inputs\": [{\"target\": {\"population\": \"n\"}, \"current\": 10.0, \"from_ms\": 0}]}";
        List<Long> actual = spikeTicks(build(json), 0, 1000);
        assertThat(actual).isEqualTo(reference(true, 1.0, RS, 10.0, 1000));
        // the first spikes, written out: a fast first interval, then adapted ones
        assertThat(actual.subList(0, 3)).containsExactly(3L, 30L, 78L);
    }

    /** Inter-spike intervals in ms over 500 ms of input 10. */
    private static List<Double> isis(String type, String scheme, double dt) {
        List<Long> s = spikeTicks(build(spec(type, scheme, dt, 10.0, "")), 0, Math.round(500.0 / dt));
        List<Double> out = new ArrayList<>();
        for (int i = 1; i < s.size(); i++) {
            out.add((s.get(i) - s.get(i - 1)) * dt);
        }
        return out;
    }

    @ParameterizedTest(name = "{0}, dt {1} ms")
    @CsvSource({"paper, 1.0", "paper, 0.5", "euler, 1.0", "euler, 0.5"})
    void shouldShowSpikeFrequencyAdaptationForRegularSpiking(String scheme, double dt) {
        List<Double> isi = isis("regular_spiking", scheme, dt);
        assertThat(isi).hasSizeGreaterThan(5);
        for (int i = 1; i < isi.size(); i++) {
            assertThat(isi.get(i)).as("ISI %d vs the first", i).isGreaterThan(1.5 * isi.get(0));
        }
        assertThat(isi).allMatch(x -> x > 10.0, "no bursts in regular spiking");
    }

    @ParameterizedTest(name = "{0}, dt {1} ms")
    @CsvSource({"paper, 1.0", "paper, 0.5", "euler, 1.0", "euler, 0.5"})
    void shouldFireFasterWhenFastSpikingThanRegularSpikingAtTheSameInput(String scheme, double dt) {
        int fs = isis("fast_spiking", scheme, dt).size();
        int rs = isis("regular_spiking", scheme, dt).size();
        assertThat(fs).isGreaterThan(2 * rs);
    }

    @ParameterizedTest(name = "{0}, dt {1} ms")
    @CsvSource({"paper, 1.0", "paper, 0.5", "euler, 1.0", "euler, 0.5"})
    void shouldChatterInRepeatedBurstsSeparatedByPauses(String scheme, double dt) {
        List<Double> isi = isis("chattering", scheme, dt);
        int bursts = 0;
        for (int i = 0; i < isi.size(); i++) {
            assertThat(isi.get(i)).as("ISI %d is in-burst (< 10 ms) or a pause (> 40 ms)", i)
                    .matches(x -> x < 10.0 || x > 40.0);
            if (isi.get(i) > 40.0) {
                bursts++;
                assertThat(isi.get(i - 1)).as("a pause follows a burst of at least two spikes").isLessThan(10.0);
            }
        }
        assertThat(bursts).isGreaterThanOrEqualTo(6);
        assertThat(isi.get(0)).isLessThan(10.0);
    }

    @ParameterizedTest(name = "{0}, dt {1} ms")
    @CsvSource({"paper, 1.0", "paper, 0.5", "euler, 1.0", "euler, 0.5"})
    void shouldBurstOnceThenFireTonicallyWhenBursting(String scheme, double dt) {
        // intrinsically bursting (c = -55, d = 4): an initial burst, then regular spikes with long intervals
        List<Double> isi = isis("bursting", scheme, dt);
        int burst = 0;
        while (burst < isi.size() && isi.get(burst) < 10.0) {
            burst++;
        }
        assertThat(burst).as("ISIs < 10 ms at the start").isBetween(1, 3);
        assertThat(isi.subList(burst, isi.size())).hasSizeGreaterThan(8).allMatch(x -> x >= 30.0);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"inhibitory, fast_spiking", "excitatory, regular_spiking"})
    void shouldGiveGenericTypesTheirPreset(String type, String presetType) {
        List<Long> actual = spikeTicks(build(spec(type, "paper", 1.0, 10.0, "")), 0, 1000);
        assertThat(actual).isEqualTo(reference(true, 1.0, preset(presetType), 10.0, 1000));
        String other = "fast_spiking".equals(presetType) ? "regular_spiking" : "fast_spiking";
        assertThat(actual).isNotEqualTo(reference(true, 1.0, preset(other), 10.0, 1000));
    }

    @Test
    void shouldOverridePresetWithIzhParams() {
        // regular spiking with d = 2 and c = -50 behaves as chattering
        List<Long> actual = spikeTicks(build(spec("regular_spiking", "paper", 1.0, 10.0,
                ", \"izh_c\": -50.0, \"izh_d\": 2.0")), 0, 1000);
        assertThat(actual).isEqualTo(reference(true, 1.0, CH, 10.0, 1000));
        List<Long> a = spikeTicks(build(spec("regular_spiking", "euler", 0.5, 10.0,
                ", \"izh_a\": 0.1, \"izh_b\": 0.25")), 0, 2000);
        assertThat(a).isEqualTo(reference(false, 0.5, new double[] {0.1, 0.25, -65, 8}, 10.0, 2000));
    }

    @Test
    void shouldStartAtVMinus65AndUEqualBTimesV() {
        Network net = build(spec("regular_spiking", "paper", 1.0, 10.0, ", \"izh_b\": 0.25"));
        assertThat(net.variable(0, "v")).isEqualTo(-65.0);
        assertThat(net.variable(0, "u")).isEqualTo(-16.25);
        Network init = build("{\"name\": \"i\", \"seed\": 1, \"populations\": [{\"name\": \"n\", \"count\": 1,"
                + " \"model\": \"izhikevich\", \"type\": \"fast_spiking\", \"init\": {\"v\": -70.0}}]}");
        assertThat(init.variable(0, "v")).isEqualTo(-70.0);
        assertThat(init.variable(0, "u")).isEqualTo(0.2 * -70.0);
        Network initU = build("{\"name\": \"i\", \"seed\": 1, \"populations\": [{\"name\": \"n\", \"count\": 1,"
                + " \"model\": \"izhikevich\", \"init\": {\"u\": -3.0}}]}");
        assertThat(initU.variable(0, "v")).isEqualTo(-65.0);
        assertThat(initU.variable(0, "u")).isEqualTo(-3.0);
    }

    @Test
    void shouldStayAtRestWithoutInput() {
        // v = -65, u = -13 is not a fixed point of the RS neuron; it relaxes toward rest and never fires
        Network net = build("{\"name\": \"q\", \"seed\": 1, \"populations\": [{\"name\": \"n\", \"count\": 1,"
                + " \"model\": \"izhikevich\", \"type\": \"regular_spiking\"}]}");
        assertThat(spikeTicks(net, 0, 1000)).isEmpty();
        assertThat(net.variable(0, "v")).isBetween(-75.0, -60.0);
    }

    @Test
    void shouldGiveEachNeuronOfABalancedMixItsTypesPreset() {
        Network net = build("{\"name\": \"mix\", \"seed\": 5, \"populations\": [{\"name\": \"n\", \"count\": 20,"
                + " \"model\": \"izhikevich\", \"type\": {\"balanced\": {\"inhibitory_fraction\": 0.3}},"
                + " \"params\": {\"scheme\": \"paper\"}}],"
                + " \"inputs\": [{\"target\": {\"population\": \"n\"}, \"current\": 10.0}]}");
        int ticks = 500;
        List<List<Long>> trains = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            trains.add(new ArrayList<>());
        }
        for (int k = 0; k < ticks; k++) {
            net.step();
            for (int i = 0; i < 20; i++) {
                if (spiked(net, i)) {
                    trains.get(i).add((long) k);
                }
            }
        }
        int fs = 0;
        int ib = 0;
        for (int i = 0; i < 20; i++) {
            NeuronType t = net.type(i);
            if (t == NeuronType.FAST_SPIKING) {
                fs++;
            } else if (t == NeuronType.BURSTING) {
                ib++;
            }
            assertThat(trains.get(i)).as("neuron %d (%s)", i, t)
                    .isEqualTo(reference(true, 1.0, preset(t.specName()), 10.0, ticks));
        }
        assertThat(fs).isEqualTo(6);   // ⌊20·0.3⌋
        assertThat(ib).isEqualTo(2);   // ⌊14·0.2⌋
    }
}
