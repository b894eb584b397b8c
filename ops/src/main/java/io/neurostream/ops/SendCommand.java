package io.neurostream.ops;

import io.neurostream.ingest.InputLines;
import io.neurostream.ingest.NeuroStreamClient;
import io.neurostream.schemas.avro.RunState;
import io.neurostream.schemas.avro.Status;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.RecordMetadata;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code neurostream send ID [FILE|-]}: sends inputs written as lines of text (JSON, or CSV for plain
 * currents; {@link InputLines}) to a network on a running simulator service, so that an experimenter can
 * drive a network from a file or a pipe without writing a program.
 *
 * <p>A bad line is reported ({@code FILE:LINE: what is wrong}) and skipped; the good lines before and
 * after it are sent, each once: the producer is idempotent (a retry is not stored twice) and each
 * input carries an input id naming its line, which the journal echoes.
 *
 * <p>How to run, with the demo running: {@code echo '{"target": {"populations": ["V1_E"]}, "current": 20,
 * "duration_ms": 50}' | ./neurostream send demo}. Expected: {@code sent 1 inputs (0 lines rejected) to demo}.
 */
@Command(name = "send",
        sortOptions = false,
        description = {
            "Sends inputs, one per line of a file or of stdin, to a network on a running simulator service.",
            "",
            "A line is a JSON object (a current, a Poisson rate or a sense matrix) or, after a CSV header, a "
                    + "CSV row of a plain current; docs/ingest.md has the format. The network must exist and not "
                    + "be STOPPED, FAILED or NUMERIC_FAULT (read from <prefix>status first; if not, nothing is "
                    + "sent). Each input is keyed by ID on <prefix>external-input."},
        footer = {
            "",
            "JSON line: {\"target\": {...}, \"current\": I} or {\"target\": {...}, \"rate_hz\": R[, \"weight\": W]} "
                    + "or {\"target\": {\"sense\": S[, \"z_layer\": Z]}, \"matrix\": [[...], ...][, \"scale\": K]}; "
                    + "target has one of populations, area, neurons, coordinates ([[x,y,z,w], ...]) or sense; "
                    + "optional tick or at_ms (start; default the next tick), duration_ticks or duration_ms "
                    + "(default 1 tick), input_id, kind. Milliseconds become ticks with the network's dt_ms.",
            "",
            "CSV: a header naming the columns, from target, current (both required), tick, at_ms, "
                    + "duration_ticks, duration_ms, input_id, in any order; target is a population name, "
                    + "area:NAME or neurons:ID ID ...; an empty cell is an absent value; no quoting.",
            "",
            "Blank lines and lines starting with # are skipped. An input without input_id gets "
                    + "<file name>:<line> (stdin:<line> for stdin), which the journal shows.",
            "",
            "Output: a bad line is one line on stderr, FILE:LINE: what is wrong; it is skipped and the "
                    + "others are sent. Then one line on stdout: sent N inputs (M lines rejected) to ID. Sent "
                    + "means stored by the broker; the simulator journals each input it applies on "
                    + "<prefix>journal and sends one it cannot apply (e.g. an unknown population) to "
                    + "<prefix>rejected: neurostream tail rejected --network ID shows them.",
            "",
            "Settings: as for neurostream create. The producer is idempotent (enable.idempotence=true, "
                    + "acks=all, whatever the settings say), so a retried send is stored once.",
            "",
            "Exit codes: 0 every line sent, 1 a line rejected or not sent, the network unknown or stopped, "
                    + "or Kafka failed, 2 bad usage, settings or an unreadable file (or a bad CSV header; "
                    + "nothing sent).",
            "",
            "Examples:",
            "  neurostream send demo inputs.jsonl",
            "  neurostream send demo currents.csv --bootstrap-server broker1:9092",
            "  echo '{\"target\": {\"populations\": [\"V1_E\"]}, \"current\": 20, \"duration_ms\": 50}' \\",
            "      | neurostream send demo"})
public final class SendCommand implements Callable<Integer> {
    /** States in which a network takes no more inputs. */
    static final Set<RunState> FINISHED = Set.of(RunState.STOPPED, RunState.FAILED, RunState.NUMERIC_FAULT);

    @Spec
    CommandSpec command;

    @Mixin
    KafkaOptions kafka;

    @Parameters(index = "0", paramLabel = "ID", description = "The network id.")
    String networkId;

