package io.neurostream.ops;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.neurostream.ingest.Answer;
import io.neurostream.ingest.NeuroStreamClient;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code neurostream create SPEC.json}: creates a network on a running simulator service and says what
 * the simulator answered, so that an operator sees a bad spec's reason at once instead of looking for it
 * on topic {@code rejected}. Sends with the ingest client ({@link NeuroStreamClient}).
 *
 * <p>How to run, with the demo running: {@code ./neurostream create engine/src/test/resources/specs/cuba.json
 * --id c1 --start}. Expected: two lines, {@code applied CREATE c1 at tick 0: CREATED at tick 0, ...
 * neurons, run N} and {@code applied START c1 at tick 0: RUNNING at tick ..., run N}.
 */
@Command(name = "create",
        sortOptions = false,
        description = {
            "Creates a network on a running simulator service from a spec file and prints the simulator's "
                    + "answer.",
            "",
            "Sends CREATE (and with --start then START) on topic <prefix>control and waits for the answer: "
                    + "the command journaled (applied) or rejected with the simulator's reason. The network id "
                    + "is --id, else the spec's \"name\". The spec format: docs/spec-format.md."},
        footer = {
            "",
            "Output: one line per command, the outcome first:",
            "  applied CREATE ID at tick 0: STATE at tick T, N neurons, run R",
            "  rejected REASON_CODE: the simulator's sentence",
            "  timed out CREATE ID: what was waited for",
            "A command that timed out was sent and may still be applied.",
            "A large network is answered when its build begins (state BUILDING).",
            "",
            "Settings: neurostream.topic.prefix (default neurostream.) names the topics; any other key is a "
                    + "Kafka client setting (security.protocol, sasl.*, ssl.*, ...). Precedence: defaults < "
                    + "--config FILE < NEUROSTREAM_* < --property < --bootstrap-server.",
            "",
            "Exit codes: 0 applied, 1 rejected, timed out or Kafka failed, 2 bad usage, settings or an "
                    + "unreadable spec file.",
            "",
            "Examples:",
            "  neurostream create v1.json",
            "  neurostream create engine/src/test/resources/specs/cuba.json --id c1 \\",
            "      --start --speed 0",
            "  neurostream create v1.json --timeout-s 120 --bootstrap-server broker1:9092"})
public final class CreateCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Spec
    CommandSpec command;

    @Mixin
    KafkaOptions kafka;

    @Parameters(index = "0", paramLabel = "SPEC.json", description = "The network's spec (JSON).")
    Path specFile;

    @Option(names = "--id", paramLabel = "ID", description = "The network id (default: the spec's \"name\").")
    String id;

    @Option(names = "--start", description = "Then START the network (at --speed).")
    boolean start;

    @Option(names = "--speed", paramLabel = "X", defaultValue = "1.0",
            description = "With --start: simulated time per wall-clock time, 0 = as fast as possible "
                    + "(default: ${DEFAULT-VALUE}).")
    double speed;

    @Option(names = "--timeout-s", paramLabel = "S", defaultValue = "" + Answers.DEFAULT_TIMEOUT_S,
            description = "How long to wait for each answer, s (default: ${DEFAULT-VALUE}).")
    int timeoutS;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    boolean help;

    @Override
    public Integer call() {
        PrintWriter out = command.commandLine().getOut();
        PrintWriter err = command.commandLine().getErr();
        if (timeoutS < 1) {
            return Main.fail(err, "--timeout-s must be at least 1, got " + timeoutS, Main.EXIT_USAGE);
        }
        if (start && !(speed >= 0.0 && Double.isFinite(speed))) {
            return Main.fail(err, "--speed must be a finite number >= 0, got " + speed, Main.EXIT_USAGE);
        }
        String spec;
        try {
            spec = Files.readString(specFile);
        } catch (IOException e) {
            return Main.fail(err, "cannot read spec file " + specFile + ": " + Main.describe(e), Main.EXIT_USAGE);
        }
        String networkId = id != null ? id : nameOf(spec);
        if (networkId == null || networkId.isBlank()) {
            return Main.fail(err, "spec file " + specFile + " has no \"name\" (or is not JSON) to use as the network id; "
                    + "give one with --id", Main.EXIT_USAGE);
        }
        return Answers.withClient(kafka, timeoutS, err, client -> {
            Answer created = client.create(networkId, spec, Duration.ofSeconds(timeoutS));
            int code = Answers.print(created, out);
            if (code != Main.EXIT_OK || !start) {
                return code;
            }
            return Answers.print(client.start(networkId, speed), out);
        });
    }

    /** The spec's top-level "name", or null if it has none or is no JSON object (then --id is needed). */
    private static String nameOf(String spec) {
        try {
            JsonNode name = JSON.readTree(spec).path("name");
            return name.isTextual() ? name.asText() : null;
        } catch (JsonProcessingException e) {
            return null;
        }
    }
}
