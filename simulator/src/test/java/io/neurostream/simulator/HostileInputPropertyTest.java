package io.neurostream.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import io.neurostream.schemas.Topics;
import io.neurostream.schemas.avro.AppliedInput;
import io.neurostream.schemas.avro.Control;
import io.neurostream.schemas.avro.ControlCommand;
import io.neurostream.schemas.avro.Coordinate;
import io.neurostream.schemas.avro.ExternalInput;
import io.neurostream.schemas.avro.InputKind;
import io.neurostream.schemas.avro.Rejected;
import io.neurostream.schemas.avro.RunState;
import io.neurostream.schemas.avro.Target;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.Tuple;
import net.jqwik.api.statistics.Statistics;

/**
 * Throws random bytes and random well-formed but hostile records at a network running in real time
 * (with {@link SimulatorTestDriver} and its fake clock) and checks, for every try: no exception
 * escapes; every record either applies (one journal entry) or is rejected (one {@code Rejected}, with
 * a known reason code and a sentence); the network keeps running at the pace of an undisturbed twin;
 * and the counts per reason, in total and in the network's Status, add up.
 *
 * <p>Hostile records are built field by field from pools of names that exist and do not, and of values
 * that are null, NaN, infinite, negative, zero, huge or ordinary, on every command and input kind;
 * a third of the byte arrays are valid encodings with bytes flipped, cut or appended. Commands that
 * would legitimately change the network's pace (PAUSE, RESET, STOP, a valid SPEED) go to other network
 * ids; if a mutated record turns into one that applies, the pace check is skipped for that try.
 *
 * <p>The seed is fixed so the build is reproducible; change or remove {@code seed} to explore.
 * How to run: {@code mvn -B -o test -pl simulator -Dtest=HostileInputPropertyTest} (a few seconds).
 */
class HostileInputPropertyTest {
    static final String NET = "net";
    /** Corpus-like limits, so oversized records are cheap to make. */
    static final Map<String, String> CONFIG = Map.of(SimulatorConfig.LATE_TOLERANCE_MS, "20",
            SimulatorConfig.MAX_MATRIX_VALUES, "256", SimulatorConfig.MAX_INPUT_NEURONS, "64",
            SimulatorConfig.MAX_NEURONS_KEY, "5000");
    /** A small two-area network that fires on its own (v_rest above threshold), with a sense on each area. */
    static final String SPEC = "{\"name\": \"hostile\", \"seed\": 11, \"dt_ms\": 0.1, \"lattice\": [8, 8, 2, 2],\n"
            + " \"areas\": [{\"name\": \"A\", \"x\": [0, 7], \"y\": [0, 7], \"z\": [0, 1], \"w\": [0, 0], \"sense\": \"eye\"},\n"
            + "           {\"name\": \"B\", \"x\": [0, 7], \"y\": [0, 7], \"z\": [0, 0], \"w\": [1, 1], \"sense\": \"ear\"}],\n"
            + " \"populations\": [\n"
            + "   {\"name\": \"E\", \"area\": \"A\", \"count\": 100, \"model\": \"lif\", \"type\": \"excitatory\",\n"
            + "    \"params\": {\"v_rest\": -49.0, \"v_threshold\": -50.0, \"v_reset\": -60.0, \"tau_membrane\": 20.0, \"refractory_ms\": 5.0},\n"
            + "    \"init\": {\"v\": {\"uniform\": [-60.0, -50.0]}}},\n"
            + "   {\"name\": \"I\", \"area\": \"A\", \"count\": 28, \"model\": \"lif\", \"type\": \"inhibitory\",\n"
            + "    \"params\": {\"v_rest\": -49.0, \"v_threshold\": -50.0, \"v_reset\": -60.0, \"tau_membrane\": 20.0, \"refractory_ms\": 5.0},\n"
            + "    \"init\": {\"v\": {\"uniform\": [-60.0, -50.0]}}},\n"
            + "   {\"name\": \"B_E\", \"area\": \"B\", \"count\": 64, \"model\": \"izhikevich\", \"type\": \"regular_spiking\"}],\n"
            + " \"synapse\": {\"kind\": \"exp_current\", \"tau_exc_ms\": 5.0, \"tau_inh_ms\": 10.0},\n"
            + " \"connections\": [{\"from\": \"E\", \"to\": [\"E\", \"I\", \"B_E\"], \"probability\": 0.1, \"weight\": 1.62, \"delay_ms\": 0.1},\n"
            + "                 {\"from\": \"I\", \"to\": [\"E\", \"I\"], \"probability\": 0.1, \"weight\": 9.0, \"delay_ms\": 0.1}]}";
    static final int NEURONS = 192;
    static final Duration WARM_UP = Duration.ofMillis(5);
    /** Commands that, applied to {@link #NET}, change its pace or state. */
    static final Set<ControlCommand> PACING = EnumSet.of(ControlCommand.START, ControlCommand.PAUSE, ControlCommand.RESUME,
            ControlCommand.STEP, ControlCommand.SPEED, ControlCommand.RESET, ControlCommand.STOP);

