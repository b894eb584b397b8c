package io.neurostream.ops;

import io.neurostream.ingest.Answer;
import io.neurostream.ingest.NeuroStreamClient;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code neurostream control ID COMMAND}: sends one control command to a network on a running simulator
 * service and prints the simulator's answer (applied, or rejected with its reason), so that an operator
 * can drive a network from a shell without writing a Control record by hand. Each command is a
 * subcommand with its own arguments; all send with the ingest client ({@link NeuroStreamClient}).
 *
 * <p>How to run, with the demo running: {@code ./neurostream control demo pause}. Expected: one line,
 * {@code applied PAUSE demo at tick T: PAUSED at tick T, run R}.
 */
@Command(name = "control",
        sortOptions = false,
        description = {
            "Sends a control command to a network on a running simulator service and prints the simulator's "
                    + "answer.",
            "",
            "The command goes on topic <prefix>control, keyed by ID; the answer is the command journaled "
                    + "(applied) or rejected with the simulator's reason (e.g. UNKNOWN_NETWORK, WRONG_STATE)."},
        subcommands = {ControlCommand.Start.class, ControlCommand.Pause.class, ControlCommand.Resume.class,
            ControlCommand.Step.class, ControlCommand.Speed.class, ControlCommand.Reset.class,
            ControlCommand.Checkpoint.class, ControlCommand.Stop.class, ControlCommand.Probe.class,
            ControlCommand.Set.class},
        commandListHeading = "%nCommands (each takes --bootstrap-server, --config, --property, --timeout-s, "
                + "--help):%n",
        footer = {
            "",
            "Output: one line, the outcome first:",
            "  applied COMMAND ID at tick T: STATE at tick T2, run R",
            "  rejected REASON_CODE: the simulator's sentence",
            "  timed out COMMAND ID: what was waited for",
            "A command that timed out was sent and may still be applied.",
            "T is the tick before which the command took effect (for step: where stepping starts); STATE and "
                    + "T2 are from the network's newest status, which may already show later progress.",
            "",
            "Settings: as for neurostream create (neurostream.topic.prefix, Kafka client settings).",
            "",
            "Exit codes: 0 applied, 1 rejected, timed out or Kafka failed, 2 bad usage or settings.",
            "",
            "Examples:",
            "  neurostream control demo pause",
            "  neurostream control demo step 1000",
            "  neurostream control demo start --speed 0",
            "  neurostream control demo set E.v_threshold=-51",
            "  neurostream control demo probe --neurons 0,5,9 --every-ticks 10",
            "  neurostream control demo probe --neurons 3 --variables v,u",
            "  neurostream control demo probe --clear",
            "  neurostream control demo stop --bootstrap-server broker1:9092"})
public final class ControlCommand {

    @Parameters(index = "0", paramLabel = "ID", description = "The network id.")
    String networkId;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    boolean help;

    /** What every subcommand shares: the connection, the timeout, sending and printing. */
    abstract static class Sub implements Callable<Integer> {
        @Spec
        CommandSpec command;

        @ParentCommand
        ControlCommand parent;

        @Mixin
        KafkaOptions kafka;

        @Option(names = "--timeout-s", paramLabel = "S", defaultValue = "" + Answers.DEFAULT_TIMEOUT_S,
                description = "How long to wait for the answer, s (default: ${DEFAULT-VALUE}).")
        int timeoutS;

        @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
        boolean help;

        /** Sends the command; returns its answer. */
        abstract Answer send(NeuroStreamClient client, String networkId);

        /** A usage problem of the arguments in one sentence, or null if they are fine. */
        String problem() {
            return null;
        }

        @Override
        public Integer call() {
            PrintWriter out = command.commandLine().getOut();
            PrintWriter err = command.commandLine().getErr();
            if (timeoutS < 1) {
                return Main.fail(err, "--timeout-s must be at least 1, got " + timeoutS, Main.EXIT_USAGE);
            }
            String problem = problem();
            if (problem != null) {
                return Main.fail(err, problem, Main.EXIT_USAGE);
            }
            return Answers.withClient(kafka, timeoutS, err, client -> Answers.print(send(client, parent.networkId), out));
        }
    }

    /**
     * Puts the network id into the usage line of every subcommand's help ({@code neurostream control ID
     * step ...}): picocli names only the commands there, and without ID the line would show a command
     * that does not parse.
     */
    static void showIdInSynopses(CommandLine control) {
        String qualified = control.getCommandSpec().qualifiedName() + " ";
        for (CommandLine sub : control.getSubcommands().values()) {
            sub.getCommandSpec().usageMessage().abbreviateSynopsis(true); // [OPTIONS]: one short line
            String synopsis = sub.getHelp().synopsis(0).strip().replace(qualified, qualified + "ID ");
            sub.getCommandSpec().usageMessage().customSynopsis(synopsis.replace("%", "%%"));
        }
    }

    /** What is wrong with a speed, in the words the CLI uses, or null if it is fine (the dashboard checks with it too). */
    public static String speedProblem(double speed) {
        return speed >= 0.0 && Double.isFinite(speed) ? null
                : "the speed must be a finite number >= 0 (0 = as fast as possible), got " + speed;
    }

    @Command(name = "start", description = "START: run at --speed times real time.")
    static final class Start extends Sub {
        @Option(names = "--speed", paramLabel = "X", defaultValue = "1.0",
                description = "Simulated time per wall-clock time, 0 = as fast as possible (default: ${DEFAULT-VALUE}).")
        double speed;

