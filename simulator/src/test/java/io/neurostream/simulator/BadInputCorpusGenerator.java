package io.neurostream.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.neurostream.schemas.SchemaVersions;
import io.neurostream.schemas.Topics;
import io.neurostream.schemas.avro.AreaFrame;
import io.neurostream.schemas.avro.Control;
import io.neurostream.schemas.avro.ControlCommand;
import io.neurostream.schemas.avro.Coordinate;
import io.neurostream.schemas.avro.EClass;
import io.neurostream.schemas.avro.ExternalInput;
import io.neurostream.schemas.avro.Frame;
import io.neurostream.schemas.avro.InputKind;
import io.neurostream.schemas.avro.Target;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Writes the bad-input corpus ({@code src/test/resources/bad-input/}, see {@link BadInputCorpus}) once.
 * The bytes are committed and stand for what old and foreign producers send; regenerate only to add
 * records, and check the diff touches no existing {@code .bin} file.
 *
 * <p>How to run (from the repository root; writes into the simulator module's test resources):
 * <pre>
 * mvn -B -o test -pl simulator -Dtest=BadInputCorpusGenerator -Dneurostream.corpus.regenerate=true
 * </pre>
 * or run {@link #main} with the simulator module as working directory. Expected output: one line
 * {@code wrote N records to src/test/resources/bad-input}.
 */
class BadInputCorpusGenerator {
    /** Where the corpus lives, relative to the simulator module. */
    static final Path OUT = Paths.get("src", "test", "resources", BadInputCorpus.DIR);
    /** Every Control of the corpus claims to be issued at this instant (stable bytes). */
    static final long ISSUED_AT_MS = SimulatorTestDriver.START_MS;

    static final String CUBA = "cuba";
    static final String DEMO = "demo";
    static final String IDLE = "idle";

    private final List<Rec> records = new ArrayList<>();

    private record Rec(String file, String topic, String key, String networkId, String reasonCode, List<String> mentions,
            String description, byte[] bytes) {
    }

    public static void main(String[] args) throws IOException {
        Path out = args.length > 0 ? Paths.get(args[0]) : OUT;
        int n = new BadInputCorpusGenerator().write(out);
        System.out.println("wrote " + n + " records to " + out);
    }

    @Test
    @EnabledIfSystemProperty(named = "neurostream.corpus.regenerate", matches = "true",
            disabledReason = "regenerates the committed corpus; run with -Dneurostream.corpus.regenerate=true")
    void regenerate() throws IOException {
        int n = write(OUT);
        assertThat(n).isGreaterThanOrEqualTo(30);
        System.out.println("wrote " + n + " records to " + OUT);
    }

    // ------------------------------------------------------------------ the records

    private void build() {
        Random random = new Random(20260101L);

        // ---- bytes that are not a record of the topic's schema
        add("undecodable-empty.bin", "external-input", CUBA, null, "UNDECODABLE", List.of("TRUNCATED"),
                "an empty value: not even the 10-byte single-object header", new byte[0]);
        add("undecodable-marker-only.bin", "external-input", CUBA, null, "UNDECODABLE", List.of("TRUNCATED", "4-byte"),
                "the C3 01 marker and two bytes of fingerprint, cut inside the header",
                new byte[] {(byte) 0xC3, 0x01, 0x12, 0x34});
        byte[] pause = encode(ctl(CUBA, ControlCommand.PAUSE).build());
        add("undecodable-header-only.bin", "control", CUBA, null, "UNDECODABLE", List.of("TRUNCATED", "Control"),
                "the 10-byte header of a Control (PAUSE cuba) and no body", Arrays.copyOf(pause, 10));
        byte[] current = encode(in(CUBA, InputKind.CURRENT, pops("E")).setCurrent(2.0).build());
        add("undecodable-body-cut.bin", "external-input", CUBA, null, "UNDECODABLE", List.of("TRUNCATED", "ExternalInput"),
                "a CURRENT ExternalInput cut in the middle of its body", Arrays.copyOf(current, current.length / 2 + 3));
        byte[] noise = new byte[64];
        random.nextBytes(noise);
        noise[0] = 0x5A;
        add("undecodable-random-bytes.bin", "external-input", CUBA, null, "UNDECODABLE", List.of("BAD_HEADER", "5a"),
                "64 random bytes (seeded), starting 5a", noise);
        byte[] noise2 = new byte[200];
        random.nextBytes(noise2);
        noise2[0] = (byte) 0xC3;
        noise2[1] = 0x00;
        add("undecodable-random-bytes-control.bin", "control", DEMO, null, "UNDECODABLE", List.of("BAD_HEADER", "c3 00"),
                "200 random bytes (seeded) that start like the marker but are not (c3 00)", noise2);
        add("undecodable-json-text.bin", "control", CUBA, null, "UNDECODABLE", List.of("BAD_HEADER", "7b 22"),
                "a producer that sent JSON text instead of Avro",
                "{\"network_id\": \"cuba\", \"command\": \"PAUSE\"}".getBytes(StandardCharsets.UTF_8));
        add("undecodable-unknown-fingerprint.bin", "external-input", CUBA, null, "UNDECODABLE",
                List.of("UNKNOWN_FINGERPRINT", "efbeaddeefbeadde"),
                "the C3 01 marker with a fingerprint no schema has (efbeaddeefbeadde) and a valid ExternalInput body",
                withHeader(0xDEADBEEFDEADBEEFL, body(current)));
        Frame frame = Frame.newBuilder().setNetworkId(CUBA).setFrame(7).setFirstTick(70).setTicks(10).setDtMs(0.1)
                .setSimTimeMs(7.0).setAreas(List.of(AreaFrame.newBuilder().setArea("all").setEClass(EClass.E).setSpikes(3)
                        .setNeurons(3200).setEInput(1.5).setIInput(0.5).setMeanVMv(-55.0).build())).build();
        add("undecodable-frame-on-control.bin", "control", CUBA, null, "UNDECODABLE", List.of("UNKNOWN_FINGERPRINT", "Frame"),
                "a Frame (the simulator's own output) produced to control by mistake", Topics.FRAMES.valueSerde().encode(frame));
        add("undecodable-control-on-input.bin", "external-input", CUBA, null, "UNDECODABLE",
                List.of("UNKNOWN_FINGERPRINT", "Control"),
                "a Control (START cuba) produced to external-input by mistake", encode(ctl(CUBA, ControlCommand.START).build()));
        add("undecodable-future-version.bin", "external-input", CUBA, null, "UNDECODABLE",
                List.of("UNKNOWN_FINGERPRINT", "newer version"),
                "an ExternalInput written with a future schema version (an extra int field 'priority' at the end)",
                futureExternalInput(in(CUBA, InputKind.CURRENT, pops("E")).setCurrent(2.0).build(), 3));
        add("undecodable-trailing-bytes.bin", "control", CUBA, null, "UNDECODABLE", List.of("CORRUPT", "left over"),
                "a valid Control (PAUSE cuba) followed by three stray bytes", concat(pause, new byte[] {1, 2, 3}));
        add("undecodable-enum-index.bin", "control", CUBA, null, "UNDECODABLE", List.of("CORRUPT"),
                "a Control whose command is enum index 99 (the schema has 12 symbols)", controlWithCommandIndex(CUBA, 99));
        add("undecodable-negative-length.bin", "external-input", CUBA, null, "UNDECODABLE", List.of("CORRUPT"),
                "an ExternalInput whose network_id claims a negative length (-5)", negativeLengthInput());
        add("undecodable-huge-string.bin", "control", CUBA, null, "UNDECODABLE", List.of("TRUNCATED"),
                "a Control whose network_id claims 1e9 bytes in a 13-byte value (must not allocate them)",
                withHeader(Topics.CONTROL.valueSerde().fingerprint(), concat(varLong(1_000_000_000L), new byte[] {1, 2, 3})));
        add("undecodable-huge-array.bin", "external-input", CUBA, null, "UNDECODABLE", List.of("TRUNCATED"),
                "an ExternalInput whose target.populations claims 1e9 items and carries none (must not allocate them)",
                hugeArrayInput());

        // ---- keys and networks
        add("key-mismatch-input.bin", "external-input", DEMO, CUBA, "KEY_MISMATCH", List.of("'demo'", "'cuba'"),
                "an input for cuba keyed 'demo' (it would land on demo's partition)", current);
        add("key-mismatch-control.bin", "control", "someone-else", CUBA, "KEY_MISMATCH", List.of("someone-else", "cuba"),
                "PAUSE cuba keyed 'someone-else'", pause);
        add("unknown-network-input.bin", "external-input", "ghost", "ghost", "UNKNOWN_NETWORK", List.of("ghost"),
                "an input for network 'ghost', which is not hosted",
                encode(in("ghost", InputKind.CURRENT, pops("E")).setCurrent(1.0).build()));
        add("unknown-network-control.bin", "control", "ghost", "ghost", "UNKNOWN_NETWORK", List.of("ghost"),
                "PAUSE for network 'ghost', which is not hosted", encode(ctl("ghost", ControlCommand.PAUSE).build()));
        add("create-existing.bin", "control", CUBA, CUBA, "NETWORK_EXISTS", List.of("cuba", "exists"),
                "CREATE cuba while cuba runs",
                encode(ctl(CUBA, ControlCommand.CREATE).setSpecJson(SimulatorCoreTest.CUBA).build()));
        add("create-empty-id.bin", "control", "", "", "BAD_COMMAND", List.of("network_id"),
                "CREATE with an empty network id (and an empty key)",
                encode(ctl("", ControlCommand.CREATE).setSpecJson(TINY_SPEC).build()));
        add("create-without-spec.bin", "control", "bad-nospec", "bad-nospec", "BAD_COMMAND", List.of("spec_json"),
                "CREATE with no spec_json", encode(ctl("bad-nospec", ControlCommand.CREATE).build()));
        add("create-malformed-json.bin", "control", "bad-json", "bad-json", "BAD_SPEC", List.of("not valid JSON"),
                "CREATE with a spec cut in the middle of its JSON",
                create("bad-json", "{\"name\": \"x\", \"populations\": [{\"name\": \"n\", \"count\": 10"));
        add("create-unknown-key.bin", "control", "bad-key", "bad-key", "BAD_SPEC", List.of("synapes"),
                "CREATE with a misspelled key ('synapes' for 'synapse') beside a valid population",
                create("bad-key", "{\"name\": \"x\", \"populations\": [{\"name\": \"n\", \"count\": 10}],"
                        + " \"synapes\": {\"kind\": \"exp_current\"}}"));
        add("create-negative-weight.bin", "control", "bad-weight", "bad-weight", "BAD_SPEC", List.of("weight", "negative"),
                "CREATE with a negative connection weight (weights are magnitudes; the sign comes from Dale's law)",
                create("bad-weight", "{\"name\": \"x\", \"populations\": [{\"name\": \"n\", \"count\": 10}],"
                        + " \"connections\": [{\"from\": \"n\", \"to\": \"n\", \"probability\": 0.1, \"weight\": -1.62}]}"));
        add("create-negative-dt.bin", "control", "bad-dt", "bad-dt", "BAD_SPEC", List.of("dt_ms"),
                "CREATE with a negative time step",
                create("bad-dt", "{\"name\": \"x\", \"dt_ms\": -0.1, \"populations\": [{\"name\": \"n\", \"count\": 10}]}"));
        add("create-spec-not-an-object.bin", "control", "bad-array", "bad-array", "BAD_SPEC", List.of("JSON object"),
                "CREATE with a spec that is a JSON array", create("bad-array", "[1, 2, 3]"));
        add("create-deeply-nested.bin", "control", "bad-nesting", "bad-nesting", "BAD_SPEC", List.of("nesting depth"),
                "CREATE with a spec nested 5000 arrays deep (must not overflow the stack)",
                create("bad-nesting", "{\"name\": \"x\", \"populations\": " + "[".repeat(5000) + "]".repeat(5000) + "}"));
        add("create-too-many-neurons.bin", "control", "bad-huge", "bad-huge", "OVERSIZED", List.of("100000"),
                "CREATE of 200000 neurons by count, beyond simulator.max.neurons (100000 in the corpus config)",
                create("bad-huge", "{\"name\": \"x\", \"populations\": [{\"name\": \"n\", \"count\": 200000}]}"));
        add("create-too-many-neurons-by-density.bin", "control", "bad-dense", "bad-dense", "OVERSIZED", List.of("100000"),
                "CREATE of 1000000 neurons by density (a 1000x1000x1x1 area filled), beyond simulator.max.neurons (100000)",
                create("bad-dense", "{\"name\": \"x\", \"lattice\": [1000, 1000, 1, 1], \"areas\": [{\"name\": \"all\","
                        + " \"x\": [0, 999], \"y\": [0, 999], \"z\": [0, 0], \"w\": [0, 0]}],"
                        + " \"populations\": [{\"name\": \"n\", \"area\": \"all\", \"density\": 1.0}]}"));

        // ---- commands in the wrong state, and out of range
        add("step-while-running.bin", "control", CUBA, CUBA, "WRONG_STATE", List.of("STEP", "RUNNING"),
                "STEP 10 while cuba runs in real time", encode(ctl(CUBA, ControlCommand.STEP).setSteps(10L).build()));
        add("start-twice.bin", "control", CUBA, CUBA, "WRONG_STATE", List.of("START", "RUNNING"),
                "START cuba again while it runs", encode(ctl(CUBA, ControlCommand.START).setSpeed(1.0).build()));
        add("resume-while-running.bin", "control", DEMO, DEMO, "WRONG_STATE", List.of("RESUME", "RUNNING"),
                "RESUME demo while it runs", encode(ctl(DEMO, ControlCommand.RESUME).build()));
        add("pause-before-start.bin", "control", IDLE, IDLE, "WRONG_STATE", List.of("PAUSE", "CREATED"),
                "PAUSE idle, which was created and never started", encode(ctl(IDLE, ControlCommand.PAUSE).build()));
        add("step-negative.bin", "control", IDLE, IDLE, "BAD_DURATION", List.of("-5"),
                "STEP -5 ticks", encode(ctl(IDLE, ControlCommand.STEP).setSteps(-5L).build()));
        add("step-zero.bin", "control", IDLE, IDLE, "BAD_DURATION", List.of("got 0"),
                "STEP 0 ticks", encode(ctl(IDLE, ControlCommand.STEP).setSteps(0L).build()));
        add("step-absurd.bin", "control", IDLE, IDLE, "BAD_DURATION", List.of("1000000000000000"),
                "STEP 10^15 ticks (three thousand years at dt 0.1 ms)",
                encode(ctl(IDLE, ControlCommand.STEP).setSteps(1_000_000_000_000_000L).build()));
        add("step-without-steps.bin", "control", IDLE, IDLE, "BAD_COMMAND", List.of("steps"),
                "STEP with no steps field (a missing field, like SPEED without speed)",
                encode(ctl(IDLE, ControlCommand.STEP).build()));
        add("speed-nan.bin", "control", CUBA, CUBA, "NON_FINITE", List.of("NaN"),
                "SPEED NaN", encode(ctl(CUBA, ControlCommand.SPEED).setSpeed(Double.NaN).build()));
        add("speed-infinite.bin", "control", DEMO, DEMO, "NON_FINITE", List.of("Infinity"),
                "SPEED +Infinity", encode(ctl(DEMO, ControlCommand.SPEED).setSpeed(Double.POSITIVE_INFINITY).build()));
        add("speed-negative.bin", "control", CUBA, CUBA, "BAD_DURATION", List.of("-1.0"),
                "SPEED -1", encode(ctl(CUBA, ControlCommand.SPEED).setSpeed(-1.0).build()));
        add("speed-absurd.bin", "control", CUBA, CUBA, "BAD_DURATION", List.of("1.0E12"),
                "SPEED 1e12 (beyond the 1e6 cap)", encode(ctl(CUBA, ControlCommand.SPEED).setSpeed(1e12).build()));
        add("speed-without-speed.bin", "control", CUBA, CUBA, "BAD_COMMAND", List.of("speed"),
                "SPEED with no speed field", encode(ctl(CUBA, ControlCommand.SPEED).build()));
        add("command-unknown.bin", "control", CUBA, CUBA, "BAD_COMMAND", List.of("UNKNOWN"),
                "command UNKNOWN (what a reader decodes a newer producer's command to)",
                encode(ctl(CUBA, ControlCommand.UNKNOWN).build()));
        add("set-unknown-parameter.bin", "control", CUBA, CUBA, "UNKNOWN_PARAMETER", List.of("v_treshold"),
                "SET a misspelled parameter (v_treshold) of population E",
                encode(set(CUBA, "E", "v_treshold", -52.0)));
        add("set-unknown-population.bin", "control", CUBA, CUBA, "UNKNOWN_POPULATION", List.of("Exc"),
                "SET v_threshold of a population cuba does not have (Exc)", encode(set(CUBA, "Exc", "v_threshold", -52.0)));
        add("set-nan.bin", "control", CUBA, CUBA, "NON_FINITE", List.of("NaN"),
                "SET v_threshold of E to NaN", encode(set(CUBA, "E", "v_threshold", Double.NaN)));
        add("set-infinite.bin", "control", DEMO, DEMO, "NON_FINITE", List.of("Infinity"),
                "SET v_rest of V1_E to -Infinity", encode(set(DEMO, "V1_E", "v_rest", Double.NEGATIVE_INFINITY)));
        add("set-negative-time-constant.bin", "control", CUBA, CUBA, "BAD_DURATION", List.of("tau_membrane", "-5"),
                "SET tau_membrane of E to -5 ms (a time constant must be positive; the parameter exists)",
                encode(set(CUBA, "E", "tau_membrane", -5.0)));
        add("set-without-value.bin", "control", CUBA, CUBA, "BAD_COMMAND", List.of("set_value"),
                "SET v_threshold of E with no set_value",
                encode(ctl(CUBA, ControlCommand.SET).setSetPopulation("E").setSetParameter("v_threshold").build()));
        add("probe-unknown-neuron.bin", "control", CUBA, CUBA, "UNKNOWN_NEURON", List.of("4000", "network 'cuba'"),
                "PROBE neurons 0 and 4000 of the 4000-neuron cuba (ids 0..3999)",
                encode(ctl(CUBA, ControlCommand.PROBE).setProbeNeurons(List.of(0, 4000)).build()));
        add("probe-negative-neuron.bin", "control", CUBA, CUBA, "UNKNOWN_NEURON", List.of("-1"),
                "PROBE neuron -1", encode(ctl(CUBA, ControlCommand.PROBE).setProbeNeurons(List.of(-1)).build()));
        add("probe-unknown-variable.bin", "control", CUBA, CUBA, "BAD_COMMAND", List.of("voltage"),
                "PROBE variable 'voltage' (variables: v, u, ge, gi)",
                encode(ctl(CUBA, ControlCommand.PROBE).setProbeNeurons(List.of(1)).setProbeVariables(List.of("voltage")).build()));
        add("probe-zero-interval.bin", "control", CUBA, CUBA, "BAD_DURATION", List.of("probe_every_ticks", "0"),
                "PROBE every 0 ticks",
                encode(ctl(CUBA, ControlCommand.PROBE).setProbeNeurons(List.of(1)).setProbeEveryTicks(0).build()));

        // ---- inputs: targets
        add("input-unknown-population.bin", "external-input", CUBA, CUBA, "UNKNOWN_POPULATION", List.of("Exc"),
                "a CURRENT into population Exc, which cuba does not have",
                encode(in(CUBA, InputKind.CURRENT, pops("Exc")).setCurrent(2.0).build()));
        add("input-unknown-area.bin", "external-input", DEMO, DEMO, "UNKNOWN_AREA", List.of("V2_like"),
                "a CURRENT into area V2_like, which demo does not have",
                encode(in(DEMO, InputKind.CURRENT, Target.newBuilder().setArea("V2_like").build()).setCurrent(2.0).build()));
        add("input-unknown-sense.bin", "external-input", DEMO, DEMO, "UNKNOWN_SENSE", List.of("smell"),
                "a 2x2 MATRIX onto sense 'smell', which demo does not have",
                encode(matrix(DEMO, "smell", 0, 2, 2, floats(4, 1f), 1.0).build()));
        add("input-unknown-neuron.bin", "external-input", CUBA, CUBA, "UNKNOWN_NEURON", List.of("4000"),
                "a CURRENT into neurons 0 and 4000 of the 4000-neuron cuba",
                encode(in(CUBA, InputKind.CURRENT, Target.newBuilder().setNeurons(List.of(0, 4000)).build()).setCurrent(2.0).build()));
        add("input-negative-neuron.bin", "external-input", CUBA, CUBA, "UNKNOWN_NEURON", List.of("-7"),
                "a CURRENT into neuron -7",
                encode(in(CUBA, InputKind.CURRENT, Target.newBuilder().setNeurons(List.of(-7)).build()).setCurrent(2.0).build()));
        add("input-off-lattice.bin", "external-input", DEMO, DEMO, "OFF_LATTICE", List.of("[20, 0, 0, 0]"),
                "a CURRENT into the cell (20, 0, 0, 0) of demo's 20x20x20x20 lattice",
                encode(in(DEMO, InputKind.CURRENT, coords(new int[] {20, 0, 0, 0})).setCurrent(2.0).build()));
        add("input-negative-coordinate.bin", "external-input", DEMO, DEMO, "OFF_LATTICE", List.of("[0, -1, 0, 0]"),
                "a CURRENT into the cell (0, -1, 0, 0)",
                encode(in(DEMO, InputKind.CURRENT, coords(new int[] {0, -1, 0, 0})).setCurrent(2.0).build()));
        add("input-coordinate-without-neuron.bin", "external-input", DEMO, DEMO, "OFF_LATTICE",
                List.of("no neuron", "[0, 0, 0, 5]"),
                "a CURRENT into the cell (0, 0, 0, 5): on the lattice, in no area, so no neuron there",
                encode(in(DEMO, InputKind.CURRENT, coords(new int[] {1, 1, 1, 0}, new int[] {0, 0, 0, 5})).setCurrent(2.0).build()));
        add("input-no-target.bin", "external-input", CUBA, CUBA, "BAD_TARGET", List.of("exactly one"),
                "a CURRENT whose target names nothing",
                encode(in(CUBA, InputKind.CURRENT, Target.newBuilder().build()).setCurrent(2.0).build()));
        add("input-two-targets.bin", "external-input", DEMO, DEMO, "BAD_TARGET", List.of("exactly one", "got 2"),
                "a CURRENT whose target names both populations and an area",
                encode(in(DEMO, InputKind.CURRENT, Target.newBuilder().setPopulations(List.of("V1_E")).setArea("V1_like").build())
                        .setCurrent(2.0).build()));
        add("input-current-into-sense.bin", "external-input", DEMO, DEMO, "BAD_TARGET", List.of("MATRIX"),
                "a CURRENT aimed at a sense (a sense takes a MATRIX)",
                encode(in(DEMO, InputKind.CURRENT, Target.newBuilder().setSense("vision").build()).setCurrent(2.0).build()));
        add("input-matrix-without-sense.bin", "external-input", DEMO, DEMO, "BAD_TARGET", List.of("sense"),
                "a MATRIX aimed at a population instead of a sense",
                encode(in(DEMO, InputKind.MATRIX, pops("V1_E")).setMatrixRows(1).setMatrixCols(1)
                        .setMatrixValues(packed(floats(1, 1f))).build()));
        add("input-empty-population-list.bin", "external-input", CUBA, CUBA, "BAD_TARGET", List.of("empty", "no neuron"),
                "a CURRENT into an empty list of populations: it names no neuron",
                encode(in(CUBA, InputKind.CURRENT, Target.newBuilder().setPopulations(List.of()).build()).setCurrent(2.0).build()));
        add("input-unknown-kind.bin", "external-input", DEMO, DEMO, "BAD_COMMAND", List.of("UNKNOWN"),
                "an input of kind UNKNOWN (what a reader decodes a newer producer's kind to) carrying a sense and a matrix",
                encode(matrix(DEMO, "vision", 0, 2, 2, floats(4, 200f), 1.0).setKind(InputKind.UNKNOWN).build()));
        List<Integer> many = IntStream.range(0, 1001).boxed().collect(Collectors.toList());
        add("input-too-many-neurons.bin", "external-input", CUBA, CUBA, "OVERSIZED", List.of("1000", "1001"),
                "a CURRENT naming 1001 neurons, beyond simulator.input.max.neurons (1000 in the corpus config)",
                encode(in(CUBA, InputKind.CURRENT, Target.newBuilder().setNeurons(many).build()).setCurrent(2.0).build()));

        // ---- inputs: values
        add("input-current-nan.bin", "external-input", CUBA, CUBA, "NON_FINITE", List.of("NaN"),
                "a CURRENT of NaN", encode(in(CUBA, InputKind.CURRENT, pops("E")).setCurrent(Double.NaN).build()));
        add("input-current-infinite.bin", "external-input", CUBA, CUBA, "NON_FINITE", List.of("-Infinity"),
                "a CURRENT of -Infinity",
                encode(in(CUBA, InputKind.CURRENT, pops("E")).setCurrent(Double.NEGATIVE_INFINITY).build()));
        add("input-current-missing.bin", "external-input", CUBA, CUBA, "BAD_COMMAND", List.of("current"),
                "a CURRENT with no current field", encode(in(CUBA, InputKind.CURRENT, pops("E")).build()));
        add("input-rate-nan.bin", "external-input", CUBA, CUBA, "NON_FINITE", List.of("NaN"),
                "a POISSON train at NaN Hz", encode(in(CUBA, InputKind.POISSON, pops("I")).setRateHz(Double.NaN).build()));
        add("input-rate-infinite.bin", "external-input", DEMO, DEMO, "NON_FINITE", List.of("Infinity"),
                "a POISSON train at +Infinity Hz",
                encode(in(DEMO, InputKind.POISSON, pops("A1_E")).setRateHz(Double.POSITIVE_INFINITY).build()));
        add("input-rate-negative.bin", "external-input", CUBA, CUBA, "BAD_DURATION", List.of("-10.0"),
                "a POISSON train at -10 Hz", encode(in(CUBA, InputKind.POISSON, pops("E")).setRateHz(-10.0).build()));
        add("input-rate-absurd.bin", "external-input", CUBA, CUBA, "BAD_DURATION", List.of("1.0E9"),
                "a POISSON train at 1 GHz", encode(in(CUBA, InputKind.POISSON, pops("E")).setRateHz(1e9).build()));
        add("input-weight-infinite.bin", "external-input", CUBA, CUBA, "NON_FINITE", List.of("Infinity"),
                "a POISSON train whose events weigh +Infinity",
                encode(in(CUBA, InputKind.POISSON, pops("E")).setRateHz(100.0).setWeight(Double.POSITIVE_INFINITY).build()));
        add("input-weight-overflow.bin", "external-input", CUBA, CUBA, "NON_FINITE", List.of("1.0E300"),
                "a POISSON train of weight 1e300 at scale 1e300: each finite, their product +Infinity",
                encode(in(CUBA, InputKind.POISSON, pops("E")).setRateHz(100.0).setWeight(1e300).setScale(1e300).build()));
        add("input-scale-nan.bin", "external-input", DEMO, DEMO, "NON_FINITE", List.of("scale", "NaN"),
                "a 2x2 MATRIX at scale NaN", encode(matrix(DEMO, "vision", 0, 2, 2, floats(4, 1f), Double.NaN).build()));
        add("input-scale-infinite.bin", "external-input", CUBA, CUBA, "NON_FINITE", List.of("scale", "Infinity"),
                "a CURRENT at scale +Infinity",
                encode(in(CUBA, InputKind.CURRENT, pops("E")).setCurrent(1.0).setScale(Double.POSITIVE_INFINITY).build()));
        float[] withNan = floats(4, 1f);
        withNan[3] = Float.NaN;
        add("input-matrix-nan.bin", "external-input", DEMO, DEMO, "NON_FINITE", List.of("[1][1]", "NaN"),
                "a 2x2 MATRIX whose value [1][1] is NaN", encode(matrix(DEMO, "vision", 0, 2, 2, withNan, 1.0).build()));
        float[] withInf = floats(6, 1f);
        withInf[1] = Float.POSITIVE_INFINITY;
        add("input-matrix-infinite.bin", "external-input", DEMO, DEMO, "NON_FINITE", List.of("[0][1]", "Infinity"),
                "a 2x3 MATRIX whose value [0][1] is +Infinity", encode(matrix(DEMO, "audition", 0, 2, 3, withInf, 1.0).build()));
        add("input-matrix-overflow.bin", "external-input", DEMO, DEMO, "NON_FINITE", List.of("1.0E300"),
                "a 1x1 MATRIX of 3e38 (a finite float) at scale 1e300 (finite): the current value x scale is +Infinity",
                encode(matrix(DEMO, "vision", 0, 1, 1, new float[] {3e38f}, 1e300).build()));
        add("input-matrix-shape-mismatch.bin", "external-input", DEMO, DEMO, "BAD_SHAPE", List.of("20x20", "1600", "100"),
                "a MATRIX declared 20x20 (1600 bytes of float32) that carries 100 bytes",
                encode(in(DEMO, InputKind.MATRIX, sense("vision", 0)).setMatrixRows(20).setMatrixCols(20)
                        .setMatrixValues(packed(floats(25, 1f))).build()));
        add("input-matrix-larger-than-area.bin", "external-input", DEMO, DEMO, "BAD_SHAPE", List.of("21x20", "20x20"),
                "a 21x20 MATRIX onto vision, whose area is 20x20 on x, y",
                encode(matrix(DEMO, "vision", 0, 21, 20, floats(420, 0.5f), 1.0).build()));
        add("input-matrix-zero-rows.bin", "external-input", DEMO, DEMO, "BAD_SHAPE", List.of("0x5"),
                "a MATRIX of 0 rows and 5 columns", encode(in(DEMO, InputKind.MATRIX, sense("vision", 0)).setMatrixRows(0)
                        .setMatrixCols(5).setMatrixValues(ByteBuffer.allocate(0)).build()));
        add("input-matrix-without-values.bin", "external-input", DEMO, DEMO, "BAD_SHAPE", List.of("matrix_values"),
                "a MATRIX with a shape and no values",
                encode(in(DEMO, InputKind.MATRIX, sense("vision", 0)).setMatrixRows(2).setMatrixCols(2).build()));
        add("input-matrix-oversized.bin", "external-input", DEMO, DEMO, "OVERSIZED", List.of("40x40", "1024"),
                "a real 40x40 MATRIX (6400 bytes), beyond simulator.input.max.matrix.values (1024 in the corpus config)",
                encode(matrix(DEMO, "vision", 0, 40, 40, floats(1600, 0.25f), 1.0).build()));
        add("input-matrix-declared-huge.bin", "external-input", DEMO, DEMO, "OVERSIZED", List.of("100000x100000"),
                "a MATRIX declared 100000x100000 carrying 16 bytes (must be refused before anything is allocated)",
                encode(in(DEMO, InputKind.MATRIX, sense("vision", 0)).setMatrixRows(100_000).setMatrixCols(100_000)
                        .setMatrixValues(packed(floats(4, 1f))).build()));
        add("input-matrix-z-layer-off.bin", "external-input", DEMO, DEMO, "OFF_LATTICE", List.of("z_layer 5", "0..4"),
                "a 2x2 MATRIX onto z-layer 5 of vision, whose area is 5 deep (0..4)",
                encode(matrix(DEMO, "vision", 5, 2, 2, floats(4, 1f), 1.0).build()));
        add("input-matrix-z-layer-negative.bin", "external-input", DEMO, DEMO, "OFF_LATTICE", List.of("z_layer -1"),
                "a 2x2 MATRIX onto z-layer -1", encode(matrix(DEMO, "audition", -1, 2, 2, floats(4, 1f), 1.0).build()));

        // ---- inputs: durations and ticks
        add("input-duration-zero.bin", "external-input", CUBA, CUBA, "BAD_DURATION", List.of("duration_ticks", "got 0"),
                "a CURRENT for 0 ticks",
                encode(in(CUBA, InputKind.CURRENT, pops("E")).setCurrent(2.0).setDurationTicks(0).build()));
        add("input-duration-negative.bin", "external-input", CUBA, CUBA, "BAD_DURATION", List.of("-3"),
                "a CURRENT for -3 ticks",
                encode(in(CUBA, InputKind.CURRENT, pops("E")).setCurrent(2.0).setDurationTicks(-3).build()));
        add("input-duration-absurd.bin", "external-input", DEMO, DEMO, "BAD_DURATION", List.of("2000000000"),
                "a CURRENT for 2e9 ticks (beyond the 1e9 cap)",
                encode(in(DEMO, InputKind.CURRENT, pops("S1_E")).setCurrent(2.0).setDurationTicks(2_000_000_000).build()));
        add("input-tick-negative.bin", "external-input", CUBA, CUBA, "TICK_IN_PAST", List.of("tick -1"),
                "a CURRENT at tick -1", encode(in(CUBA, InputKind.CURRENT, pops("E")).setCurrent(2.0).setTick(-1L).build()));
        add("input-tick-past.bin", "external-input", CUBA, CUBA, "TICK_IN_PAST", List.of("tick 5", "past"),
                "a CURRENT at tick 5, more than the late tolerance (100 ms = 1000 ticks in the corpus config) ago",
                encode(in(CUBA, InputKind.CURRENT, pops("E")).setCurrent(2.0).setTick(5L).build()));
        add("input-tick-min.bin", "external-input", DEMO, DEMO, "TICK_IN_PAST", List.of(Long.toString(Long.MIN_VALUE)),
                "a MATRIX at tick Long.MIN_VALUE",
                encode(matrix(DEMO, "vision", 0, 2, 2, floats(4, 1f), 1.0).setTick(Long.MIN_VALUE).build()));
        add("input-tick-far-ahead.bin", "external-input", CUBA, CUBA, "TICK_TOO_FAR", List.of("1000000000000"),
                "a CURRENT at tick 10^12 (about three years ahead)",
                encode(in(CUBA, InputKind.CURRENT, pops("E")).setCurrent(2.0).setTick(1_000_000_000_000L).build()));
        add("input-tick-max.bin", "external-input", DEMO, DEMO, "TICK_TOO_FAR", List.of(Long.toString(Long.MAX_VALUE)),
                "a POISSON train at tick Long.MAX_VALUE",
                encode(in(DEMO, InputKind.POISSON, pops("V1_E")).setRateHz(10.0).setTick(Long.MAX_VALUE).build()));
    }

    // ------------------------------------------------------------------ record builders

    static final String TINY_SPEC = "{\"name\": \"tiny\", \"populations\": [{\"name\": \"n\", \"count\": 10}]}";

    static Control.Builder ctl(String id, ControlCommand command) {
        return Control.newBuilder().setNetworkId(id).setCommand(command).setIssuedAtMs(ISSUED_AT_MS);
    }

    static Control set(String id, String population, String parameter, double value) {
        return ctl(id, ControlCommand.SET).setSetPopulation(population).setSetParameter(parameter).setSetValue(value).build();
    }

    static byte[] create(String id, String spec) {
        return encode(ctl(id, ControlCommand.CREATE).setSpecJson(spec).build());
    }

    static ExternalInput.Builder in(String id, InputKind kind, Target target) {
        return ExternalInput.newBuilder().setNetworkId(id).setKind(kind).setTarget(target).setDurationTicks(5);
    }

    static Target pops(String... names) {
        return Target.newBuilder().setPopulations(List.of(names)).build();
    }

    static Target sense(String sense, int z) {
        return Target.newBuilder().setSense(sense).setZLayer(z).build();
    }

    static Target coords(int[]... cells) {
        List<Coordinate> cs = new ArrayList<>();
        for (int[] c : cells) {
            cs.add(Coordinate.newBuilder().setX(c[0]).setY(c[1]).setZ(c[2]).setW(c[3]).build());
        }
        return Target.newBuilder().setCoordinates(cs).build();
    }

    static ExternalInput.Builder matrix(String id, String sense, int z, int rows, int cols, float[] values, double scale) {
        return in(id, InputKind.MATRIX, sense(sense, z)).setMatrixRows(rows).setMatrixCols(cols)
                .setMatrixValues(packed(values)).setScale(scale);
    }

    static float[] floats(int n, float value) {
        float[] f = new float[n];
        Arrays.fill(f, value);
        return f;
    }

    /** float32 little-endian, as ExternalInput.matrix_values (no shape check: some records lie about it). */
    static ByteBuffer packed(float[] values) {
        ByteBuffer b = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            b.putFloat(v);
        }
        b.flip();
        return b;
    }

    static byte[] encode(Control c) {
        return Topics.CONTROL.valueSerde().encode(c);
    }

    static byte[] encode(ExternalInput in) {
        return Topics.EXTERNAL_INPUT.valueSerde().encode(in);
    }

    // ------------------------------------------------------------------ raw encodings

    static byte[] header(long fingerprint) {
        byte[] h = new byte[10];
        h[0] = (byte) 0xC3;
        h[1] = 0x01;
        for (int i = 0; i < 8; i++) {
            h[2 + i] = (byte) (fingerprint >>> (8 * i));
        }
        return h;
    }

    static byte[] withHeader(long fingerprint, byte[] body) {
        return concat(header(fingerprint), body);
    }

    static byte[] body(byte[] singleObject) {
        return Arrays.copyOfRange(singleObject, 10, singleObject.length);
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    static byte[] varLong(long v) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            BinaryEncoder e = EncoderFactory.get().directBinaryEncoder(out, null);
            e.writeLong(v);
            e.flush();
        } catch (IOException ex) {
            throw new IllegalStateException(ex);
        }
        return out.toByteArray();
    }

    /**
     * The schema a future producer writes ExternalInput with: the current one plus an int field
     * {@code priority} (default 0) at the end. Its records are the current body followed by that int.
     */
    static Schema futureExternalInputSchema() {
        try {
            ObjectMapper m = new ObjectMapper();
            ObjectNode s = (ObjectNode) m.readTree(ExternalInput.getClassSchema().toString());
            ObjectNode field = m.createObjectNode();
            field.put("name", "priority");
            field.put("type", "int");
            field.put("default", 0);
            field.put("doc", "A future field: scheduling priority of the input.");
            ((ArrayNode) s.get("fields")).add(field);
            return new Schema.Parser().parse(m.writeValueAsString(s));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] futureExternalInput(ExternalInput in, int priority) {
        Schema future = futureExternalInputSchema();
        return withHeader(SchemaVersions.fingerprint(future), concat(body(encode(in)), varLong(priority)));
    }

    /** A Control body written by hand so its command can be an enum index the schema does not have. */
    static byte[] controlWithCommandIndex(String id, int commandIndex) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            out.write(header(Topics.CONTROL.valueSerde().fingerprint()));
            BinaryEncoder e = EncoderFactory.get().directBinaryEncoder(out, null);
            e.writeString(id);
            e.writeIndex(0);                 // command_id: null
            e.writeEnum(commandIndex);       // command
            for (int i = 0; i < 9; i++) {
                e.writeIndex(0);             // spec_json .. set_value: null
            }
            e.writeLong(ISSUED_AT_MS);
            e.flush();
        } catch (IOException ex) {
            throw new IllegalStateException(ex);
        }
        return out.toByteArray();
    }

    static byte[] negativeLengthInput() {
        return withHeader(Topics.EXTERNAL_INPUT.valueSerde().fingerprint(), concat(varLong(-5), "cuba-and-more".getBytes(StandardCharsets.UTF_8)));
    }

    /** An ExternalInput whose target.populations array claims a billion items and ends. */
    static byte[] hugeArrayInput() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            out.write(header(Topics.EXTERNAL_INPUT.valueSerde().fingerprint()));
            BinaryEncoder e = EncoderFactory.get().directBinaryEncoder(out, null);
            e.writeString(CUBA);
            e.writeIndex(0);                 // input_id: null
            e.writeIndex(0);                 // tick: null
            e.writeInt(1);                   // duration_ticks
            e.writeEnum(0);                  // kind CURRENT
            e.writeIndex(1);                 // target.populations: an array
            e.writeLong(1_000_000_000L);     // ... of a billion items
            e.flush();
        } catch (IOException ex) {
            throw new IllegalStateException(ex);
        }
        return out.toByteArray();
    }

    // ------------------------------------------------------------------ writing

    private void add(String file, String topic, String key, String networkId, String reasonCode, List<String> mentions,
            String description, byte[] bytes) {
        if (records.stream().anyMatch(r -> r.file().equals(file))) {
            throw new IllegalStateException("two records named " + file);
        }
        records.add(new Rec(file, topic, key, networkId, reasonCode, mentions, description, bytes));
    }

    int write(Path dir) throws IOException {
        build();
        Files.createDirectories(dir);
        ObjectMapper m = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode root = m.createObjectNode();
        root.put("description", "Bad records as producers put them on control and external-input: the exact value bytes "
                + "in the .bin files, each with the reason_code the simulator must reject it with. Written once by "
                + "BadInputCorpusGenerator; the bytes are committed and must not change. Ticks assume the running networks "
                + "are past tick " + BadInputCorpus.MIN_TICK_BEFORE_FEEDING + " when the corpus is fed.");
        ObjectNode config = root.putObject("config");
        config.put(SimulatorConfig.LATE_TOLERANCE_MS, "100");
        config.put(SimulatorConfig.MAX_MATRIX_VALUES, "1024");
        config.put(SimulatorConfig.MAX_INPUT_NEURONS, "1000");
        config.put(SimulatorConfig.MAX_NEURONS_KEY, "100000");
        ArrayNode nets = root.putArray("networks");
        nets.addObject().put("id", CUBA).put("spec", "cuba.json").put("start_speed", 1.0);
        nets.addObject().put("id", DEMO).put("spec", "demo.json").put("start_speed", 1.0);
        nets.addObject().put("id", IDLE).put("spec", BadInputCorpus.DIR + "/idle.json").putNull("start_speed");
        Files.writeString(dir.resolve("idle.json"), "{\"name\": \"idle\", \"dt_ms\": 0.1, \"seed\": 3,\n"
                + " \"populations\": [{\"name\": \"n\", \"count\": 10}]}\n", StandardCharsets.UTF_8);
        ArrayNode recs = root.putArray("records");
        for (Rec r : records) {
            ObjectNode o = recs.addObject();
            o.put("file", r.file());
            o.put("topic", r.topic());
            o.put("key", r.key());
            o.put("network_id", r.networkId());
            o.put("reason_code", r.reasonCode());
            ArrayNode mentions = o.putArray("mentions");
            r.mentions().forEach(mentions::add);
            o.put("description", r.description());
            Files.write(dir.resolve(r.file()), r.bytes());
        }
        Files.writeString(dir.resolve("corpus.json"), m.writeValueAsString(root) + "\n", StandardCharsets.UTF_8);
        return records.size();
    }
}