    /** One record and the wall time that passes before it arrives. */
    record Timed(Hostile record, int gapMs) {
    }

    /** A value as it arrives on a topic, with a short account of how it was made (shown when a try fails). */
    record Hostile(boolean control, String key, byte[] value, String what) {
        @Override
        public String toString() {
            return (control ? "control" : "external-input") + " key=" + key + " " + value.length + " bytes: " + what;
        }
    }

    // ------------------------------------------------------------------ properties

    @Property(tries = 200, seed = "20260101", shrinking = ShrinkingMode.BOUNDED, edgeCases = EdgeCasesMode.NONE)
    void hostileRecordsAreAppliedOrRejectedOnceAndNeverSlowTheNetwork(@ForAll("streams") List<Timed> stream) {
        check(stream);
    }

    @Property(tries = 200, seed = "20260101", shrinking = ShrinkingMode.BOUNDED, edgeCases = EdgeCasesMode.NONE)
    void hostileRecordsWithAnyScaleAreAppliedOrRejectedOnceAndNeverSlowTheNetwork(@ForAll("streamsWithAnyScale") List<Timed> stream) {
        check(stream);
    }

    static void check(List<Timed> stream) {
        try (SimulatorTestDriver d = started(); SimulatorTestDriver twin = started()) {
            int setupJournal = d.journal().size();
            int rejected = 0;
            int applied = 0;
            for (Timed t : stream) {
                d.advanceWallClock(Duration.ofMillis(t.gapMs()));
                twin.advanceWallClock(Duration.ofMillis(t.gapMs()));
                int rejectedBefore = d.rejected().size();
                int journalBefore = d.journal().size();
                Hostile h = t.record();
                if (h.control()) {
                    d.pipeRawControl(h.key(), h.value());
                } else {
                    d.pipeRawInput(h.key(), h.value());
                }
                int newRejected = d.rejected().size() - rejectedBefore;
                int newJournal = d.journal().size() - journalBefore;
                assertThat(newRejected + newJournal).as("%s: rejected once or applied once (rejected %s, journaled %s)", h,
                        newRejected, newJournal).isEqualTo(1);
                if (newRejected == 1) {
                    Rejected r = d.rejected().get(rejectedBefore);
                    assertThat(RejectReason.valueOf(r.getReasonCode())).isNotNull();
                    assertThat(r.getReason()).as("%s: reason", h).isNotBlank();
                    assertThat(r.getRaw().remaining()).isEqualTo(Math.min(h.value().length, 1024));
                    assertThat(r.getRawSize()).isEqualTo(h.value().length);
                    Statistics.label("outcome").collect(r.getReasonCode());
                    rejected++;
                } else {
                    Statistics.label("outcome").collect("applied");
                    applied++;
                }
            }
            d.advanceWallClock(Duration.ofMillis(3));
            twin.advanceWallClock(Duration.ofMillis(3));

            // counts add up: per reason, in total, and in the network's Status
            Map<RejectReason, Long> byCode = new EnumMap<>(RejectReason.class);
            d.rejected().forEach(r -> byCode.merge(RejectReason.valueOf(r.getReasonCode()), 1L, Long::sum));
            assertThat(d.core().rejectedByReason()).isEqualTo(byCode);
            assertThat(rejected + applied).isEqualTo(stream.size());
            assertThat(d.rejected()).hasSize(rejected);

            boolean paceChanged = d.journal().subList(setupJournal, d.journal().size()).stream().map(AppliedInput::getPayload)
                    .anyMatch(p -> p instanceof Control c && c.getNetworkId().equals(NET) && PACING.contains(c.getCommand()));
            Statistics.label("pace of net changed by a mutated record").collect(paceChanged);
            if (paceChanged) {
                return;
            }
            // the network keeps running, tick for tick with its undisturbed twin
            assertThat(d.core().network(NET)).as("network still hosted").isNotNull();
            assertThat(d.core().network(NET).state()).isEqualTo(RunState.RUNNING);
            long tick = d.core().network(NET).tick();
            assertThat(tick).as("tick against an undisturbed twin").isEqualTo(twin.core().network(NET).tick());
            long wallMs = WARM_UP.toMillis() + 3 + stream.stream().mapToLong(Timed::gapMs).sum();
            assertThat(tick).as("tick after %s ms at speed 1, dt 0.1 ms, 10-tick frames", wallMs)
                    .isBetween(wallMs * 10 - 10, wallMs * 10);
            long aboutNet = d.rejected().stream().filter(r -> NET.equals(r.getNetworkId())).count();
            d.core().publishStatus(NET, d.wallClockMs());
            assertThat(d.status(NET).getRejectedCount()).as("Status.rejected_count").isEqualTo(aboutNet);
        }
    }