    @Parameters(index = "1", arity = "0..1", paramLabel = "FILE", defaultValue = "-",
            description = "The inputs, one per line; - or none for stdin.")
    String file;

    @Option(names = "--timeout-s", paramLabel = "S", defaultValue = "" + Answers.DEFAULT_TIMEOUT_S,
            description = "How long reading the network's status may take, s (default: ${DEFAULT-VALUE}).")
    int timeoutS;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    boolean help;

    /** Standard input; a test replaces it. */
    InputStream stdin = System.in;

    @Override
    public Integer call() {
        PrintWriter out = command.commandLine().getOut();
        PrintWriter err = command.commandLine().getErr();
        if (timeoutS < 1) {
            return Main.fail(err, "--timeout-s must be at least 1, got " + timeoutS, Main.EXIT_USAGE);
        }
        boolean fromStdin = file.equals("-");
        String shown = fromStdin ? "stdin" : file;
        BufferedReader in;
        try {
            in = fromStdin ? new BufferedReader(new InputStreamReader(stdin, StandardCharsets.UTF_8))
                    : Files.newBufferedReader(Path.of(file), StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return Main.fail(err, file + ": no such file", Main.EXIT_USAGE);
        } catch (IOException | RuntimeException e) {
            return Main.fail(err, file + ": cannot read: " + Main.describe(e), Main.EXIT_USAGE);
        }
        String source = fromStdin ? "stdin" : Path.of(file).getFileName().toString();
        Map<String, Object> idempotent = Map.of(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true",
                ProducerConfig.ACKS_CONFIG, "all");
        try (in) {
            return Answers.withClient(kafka, timeoutS, idempotent, err, client -> send(client, in, shown, source, out, err));
        } catch (IOException e) {
            return Main.fail(err, shown + ": cannot read: " + Main.describe(e), Main.EXIT_FAILURE);
        }
    }

    private int send(NeuroStreamClient client, BufferedReader in, String shown, String source, PrintWriter out,
            PrintWriter err) {
        Optional<Status> status = client.status(networkId);
        if (status.isEmpty()) {
            return Main.fail(err, "no network '" + networkId + "': it has no status on " + client.topicPrefix()
                    + "status (never created, or deleted); nothing sent", Main.EXIT_FAILURE);
        }
        if (FINISHED.contains(status.get().getState())) {
            return Main.fail(err, "network '" + networkId + "' is " + status.get().getState()
                    + " and takes no inputs; nothing sent", Main.EXIT_FAILURE);
        }
        InputLines parser = new InputLines(networkId, source, status.get().getDtMs());
        List<Integer> lineOf = new ArrayList<>();
        List<Future<RecordMetadata>> acks = new ArrayList<>();
        int bad = 0;
        int number = 0;
        try {
            for (String text = in.readLine(); text != null; text = in.readLine()) {
                number++;
                InputLines.Line line;
                try {
                    line = parser.parse(number, text);
                } catch (InputLines.BadHeaderException e) {
                    return Main.fail(err, shown + ":" + e.lineNumber() + ": " + e.getMessage() + "; nothing sent",
                            Main.EXIT_USAGE);
                }
                if (line == null) {
                    continue;
                }
                if (!line.ok()) {
                    err.println(shown + ":" + line.number() + ": " + line.problem());
                    err.flush();
                    bad++;
                    continue;
                }
                acks.add(client.send(line.input()));
                lineOf.add(line.number());
            }
        } catch (IOException e) {
            err.println(shown + ":" + (number + 1) + ": cannot read: " + Main.describe(e) + "; the lines before were sent");
            bad++;
        } catch (UncheckedIOException e) {
            err.println(shown + ":" + (number + 1) + ": cannot read: " + Main.describe(e.getCause()));
            bad++;
        }
        client.flush();
        int sent = 0;
        for (int i = 0; i < acks.size(); i++) {
            try {
                acks.get(i).get();
                sent++;
            } catch (ExecutionException e) {
                err.println(shown + ":" + lineOf.get(i) + ": not sent: " + Main.describe(e.getCause()));
                bad++;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                err.println(shown + ":" + lineOf.get(i) + ": interrupted before the broker acknowledged it");
                bad++;
            }
        }
        err.flush();
        out.println("sent " + sent + " inputs (" + bad + " lines rejected) to " + networkId);
        out.flush();
        return bad == 0 ? Main.EXIT_OK : Main.EXIT_FAILURE;
    }
}