        @Override
        String problem() {
            return speedProblem(speed);
        }

        @Override
        Answer send(NeuroStreamClient client, String networkId) {
            return client.start(networkId, speed);
        }
    }

    @Command(name = "pause", description = "PAUSE: stop advancing, keep the state.")
    static final class Pause extends Sub {
        @Override
        Answer send(NeuroStreamClient client, String networkId) {
            return client.pause(networkId);
        }
    }

    @Command(name = "resume", description = "RESUME after a pause.")
    static final class Resume extends Sub {
        @Override
        Answer send(NeuroStreamClient client, String networkId) {
            return client.resume(networkId);
        }
    }

    @Command(name = "step", description = "STEP N ticks, then pause (answered when accepted, before the ticks "
            + "are computed).")
    static final class Step extends Sub {
        @Parameters(index = "0", paramLabel = "N", description = "Ticks to compute (at least 1).")
        long ticks;

        @Override
        String problem() {
            return ticks < 1 ? "step N must be at least 1, got " + ticks : null;
        }

        @Override
        Answer send(NeuroStreamClient client, String networkId) {
            return client.step(networkId, ticks);
        }
    }

    @Command(name = "speed", description = "SPEED X: simulated time per wall-clock time, 0 = as fast as possible.")
    static final class Speed extends Sub {
        @Parameters(index = "0", paramLabel = "X", description = "The speed (>= 0).")
        double speed;

        @Override
        String problem() {
            return speedProblem(speed);
        }

        @Override
        Answer send(NeuroStreamClient client, String networkId) {
            return client.speed(networkId, speed);
        }
    }

    @Command(name = "reset", description = "RESET: back to tick 0 with the same spec and seed, CREATED.")
    static final class Reset extends Sub {
        @Override
        Answer send(NeuroStreamClient client, String networkId) {
            return client.reset(networkId);
        }
    }

    @Command(name = "checkpoint", description = "CHECKPOINT now.")
    static final class Checkpoint extends Sub {
        @Override
        Answer send(NeuroStreamClient client, String networkId) {
            return client.checkpoint(networkId);
        }
    }

    @Command(name = "stop", description = "STOP: release the network and retire its checkpoint.")
    static final class Stop extends Sub {
        @Override
        Answer send(NeuroStreamClient client, String networkId) {
            return client.stop(networkId);
        }
    }

    @Command(name = "probe", description = "PROBE: sample variables of some neurons to topic <prefix>membrane "
            + "every N ticks (replacing the probes before), or remove every probe with --clear.")
    static final class Probe extends Sub {
        @Option(names = "--neurons", paramLabel = "I,J,...", split = ",",
                description = "Neuron indexes (global, from 0).")
        List<Integer> neurons = new ArrayList<>();

        @Option(names = "--clear", description = "Remove every probe of the network (a PROBE with no neurons).")
        boolean clear;

        @Option(names = "--variables", paramLabel = "V,...", split = ",", defaultValue = "v",
                description = "Of v, u, ge, gi (default: ${DEFAULT-VALUE}).")
        List<String> variables;

        @Option(names = "--every-ticks", paramLabel = "N", defaultValue = "1",
                description = "Sample every N ticks (default: ${DEFAULT-VALUE}).")
        int everyTicks;

        @Override
        String problem() {
            if (clear == !neurons.isEmpty()) {
                return clear ? "probe takes --neurons or --clear, not both"
                        : "probe needs --neurons I,J,... (or --clear to remove every probe)";
            }
            return everyTicks < 1 ? "--every-ticks must be at least 1, got " + everyTicks : null;
        }

        @Override
        Answer send(NeuroStreamClient client, String networkId) {
            return client.probe(networkId, clear ? List.of() : neurons, variables, everyTicks);
        }
    }

    @Command(name = "set", description = "SET a parameter of a population, in the spec's unit.")
    static final class Set extends Sub {
        @Parameters(index = "0", paramLabel = "POP.PARAM=VALUE",
                description = "e.g. E.v_threshold=-51: population E, parameter v_threshold, value -51.")
        String assignment;

        /** The parsed assignment, or null if malformed. */
        private Assignment parsed;

        @Override
        String problem() {
            parsed = Assignment.parse(assignment);
            return parsed == null ? "set takes POP.PARAM=VALUE (e.g. E.v_threshold=-51), got '" + assignment + "'"
                    : null;
        }

        @Override
        Answer send(NeuroStreamClient client, String networkId) {
            return client.set(networkId, parsed.population(), parsed.parameter(), parsed.value());
        }
    }

    /** {@code POP.PARAM=VALUE}, split at the first '.' and the first '=' after it. */
    record Assignment(String population, String parameter, double value) {
        /** The assignment, or null if a part is missing or the value is no finite number. */
        static Assignment parse(String s) {
            int dot = s.indexOf('.');
            int eq = dot < 0 ? -1 : s.indexOf('=', dot + 1);
            if (dot <= 0 || eq < 0 || eq == dot + 1 || eq == s.length() - 1 || s.substring(0, dot).contains("=")) {
                return null;
            }
            try {
                double v = Double.parseDouble(s.substring(eq + 1).strip());
                return Double.isFinite(v) ? new Assignment(s.substring(0, dot), s.substring(dot + 1, eq), v) : null;
            } catch (NumberFormatException e) {
                return null;
            }
        }
    }
}