    static SimulatorTestDriver started() {
        SimulatorTestDriver d = new SimulatorTestDriver(CONFIG);
        d.pipeControl(Commands.create(NET, SPEC));
        d.pipeControl(Commands.start(NET, 1.0));
        d.advanceWallClock(WARM_UP);
        assertThat(d.rejected()).isEmpty();
        assertThat(d.core().network(NET).network().size()).isEqualTo(NEURONS);
        return d;
    }

    // ------------------------------------------------------------------ generators

    @Provide
    Arbitrary<List<Timed>> streams() {
        return streams(true);
    }

    @Provide
    Arbitrary<List<Timed>> streamsWithAnyScale() {
        return streams(false);
    }

    static Arbitrary<List<Timed>> streams(boolean avoidKnownBugs) {
        Arbitrary<Hostile> wellFormed = Arbitraries.oneOf(controls(), inputs(avoidKnownBugs));
        Arbitrary<Hostile> record = Arbitraries.frequencyOf(
                Tuple.of(2, randomBytes()),
                Tuple.of(6, wellFormed),
                Tuple.of(2, mutated(wellFormed)),
                Tuple.of(2, extremeMagnitudes(avoidKnownBugs)));
        Arbitrary<Integer> gap = Arbitraries.integers().between(0, 3);
        return Combinators.combine(record, gap).as(Timed::new).list().ofMinSize(1).ofMaxSize(12);
    }

    static Arbitrary<String> keysFor(String networkId) {
        return Arbitraries.frequencyOf(Tuple.of(18, Arbitraries.just(networkId)),
                Tuple.of(1, Arbitraries.of("other", "", "x".repeat(300))), Tuple.of(1, Arbitraries.just((String) null)));
    }

    static Arbitrary<String> networkIds() {
        return Arbitraries.frequencyOf(Tuple.of(12, Arbitraries.just(NET)),
                Tuple.of(2, Arbitraries.of("ghost", "fresh-1", "fresh-2", "")), Tuple.of(1, Arbitraries.strings().ofMaxLength(12)));
    }

    static Arbitrary<Double> hostileDoubles() {
        return Arbitraries.frequencyOf(
                Tuple.of(3, Arbitraries.of(Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 0.0, -0.0, -1.0,
                        1e300, -1e300, Double.MAX_VALUE, -Double.MAX_VALUE, Double.MIN_VALUE)),
                Tuple.of(3, Arbitraries.doubles().between(-1e6, 1e6)),
                Tuple.of(2, Arbitraries.doubles().between(-100, 100)));
    }

    /** Scales that are NaN, infinite or at most 1e3 in size: a finite scale no larger cannot overflow a finite value. */
    static Arbitrary<Double> scales(boolean avoidKnownBugs) {
        if (!avoidKnownBugs) {
            return hostileDoubles();
        }
        return Arbitraries.frequencyOf(
                Tuple.of(1, Arbitraries.of(Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 0.0, -1.0, 1e3)),
                Tuple.of(4, Arbitraries.doubles().between(-1e3, 1e3)));
    }

