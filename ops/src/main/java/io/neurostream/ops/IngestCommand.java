package io.neurostream.ops;

import io.neurostream.engine.spec.NetworkSpec;
import io.neurostream.engine.spec.SpecException;
import io.neurostream.engine.spec.SpecParser;
import io.neurostream.ingest.NeuroStreamClient;
import io.neurostream.ingest.sense.BadSampleException;
import io.neurostream.ingest.sense.DigitalSource;
import io.neurostream.ingest.sense.Encoder;
import io.neurostream.ingest.sense.FrameListSource;
import io.neurostream.ingest.sense.ImageSource;
import io.neurostream.ingest.sense.KafkaJsonSource;
import io.neurostream.ingest.sense.MatrixTextSource;
import io.neurostream.ingest.sense.NetworkLookup;
import io.neurostream.ingest.sense.RawFrameSource;
import io.neurostream.ingest.sense.SenseCells;
import io.neurostream.ingest.sense.SenseShape;
import io.neurostream.ingest.sense.Source;
import io.neurostream.ingest.sense.Streamer;
import io.neurostream.ingest.sense.SyntheticSource;
import io.neurostream.ops.internal.Settings;
import io.neurostream.schemas.avro.Status;
import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code neurostream ingest SOURCE --network ID --sense NAME}: streams a sensor (image files, raw video
 * frames on stdin, a WAV file, bytes or text, JSON or CSV matrices, a synthetic pattern, or JSON records
 * on a Kafka topic of the user's) into one sense of a running network, at the source's pace, each sample
 * stamped with the tick it acts at (docs/ingest.md).
 *
 * <p>How to run, with the demo running: {@code ./neurostream ingest synthetic:bar --network demo --sense
 * vision --frames 40}. Expected: a last line {@code sent 40 frames (40 inputs) ... ticks A..B ...}.
 */
@Command(name = "ingest",
        sortOptions = false,
        description = {
            "Streams a sensor into one sense of a running network, live, at the source's pace.",
            "",
            "Each sample is resized to the sense (its area's extent along x and y, by area averaging) and sent "
                    + "on topic <prefix>external-input: --encoding current lays it on the sense as a MATRIX "
                    + "(value x --gain mV per neuron); poisson drives each cell's neuron with a Poisson train of "
                    + "value x --gain Hz. Sample k acts from tick T0 + k x P for P ticks, where P = the sample "
                    + "period in ticks and T0 = the network's newest tick (its status) + --lead-ms: consecutive "
                    + "samples cover consecutive ticks, and the journal shows where each acted.",
            "",
            "SOURCE is one of:",
            "  FILE.png|.jpg|.jpeg   one image (grey level = luminance)",
            "  DIRECTORY             its .png/.jpg/.jpeg files in name order, one frame each",
            "  FILE.wav              audio: band amplitudes over the sense's rows (x)",
            "  FILE.jsonl|.csv       generic matrices, for any sense",
            "  FILE.txt | FILE.bin   digital: a text line / rows x cols bytes a sample, byte/255",
            "  -                     stdin: raw 8-bit grey frames of --size WxH (or --format)",
            "  synthetic:NAME        grating, chirp, bar or noise, at the sense's size",
            "  kafka:TOPIC           JSON records on a topic of yours (--pointer, --shape)"},
        footer = {
            "",
            "Before sending anything it checks the network exists, has the sense, and the source reads; any "
                    + "problem is one line and exit 1 (2 for bad usage). At the end it prints a summary line:",
            "  sent N frames (M inputs) of SOURCE to NETWORK/SENSE ROWSxCOLSxLAYERS: ticks A..B (C ticks, "
                    + "P per frame), R re-anchored, S skipped",
            "",
            "Settings: neurostream.topic.prefix (default neurostream.) names the topics; any other key is a "
                    + "Kafka client setting. Precedence: defaults < --config FILE < NEUROSTREAM_* < --property < "
                    + "--bootstrap-server.",
            "",
            "Exit codes: 0 the source was sent, 1 a check failed, the source is bad or Kafka failed, 2 bad usage.",
            "",
            "Examples:",
            "  neurostream ingest synthetic:grating --network demo --sense vision \\",
            "      --z-layers all --gain 12",
            "  neurostream ingest frames/ --network demo --sense vision --rate-hz 10 --loop",
            "  ffmpeg -re -i clip.mp4 -vf scale=64:64 -f rawvideo -pix_fmt gray - | \\",
            "      neurostream ingest - --size 64x64 --network demo --sense vision \\",
            "      --rate-hz 25",
            "  neurostream ingest speech.wav --network demo --sense audition --rate-hz 20",
            "  neurostream ingest kafka:sensors --pointer /values --shape 8x8 --network demo \\",
            "      --sense somatosensory --encoding poisson --gain 200"})
public final class IngestCommand implements Callable<Integer> {
    /** How often the network's newest tick is read again while streaming, ms. */
    static final long REFRESH_MS = 1000;
    /** The default of --gain with --encoding current, mV. */
    static final double DEFAULT_CURRENT_GAIN_MV = 10.0;
    /** The default of --gain with --encoding poisson, Hz. */
    static final double DEFAULT_POISSON_GAIN_HZ = 100.0;

    @Spec
    CommandSpec command;

    @Mixin
    KafkaOptions kafka;

    @Parameters(index = "0", paramLabel = "SOURCE", description = "What to read (see above).")
    String sourceArg;

    @Option(names = "--network", required = true, paramLabel = "ID", description = "The running network to feed.")
    String networkId;

    @Option(names = "--sense", required = true, paramLabel = "NAME", description = "The network's sense to feed "
            + "(its spec's \"senses\").")
    String sense;

    @Option(names = "--rate-hz", paramLabel = "R", defaultValue = "20",
            description = "Samples per second; each lasts 1/R s of simulated time (default: ${DEFAULT-VALUE}). For "
                    + "a WAV file, the audio frame rate.")
    double rateHz;

    @Option(names = "--loop", description = "Start a finite source (files, synthetic) again at its end.")
    boolean loop;

    @Option(names = "--encoding", paramLabel = "current|poisson", defaultValue = "current",
            description = "How a value acts (default: ${DEFAULT-VALUE}).")
    String encoding;

    @Option(names = "--gain", paramLabel = "G",
            description = "value x G is mV (current, default " + DEFAULT_CURRENT_GAIN_MV + ") or Hz (poisson, default "
                    + DEFAULT_POISSON_GAIN_HZ + ").")
    Double gain;

    @Option(names = "--weight", paramLabel = "W", defaultValue = "1.0",
            description = "poisson: what each event adds to the neuron's excitatory input (default: ${DEFAULT-VALUE}).")
    double weight;

    @Option(names = "--z-layers", paramLabel = "LIST", defaultValue = "0",
            description = "The sense's z-layers to feed: e.g. 0, 0,2 or all (default: ${DEFAULT-VALUE}).")
    String zLayers;

    @Option(names = "--lead-ms", paramLabel = "L", defaultValue = "500",
            description = "How far ahead of the network's newest tick the first sample acts, ms of simulated time "
                    + "(default: ${DEFAULT-VALUE}). It must cover the way in (status up to a commit old, producer, "
                    + "the simulator's next read): a sample that arrives after its tick acts at the first tick "
                    + "not computed, and the journal says where.")
    double leadMs;

    @Option(names = "--size", paramLabel = "WxH", description = "stdin: the size of a raw grey frame, pixels.")
    String size;

    @Option(names = "--format", paramLabel = "FORMAT",
            description = "Overrides what the name says: image, raw, wav, bytes, text, jsonl, csv (a matrix per "
                    + "blank-line-separated block) or csv-lines (a vector per line).")
    String format;

    @Option(names = "--pointer", paramLabel = "/PATH", defaultValue = "/values",
            description = "kafka: where the values are in each JSON record, RFC 6901 (default: ${DEFAULT-VALUE}).")
    String pointer;

    @Option(names = "--shape", paramLabel = "RxC", description = "kafka: rows x columns of each record's values.")
    String shape;

    @Option(names = "--from-beginning", description = "kafka: read what the topic holds first (default: only new "
            + "records).")
    boolean fromBeginning;

    @Option(names = "--duration-s", paramLabel = "S", description = "Stop after S seconds of the source's time.")
    Double durationS;

    @Option(names = "--frames", paramLabel = "N", description = "Stop after N samples.")
    Long frames;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    boolean help;

    @Override
    public Integer call() {
        PrintWriter out = command.commandLine().getOut();
        PrintWriter err = command.commandLine().getErr();
        String usage = checkUsage();
        if (usage != null) {
            return Main.fail(err, usage, Main.EXIT_USAGE);
        }
        Map<String, Object> settings;
        try {
            settings = Answers.clientSettings(kafka, Answers.DEFAULT_TIMEOUT_S);
        } catch (Settings.SettingsException | IllegalArgumentException e) {
            return Main.fail(err, e.getMessage(), Main.EXIT_USAGE);
        }
        String prefix = (String) settings.get(NeuroStreamClient.TOPIC_PREFIX);
        Map<String, Object> kafkaOnly = new HashMap<>(settings);
        kafkaOnly.remove(NeuroStreamClient.TOPIC_PREFIX);
        kafkaOnly.remove(NeuroStreamClient.ANSWER_TIMEOUT_MS);
        try (NeuroStreamClient client = new NeuroStreamClient(settings);
                NetworkLookup lookup = new NetworkLookup(kafkaOnly, prefix)) {
            return stream(client, lookup, kafkaOnly, out, err);
        } catch (org.apache.kafka.common.KafkaException | IllegalStateException e) {
            return Main.fail(err, "Kafka at " + settings.get("bootstrap.servers") + ": " + Main.describe(e), Main.EXIT_FAILURE);
        }
    }

    private String checkUsage() {
        if (!(rateHz > 0) || !Double.isFinite(rateHz)) {
            return "--rate-hz must be a number > 0, got " + rateHz;
        }
        String enc = encoding.toLowerCase(Locale.ROOT);
        if (!enc.equals("current") && !enc.equals("poisson")) {
            return "--encoding must be current or poisson, got '" + encoding + "'";
        }
        if (gain != null && !Double.isFinite(gain)) {
            return "--gain must be a finite number, got " + gain;
        }
        if (!(weight >= 0) || !Double.isFinite(weight)) {
            return "--weight must be a finite number >= 0, got " + weight;
        }
        if (!(leadMs >= 0) || !Double.isFinite(leadMs)) {
            return "--lead-ms must be a number >= 0, got " + leadMs;
        }
        if (durationS != null && frames != null) {
            return "give --duration-s or --frames, not both";
        }
        if (durationS != null && !(durationS > 0)) {
            return "--duration-s must be > 0, got " + durationS;
        }
        if (frames != null && frames < 1) {
            return "--frames must be at least 1, got " + frames;
        }
        if (size != null && dims(size) == null) {
            return "--size must be WIDTHxHEIGHT in pixels, e.g. 64x64, got '" + size + "'";
        }
        if (shape != null && dims(shape) == null) {
            return "--shape must be ROWSxCOLUMNS, e.g. 8x8, got '" + shape + "'";
        }
        if (sourceArg.startsWith("kafka:") && shape == null) {
            return "a kafka: source needs --shape ROWSxCOLUMNS (and --pointer, default /values)";
        }
        if (format != null && formatOf(format) == null) {
            return "--format must be image, raw, wav, bytes, text, jsonl, csv or csv-lines, got '" + format + "'";
        }
        if (sourceArg.equals("-") && size == null && format == null) {
            return "reading stdin needs --size WxH (raw grey frames) or --format";
        }
        return null;
    }

    private int stream(NeuroStreamClient client, NetworkLookup lookup, Map<String, Object> kafkaOnly, PrintWriter out,
            PrintWriter err) {
        Optional<Status> status = client.status(networkId);
        if (status.isEmpty()) {
            return Main.fail(err, "no network '" + networkId + "' (none has a status on topic " + client.topicPrefix()
                    + "status; create it first)", Main.EXIT_FAILURE);
        }
        Status st = status.get();
        Optional<String> specJson = lookup.createSpec(networkId, st.getRunId());
        if (specJson.isEmpty()) {
            return Main.fail(err, "cannot find the spec of network '" + networkId + "': the CREATE of its run (offset "
                    + st.getRunId() + " of topic " + client.topicPrefix() + "control) is no longer there", Main.EXIT_FAILURE);
        }
        NetworkSpec spec;
        try {
            spec = SpecParser.parse(specJson.get(), "network " + networkId);
        } catch (SpecException e) {
            return Main.fail(err, "the spec of network '" + networkId + "' does not parse: " + e.getMessage(),
                    Main.EXIT_FAILURE);
        }
        NetworkSpec.SenseSpec senseSpec = spec.senses().get(sense);
        if (senseSpec == null) {
            return Main.fail(err, "network '" + networkId + "' has no sense '" + sense + "'; its senses: "
                    + (spec.senses().isEmpty() ? "none" : String.join(", ", spec.senses().keySet())), Main.EXIT_FAILURE);
        }
        NetworkSpec.AreaSpec area = spec.areas().stream().filter(a -> a.name().equals(senseSpec.area())).findFirst()
                .orElseThrow();
        int[] lo = area.lo();
        int[] hi = area.hi();
        SenseShape shapeOfSense = new SenseShape(sense, hi[0] - lo[0] + 1, hi[1] - lo[1] + 1, hi[2] - lo[2] + 1, lo);
        int[] layers = layers(shapeOfSense);
        if (layers == null) {
            return Main.fail(err, "--z-layers '" + zLayers + "' is not a list of z-layers of sense '" + sense + "' (0.."
                    + (shapeOfSense.layers() - 1) + ") or all", Main.EXIT_USAGE);
        }
        Encoder encoder;
        if (encoding.equalsIgnoreCase("poisson")) {
            SenseCells cells = SenseCells.fromTopology(shapeOfSense, lookup.topology(networkId));
            if (cells.neurons() == 0) {
                return Main.fail(err, "sense '" + sense + "' of network '" + networkId + "' (area " + area.name()
                        + ") holds no neuron in its topology: nothing for a poisson encoding to drive", Main.EXIT_FAILURE);
            }
            encoder = Encoder.poisson(networkId, cells, layers, gain == null ? DEFAULT_POISSON_GAIN_HZ : gain, weight);
        } else {
            encoder = Encoder.current(networkId, shapeOfSense, layers, gain == null ? DEFAULT_CURRENT_GAIN_MV : gain);
        }

        Source source;
        try {
            source = open(shapeOfSense, kafkaOnly, err);
        } catch (BadSampleException | IllegalArgumentException e) {
            return Main.fail(err, e.getMessage(), Main.EXIT_FAILURE);
        } catch (IOException e) {
            return Main.fail(err, sourceArg + ": " + Main.describe(e), Main.EXIT_FAILURE);
        } catch (org.apache.kafka.common.KafkaException e) {
            return Main.fail(err, sourceArg + ": " + Main.describe(e), Main.EXIT_FAILURE);
        }

        AtomicBoolean stop = new AtomicBoolean();
        CountDownLatch finished = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            stop.set(true);
            if (source instanceof KafkaJsonSource k) {
                k.stop();
            }
            try {
                finished.await(5, TimeUnit.SECONDS); // let the stream flush what it sent
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "neurostream-ingest-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        client.prepareToSend(); // a cold producer's first send would eat into --lead-ms
        long leadTicks = Math.round(leadMs / st.getDtMs());
        Streamer streamer = new Streamer(source, encoder, client::send,
                () -> client.status(networkId).map(Status::getTick).orElse(st.getTick()), st.getDtMs(), leadTicks, REFRESH_MS);
        Streamer.Result r;
        int code = Main.EXIT_OK;
        String problem = null;
        try {
            r = streamer.run(frames == null ? Long.MAX_VALUE : frames, durationS == null ? Double.POSITIVE_INFINITY : durationS,
                    stop::get);
        } catch (BadSampleException e) {
            problem = e.getMessage();
            r = null;
        } catch (IOException e) {
            problem = sourceArg + ": " + Main.describe(e);
            r = null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            r = null;
        } finally {
            client.flush();
            try {
                source.close();
            } catch (IOException | RuntimeException e) {
                // closing a source that failed: what matters was said
            }
            finished.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // shutting down already
            }
        }
        if (problem != null) {
            err.println("neurostream: " + problem + " (what was read before was sent)");
            err.flush();
            code = Main.EXIT_FAILURE;
        }
        if (r != null) {
            out.println("sent " + r.frames() + " frames (" + r.inputs() + " inputs) of " + source.describe() + " to "
                    + networkId + "/" + sense + " " + shapeOfSense.rows() + "x" + shapeOfSense.cols() + "x"
                    + shapeOfSense.layers() + ": ticks " + r.firstTick() + ".." + r.endTick() + " (" + r.ticksCovered()
                    + " ticks, " + r.periodTicks() + " per frame), " + r.reanchors() + " re-anchored, " + r.skipped()
                    + " skipped");
            out.flush();
        }
        return code;
    }

    private Source open(SenseShape s, Map<String, Object> kafkaOnly, PrintWriter err) throws IOException {
        if (sourceArg.startsWith("synthetic:")) {
            String name = sourceArg.substring("synthetic:".length());
            return new SyntheticSource(SyntheticSource.pattern(name), s.rows(), s.cols(), rateHz, name);
        }
        if (sourceArg.startsWith("kafka:")) {
            int[] rc = dims(shape);
            return new KafkaJsonSource(kafkaOnly, sourceArg.substring("kafka:".length()), pointer, rc[0], rc[1], rateHz,
                    fromBeginning, line -> {
                        err.println("neurostream: " + line);
                        err.flush();
                    });
        }
        Fmt f;
        if (format != null) {
            f = formatOf(format);
        } else if (sourceArg.equals("-")) {
            f = Fmt.RAW;
        } else if (Files.isDirectory(Path.of(sourceArg))) {
            f = Fmt.IMAGE;
        } else {
            f = formatOfName(sourceArg);
            if (f == null) {
                throw new BadSampleException(sourceArg + ": cannot tell its format from its name; give --format");
            }
        }
        boolean stdin = sourceArg.equals("-");
        if (!stdin && !Files.exists(Path.of(sourceArg))) {
            throw new BadSampleException(sourceArg + ": no such file or directory");
        }
        switch (f) {
            case IMAGE:
                if (stdin) {
                    throw new BadSampleException("stdin: images are read from files; for video use raw frames (--size)");
                }
                return ImageSource.open(Path.of(sourceArg), rateHz, loop);
            case WAV:
                if (stdin) {
                    throw new BadSampleException("stdin: WAV is read from a file");
                }
                return io.neurostream.ingest.sense.WavSource.open(Path.of(sourceArg), s.rows(), rateHz, loop);
            default:
                break;
        }
        String name = stdin ? "stdin" : sourceArg;
        InputStream in = stdin ? System.in : new BufferedInputStream(Files.newInputStream(Path.of(sourceArg)));
        Source streamed = switch (f) {
            case RAW -> {
                int[] wh = dims(size == null ? "" : size);
                if (wh == null) {
                    throw new BadSampleException(name + ": raw grey frames need --size WxH");
                }
                yield new RawFrameSource(in, wh[0], wh[1], rateHz, name);
            }
            case BYTES -> DigitalSource.bytes(in, s.rows(), s.cols(), rateHz, name);
            case TEXT -> DigitalSource.text(reader(in), s.rows(), s.cols(), rateHz, name);
            case JSONL -> new MatrixTextSource(reader(in), MatrixTextSource.Format.JSON_LINES, rateHz, name);
            case CSV -> new MatrixTextSource(reader(in), MatrixTextSource.Format.CSV, rateHz, name);
            case CSV_LINES -> new MatrixTextSource(reader(in), MatrixTextSource.Format.CSV_LINES, rateHz, name);
            default -> throw new IllegalStateException(f.toString());
        };
        // a file is read whole first, so a bad line is reported before anything is sent, and it can loop
        return stdin ? streamed : FrameListSource.preload(streamed, loop);
    }

    private static BufferedReader reader(InputStream in) {
        return new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
    }

    private enum Fmt { IMAGE, RAW, WAV, BYTES, TEXT, JSONL, CSV, CSV_LINES }

    private static Fmt formatOf(String f) {
        return switch (f.toLowerCase(Locale.ROOT)) {
            case "image" -> Fmt.IMAGE;
            case "raw" -> Fmt.RAW;
            case "wav" -> Fmt.WAV;
            case "bytes" -> Fmt.BYTES;
            case "text" -> Fmt.TEXT;
            case "jsonl" -> Fmt.JSONL;
            case "csv" -> Fmt.CSV;
            case "csv-lines" -> Fmt.CSV_LINES;
            default -> null;
        };
    }

    private static Fmt formatOfName(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        if (ImageSource.isImageName(n) || n.endsWith(".gif") || n.endsWith(".bmp")) {
            return Fmt.IMAGE;
        }
        if (n.endsWith(".wav")) {
            return Fmt.WAV;
        }
        if (n.endsWith(".jsonl") || n.endsWith(".ndjson") || n.endsWith(".json")) {
            return Fmt.JSONL;
        }
        if (n.endsWith(".csv")) {
            return Fmt.CSV;
        }
        if (n.endsWith(".txt")) {
            return Fmt.TEXT;
        }
        if (n.endsWith(".bin") || n.endsWith(".dat")) {
            return Fmt.BYTES;
        }
        if (n.endsWith(".raw") || n.endsWith(".gray") || n.endsWith(".grey")) {
            return Fmt.RAW;
        }
        return null;
    }

    /** {@code AxB} as two whole numbers >= 1, or null. */
    static int[] dims(String s) {
        String[] p = s.toLowerCase(Locale.ROOT).split("x", -1);
        if (p.length != 2) {
            return null;
        }
        try {
            int a = Integer.parseInt(p[0].strip());
            int b = Integer.parseInt(p[1].strip());
            return a >= 1 && b >= 1 && (long) a * b <= Integer.MAX_VALUE ? new int[] {a, b} : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private int[] layers(SenseShape s) {
        if (zLayers.equalsIgnoreCase("all")) {
            int[] all = new int[s.layers()];
            for (int z = 0; z < all.length; z++) {
                all[z] = z;
            }
            return all;
        }
        String[] parts = zLayers.split(",");
        int[] out = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                out[i] = Integer.parseInt(parts[i].strip());
            } catch (NumberFormatException e) {
                return null;
            }
            if (out[i] < 0 || out[i] >= s.layers()) {
                return null;
            }
        }
        return out;
    }
}