    static Arbitrary<Integer> hostileInts() {
        return Arbitraries.frequencyOf(
                Tuple.of(2, Arbitraries.of(Integer.MIN_VALUE, -1, 0, 1, Integer.MAX_VALUE, 1_000_000_001)),
                Tuple.of(3, Arbitraries.integers().between(-10, 300)));
    }

    static Arbitrary<Long> hostileLongs() {
        return Arbitraries.frequencyOf(
                Tuple.of(2, Arbitraries.of(Long.MIN_VALUE, -1L, 0L, 1L, Long.MAX_VALUE, 1_000_000_000_000L)),
                Tuple.of(3, Arbitraries.longs().between(-10, 5000)));
    }

    static Arbitrary<Hostile> randomBytes() {
        Arbitrary<byte[]> noise = Arbitraries.bytes().array(byte[].class).ofMaxSize(300);
        Arbitrary<byte[]> value = Arbitraries.oneOf(noise,
                noise.map(b -> concat(new byte[] {(byte) 0xC3, 0x01}, b)),
                noise.map(b -> concat(BadInputCorpusGenerator.header(Topics.CONTROL.valueSerde().fingerprint()), b)),
                noise.map(b -> concat(BadInputCorpusGenerator.header(Topics.EXTERNAL_INPUT.valueSerde().fingerprint()), b)));
        return Combinators.combine(Arbitraries.of(true, false), keysFor(NET), value)
                .as((control, key, v) -> new Hostile(control, key, v, "random bytes"));
    }

    static Arbitrary<Hostile> mutated(Arbitrary<Hostile> base) {
        return Combinators.combine(base, Arbitraries.randoms(), Arbitraries.integers().between(0, 2)).as((h, random, how) -> {
            byte[] v = h.value().clone();
            String what;
            if (how == 0 || v.length == 0) {
                int flips = 1 + random.nextInt(3);
                for (int i = 0; i < flips && v.length > 0; i++) {
                    v[random.nextInt(v.length)] ^= (byte) (1 << random.nextInt(8));
                }
                what = flips + " bit(s) flipped";
            } else if (how == 1) {
                v = Arrays.copyOf(v, random.nextInt(v.length));
                what = "cut to " + v.length + " bytes";
            } else {
                byte[] tail = new byte[1 + random.nextInt(8)];
                random.nextBytes(tail);
                v = concat(v, tail);
                what = tail.length + " bytes appended";
            }
            return new Hostile(h.control(), h.key(), v, what + " of (" + h.what() + ")");
        });
    }

    // ---- controls

    static Arbitrary<Hostile> controls() {
        Arbitrary<ControlCommand> command = Arbitraries.of(ControlCommand.class);
        Arbitrary<String> spec = Arbitraries.of(BadInputCorpusGenerator.TINY_SPEC, SPEC, "", "null", "[]", "{}",
                "{\"name\": \"x\", \"populations\": [", "{\"name\": \"x\", \"populatons\": []}",
                "{\"name\": \"x\", \"populations\": [{\"name\": \"n\", \"count\": 10}], \"connections\": [{\"from\": \"n\", "
                        + "\"to\": \"n\", \"probability\": 0.5, \"weight\": -1.0}]}",
                "{\"name\": \"x\", \"populations\": [{\"name\": \"n\", \"count\": 6000}]}",
                "{\"name\": \"x\", \"populations\": " + "[".repeat(3000) + "]".repeat(3000) + "}").injectNull(0.1);
        Arbitrary<Long> steps = hostileLongs().injectNull(0.2);
        Arbitrary<Double> speed = hostileDoubles().injectNull(0.2);
        Arbitrary<Double> speedForNet = Arbitraries.of(Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, -1.0,
                -1e-9, 1e6 + 1, 1e300).injectNull(0.2);
        Arbitrary<List<Integer>> probeNeurons = Arbitraries.frequencyOf(
                Tuple.of(3, Arbitraries.integers().between(-3, NEURONS + 3).list().ofMaxSize(5)),
                Tuple.of(1, hostileInts().list().ofMaxSize(3))).injectNull(0.2);
        Arbitrary<List<String>> probeVariables = Arbitraries.of("v", "u", "ge", "gi", "input", "voltage", "")
                .list().ofMaxSize(3).injectNull(0.3);
        Arbitrary<Integer> probeEvery = hostileInts().injectNull(0.3);
        Arbitrary<String> population = Arbitraries.of("E", "I", "B_E", "nope", "").injectNull(0.1);
        Arbitrary<String> parameter = Arbitraries.of("v_threshold", "v_rest", "v_reset", "tau_membrane", "refractory_ms", "r",
                "izh_a", "izh_d", "v_peak", "nonsense", "").injectNull(0.1);
        Arbitrary<Double> value = hostileDoubles().injectNull(0.1);

        Arbitrary<Control> cmd = Combinators.combine(command, networkIds(), spec, steps, speed, speedForNet,
                Combinators.combine(probeNeurons, probeVariables, probeEvery).as((n, v, e) -> new Object[] {n, v, e}),
                Combinators.combine(population, parameter, value).as((p, n, v) -> new Object[] {p, n, v}))
                .as((c, id, s, st, sp, spNet, probe, set) -> {
                    String target = id;
                    if (NET.equals(id) && EnumSet.of(ControlCommand.PAUSE, ControlCommand.RESET, ControlCommand.STOP).contains(c)) {
                        target = "fresh-2"; // these would apply to the running network; aim them elsewhere
                    }
                    @SuppressWarnings("unchecked")
                    Control.Builder b = Control.newBuilder().setNetworkId(target).setCommand(c).setIssuedAtMs(1L)
                            .setSpecJson(s).setSteps(st).setSpeed(NET.equals(target) ? spNet : sp)
                            .setProbeNeurons((List<Integer>) probe[0]).setProbeVariables((List<String>) probe[1])
                            .setProbeEveryTicks((Integer) probe[2]).setSetPopulation((String) set[0])
                            .setSetParameter((String) set[1]).setSetValue((Double) set[2]);
                    return b.build();
                });
        return cmd.flatMap(c -> keysFor(c.getNetworkId())
                .map(key -> new Hostile(true, key, Topics.CONTROL.valueSerde().encode(c), describe(c))));
    }

    static String describe(Control c) {
        return c.getCommand() + " " + c.getNetworkId() + " steps=" + c.getSteps() + " speed=" + c.getSpeed() + " probe="
                + c.getProbeNeurons() + "/" + c.getProbeVariables() + "/" + c.getProbeEveryTicks() + " set=" + c.getSetPopulation()
                + "." + c.getSetParameter() + "=" + c.getSetValue()
                + (c.getSpecJson() == null ? "" : " spec=" + abbreviate(c.getSpecJson()));
    }

    // ---- inputs

    static Arbitrary<Hostile> inputs(boolean avoidKnownBugs) {
        Arbitrary<ExternalInput> base = Combinators.combine(networkIds(), Arbitraries.of(InputKind.class),
                hostileLongs().injectNull(0.4), hostileInts(), targets(), hostileDoubles().injectNull(0.2),
                hostileDoubles().injectNull(0.2), hostileDoubles())
                .as((id, kind, tick, duration, target, current, rate, weight) -> ExternalInput.newBuilder().setNetworkId(id)
                        .setKind(kind).setTick(tick).setDurationTicks(duration).setTarget(target).setCurrent(current)
                        .setRateHz(rate).setWeight(weight).build());
        Arbitrary<ExternalInput> full = Combinators.combine(base, scales(avoidKnownBugs), matrices())
                .as((in, scale, m) -> ExternalInput.newBuilder(in).setScale(scale).setMatrixRows(m.rows)
                        .setMatrixCols(m.cols).setMatrixValues(m.values == null ? null : ByteBuffer.wrap(m.values)).build());
        return full.flatMap(in -> keysFor(in.getNetworkId())
                .map(key -> new Hostile(false, key, Topics.EXTERNAL_INPUT.valueSerde().encode(in), describe(in))));
    }

    /**
     * Inputs for {@link #NET} that are valid in every respect but the size of their numbers: currents,
     * rates, weights, matrix values and scales from ordinary to the largest finite doubles and floats.
     */
    static Arbitrary<Hostile> extremeMagnitudes(boolean avoidKnownBugs) {
        Arbitrary<Double> big = Arbitraries.frequencyOf(
                Tuple.of(2, Arbitraries.of(1e300, -1e300, Double.MAX_VALUE, -Double.MAX_VALUE, 1e30, Double.MIN_VALUE)),
                Tuple.of(1, Arbitraries.doubles().between(-1e3, 1e3)));
        Arbitrary<Double> scale = avoidKnownBugs ? scales(true) : Arbitraries.frequencyOf(
                Tuple.of(2, Arbitraries.of(1e300, -1e300, Double.MAX_VALUE, 1e270)), Tuple.of(1, Arbitraries.doubles().between(-1e3, 1e3)));
        Arbitrary<Float> bigFloat = Arbitraries.frequencyOf(Tuple.of(2, Arbitraries.of(Float.MAX_VALUE, -Float.MAX_VALUE, 3e38f, 1e30f)),
                Tuple.of(1, Arbitraries.floats().between(-1e3f, 1e3f)));
        Arbitrary<Target> target = Arbitraries.of(
                Target.newBuilder().setPopulations(List.of("E")).build(),
                Target.newBuilder().setPopulations(List.of("B_E", "I")).build(),
                Target.newBuilder().setArea("B").build(),
                Target.newBuilder().setNeurons(List.of(0, 5, 150)).build());
        Arbitrary<ExternalInput> current = Combinators.combine(target, big, scale, Arbitraries.integers().between(1, 20))
                .as((t, c, sc, dur) -> ExternalInput.newBuilder().setNetworkId(NET).setKind(InputKind.CURRENT).setTarget(t)
                        .setCurrent(c).setScale(sc).setDurationTicks(dur).build());
        Arbitrary<ExternalInput> poisson = Combinators.combine(target, Arbitraries.doubles().between(0, 1e5), big.map(Math::abs), scale,
                Arbitraries.integers().between(1, 20))
                .as((t, rate, w, sc, dur) -> ExternalInput.newBuilder().setNetworkId(NET).setKind(InputKind.POISSON).setTarget(t)
                        .setRateHz(rate).setWeight(w).setScale(sc).setDurationTicks(dur).build());
        Arbitrary<ExternalInput> matrix = Combinators.combine(Arbitraries.of("eye", "ear"), Arbitraries.integers().between(1, 8),
                Arbitraries.integers().between(1, 8), bigFloat, scale, Arbitraries.integers().between(1, 20))
                .as((sense, rows, cols, v, sc, dur) -> {
                    float[] values = new float[rows * cols];
                    Arrays.fill(values, v);
                    return ExternalInput.newBuilder().setNetworkId(NET).setKind(InputKind.MATRIX)
                            .setTarget(Target.newBuilder().setSense(sense).setZLayer(0).build()).setMatrixRows(rows)
                            .setMatrixCols(cols).setMatrixValues(BadInputCorpusGenerator.packed(values)).setScale(sc)
                            .setDurationTicks(dur).build();
                });
        return Arbitraries.oneOf(current, poisson, matrix)
                .map(in -> new Hostile(false, NET, Topics.EXTERNAL_INPUT.valueSerde().encode(in), "extreme: " + describe(in)));
    }

    static String describe(ExternalInput in) {
        return in.getKind() + " " + in.getNetworkId() + " tick=" + in.getTick() + " duration=" + in.getDurationTicks()
                + " target=" + abbreviate(String.valueOf(in.getTarget())) + " current=" + in.getCurrent() + " rate="
                + in.getRateHz() + " weight=" + in.getWeight() + " scale=" + in.getScale() + " matrix=" + in.getMatrixRows() + "x"
                + in.getMatrixCols() + "/" + (in.getMatrixValues() == null ? "null" : in.getMatrixValues().remaining() + " bytes");
    }

    static Arbitrary<Target> targets() {
        Arbitrary<List<String>> pops = Arbitraries.of("E", "I", "B_E", "nope", "").list().ofMaxSize(3).injectNull(0.6);
        Arbitrary<String> area = Arbitraries.of("A", "B", "Z", "").injectNull(0.75);
        Arbitrary<String> sense = Arbitraries.of("eye", "ear", "nose", "").injectNull(0.6);
        Arbitrary<Integer> z = Arbitraries.frequencyOf(Tuple.of(3, Arbitraries.integers().between(-1, 2)),
                Tuple.of(1, hostileInts())).injectNull(0.5);
        Arbitrary<List<Integer>> neurons = Arbitraries.frequencyOf(
                Tuple.of(3, Arbitraries.integers().between(-2, NEURONS + 2).list().ofMaxSize(6)),
                Tuple.of(1, Arbitraries.integers().between(0, NEURONS - 1).list().ofMinSize(60).ofMaxSize(70)),
                Tuple.of(1, hostileInts().list().ofMaxSize(3))).injectNull(0.75);
        Arbitrary<Integer> axis = Arbitraries.frequencyOf(Tuple.of(4, Arbitraries.integers().between(-1, 8)), Tuple.of(1, hostileInts()));
        Arbitrary<List<Coordinate>> coords = Combinators.combine(axis, axis, axis, axis)
                .as((x, y, zz, w) -> Coordinate.newBuilder().setX(x).setY(y).setZ(zz).setW(w).build())
                .list().ofMaxSize(4).injectNull(0.8);
        Arbitrary<Target> mixed = Combinators.combine(pops, area, sense, z, neurons, coords).as((p, a, s, zz, n, c) ->
                Target.newBuilder().setPopulations(p).setArea(a).setSense(s).setZLayer(zz).setNeurons(n).setCoordinates(c).build());
        // mostly one way of naming neurons, as a real producer does; sometimes none or several
        return Arbitraries.frequencyOf(
                Tuple.of(2, pops.filter(p -> p != null).map(p -> Target.newBuilder().setPopulations(p).build())),
                Tuple.of(1, area.filter(a -> a != null).map(a -> Target.newBuilder().setArea(a).build())),
                Tuple.of(2, Combinators.combine(sense.filter(x -> x != null), z)
                        .as((x, zz) -> Target.newBuilder().setSense(x).setZLayer(zz).build())),
                Tuple.of(2, neurons.filter(n -> n != null).map(n -> Target.newBuilder().setNeurons(n).build())),
                Tuple.of(1, coords.filter(c -> c != null).map(c -> Target.newBuilder().setCoordinates(c).build())),
                Tuple.of(2, mixed));
    }

    record Matrix(Integer rows, Integer cols, byte[] values) {
    }

    static Arbitrary<Matrix> matrices() {
        Arbitrary<Integer> dim = Arbitraries.frequencyOf(Tuple.of(5, Arbitraries.integers().between(0, 10)),
                Tuple.of(1, Arbitraries.of(-1, 16, 17, 100_000, Integer.MAX_VALUE)));
        Arbitrary<Float> value = Arbitraries.frequencyOf(
                Tuple.of(1, Arbitraries.of(Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.MAX_VALUE, -Float.MAX_VALUE)),
                Tuple.of(8, Arbitraries.floats().between(-200f, 200f)));
        return Combinators.combine(dim.injectNull(0.1), dim.injectNull(0.1), value, Arbitraries.randoms(),
                Arbitraries.integers().between(0, 5)).as((rows, cols, v, random, how) -> {
                    if (how == 0) {
                        return new Matrix(rows, cols, null);
                    }
                    long wanted = rows == null || cols == null ? 4 : Math.max(0L, (long) rows * cols);
                    int n = (int) Math.min(wanted, 400);
                    if (how == 1) {
                        n = random.nextInt(20); // a length that rarely matches the shape
                    }
                    ByteBuffer b = ByteBuffer.allocate(4 * n).order(ByteOrder.LITTLE_ENDIAN);
                    for (int i = 0; i < n; i++) {
                        b.putFloat(random.nextInt(10) == 0 ? v : (float) (random.nextGaussian() * 50));
                    }
                    return new Matrix(rows, cols, b.array());
                });
    }

    static byte[] concat(byte[] a, byte[] b) {
        return BadInputCorpusGenerator.concat(a, b);
    }

    static String abbreviate(String s) {
        return s.length() <= 80 ? s : s.substring(0, 77) + "...";
    }
}
