package io.neurostream.ops;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import io.neurostream.analytics.AnalyticsConfig;
import io.neurostream.ops.bench.BenchCommand;
import io.neurostream.ops.internal.ConfigHelp;
import io.neurostream.simulator.SimulatorConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.Callable;
import org.apache.kafka.common.config.ConfigDef;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The {@code neurostream} command line. How to run it, from the repository root:
 *
 * <pre>
 * ./neurostream run engine/src/test/resources/specs/cuba.json --spikes-out spikes.csv
 * ./neurostream --help
 * </pre>
 *
 * <p>Exit codes: 0 success, 1 failure at run time (an output file could not be written),
 * 2 bad usage or a bad spec (one line on stderr saying what and where), 130 interrupted.
 */
@Command(name = "neurostream",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = {
            "Spiking neural networks on a 4D lattice, run as a streaming service on Apache Kafka: the "
                    + "all-in-one demo, the simulator and analytics services, topic setup, restorable state, "
                    + "reading the topics, creating and controlling networks, offline runs and benchmarks."},
        subcommands = {DemoCommand.class, SimulateCommand.class, AnalyticsCommand.class, DashboardCommand.class, TopicsCommand.class,
            StateCommand.class, TailCommand.class, CreateCommand.class, ControlCommand.class, StatusCommand.class,
            SendCommand.class, IngestCommand.class, RecordCommand.class, InspectCommand.class, ReplayCommand.class,
            RunCommand.class,
            BenchCommand.class, HelpCommand.class},
        commandListHeading = "%nCommands:%n",
        footer = {
            "",
            "Examples:",
            "  neurostream demo",
            "  neurostream topics --bootstrap-server localhost:9092",
            "  neurostream simulate --bootstrap-server localhost:9092",
            "  neurostream dashboard --port 8787",
            "  neurostream state list --data-dir data",
            "  neurostream tail spikes --network demo --max 5",
            "  neurostream create v1.json --start",
            "  neurostream control demo step 1000",
            "  neurostream status --watch",
            "  neurostream send demo inputs.jsonl",
            "  neurostream run engine/src/test/resources/specs/cuba.json \\",
            "      --spikes-out spikes.csv",
            "  neurostream run cuba.json --duration-ms 10000 --threads 2",
            "  neurostream bench cuba --repeat 3",
            "  neurostream help run",
            "",
            "Exit codes: 0 ok, 1 failure while running, 2 bad usage or bad spec,",
            "130 interrupted (Ctrl-C; 143 after SIGTERM)."})
public final class Main implements Callable<Integer> {
    static final int EXIT_OK = 0;
    static final int EXIT_FAILURE = 1;
    static final int EXIT_USAGE = 2;
    static final int EXIT_INTERRUPTED = 130;

    @Spec
    CommandSpec command;

    /** Without a subcommand there is nothing to do: say so, as picocli says any usage error. */
    @Override
    public Integer call() {
        List<String> names = new ArrayList<>(command.subcommands().keySet());
        String last = names.remove(names.size() - 1);
        throw new ParameterException(command.commandLine(),
                "Missing required subcommand (" + String.join(", ", names) + " or " + last + ")");
    }

    /** The whole command tree, ready to {@code execute}, reading the process's environment. */
    public static CommandLine commandLine() {
        return commandLine(System.getenv());
    }

    /**
     * The whole command tree with an environment of the caller's (for the {@code NEUROSTREAM_*} variables);
     * tests use it with their own out and err.
     */
    public static CommandLine commandLine(Map<String, String> environment) {
        CommandLine.IFactory defaults = CommandLine.defaultFactory();
        CommandLine cl = new CommandLine(new Main(), new CommandLine.IFactory() {
            @Override
            public <K> K create(Class<K> cls) throws Exception {
                return cls == KafkaOptions.class ? cls.cast(new KafkaOptions(environment)) : defaults.create(cls);
            }
        });
        appendSettings(cl.getSubcommands().get("simulate"), SimulatorConfig.DEF);
        appendSettings(cl.getSubcommands().get("analytics"), AnalyticsConfig.DEF);
        ControlCommand.showIdInSynopses(cl.getSubcommands().get("control"));
        cl.setParameterExceptionHandler(Main::usageError);
        return cl;
    }

    /**
     * A usage error is one line on stderr naming what is wrong and where the help is, exit 2 (the whole
     * usage after it would bury the line that matters).
     */
    private static int usageError(ParameterException e, String[] args) {
        CommandLine c = e.getCommandLine();
        String hint = "see '" + c.getCommandSpec().qualifiedName() + " --help'";
        CommandLine.Model.CommandSpec parent = c.getCommandSpec().parent();
        boolean control = "control".equals(c.getCommandSpec().name()) || (parent != null && "control".equals(parent.name()));
        if (control && e instanceof CommandLine.UnmatchedArgumentException) {
            hint = "options go after the command, as in 'neurostream control ID pause --bootstrap-server HOST:PORT'; " + hint;
        }
        c.getErr().println("neurostream: " + e.getMessage() + " (" + hint + ")");
        c.getErr().flush();
        return EXIT_USAGE;
    }

    /** Appends the documentation of every key of {@code def} to a command's help. */
    private static void appendSettings(CommandLine sub, ConfigDef def) {
        List<String> footer = new ArrayList<>(Arrays.asList(sub.getCommandSpec().usageMessage().footer()));
        for (String line : ConfigHelp.lines(def)) {
            footer.add(line.replace("%", "%%"));
        }
        sub.getCommandSpec().usageMessage().footer(footer.toArray(String[]::new));
    }

    /** One line on stderr, {@code neurostream: <problem>}, and the exit code. */
    static int fail(PrintWriter err, String problem, int code) {
        err.println("neurostream: " + problem);
        err.flush();
        return code;
    }

    /** An exception's message, with its cause's when that says more. */
    static String describe(Throwable e) {
        String m = e.getMessage() != null ? e.getMessage() : e.toString();
        Throwable c = e.getCause();
        if (c != null && c.getMessage() != null && !m.contains(c.getMessage())) {
            m += ": " + c.getMessage();
        }
        return m;
    }

    /**
     * Commands that are clients of a running service: when the broker cannot be reached, Kafka's client
     * logs a warning per connection attempt (dozens while the command waits), burying the one line the
     * command prints about it. The services (demo, simulate, analytics) keep them: there they tell an
     * operator that the broker went away.
     */
    private static final Set<String> CLIENT_COMMANDS = Set.of("topics", "state", "tail", "create", "control", "status",
            "send", "ingest", "record", "replay");

    public static void main(String[] args) {
        if (args.length > 0 && CLIENT_COMMANDS.contains(args[0])) {
            ((Logger) LoggerFactory.getLogger("org.apache.kafka")).setLevel(Level.ERROR);
        }
        System.exit(commandLine().execute(args));
    }

    /** {@code neurostream --version}: the build's version and the Java running it. */
    static final class Version implements IVersionProvider {
        @Override
        public String[] getVersion() throws IOException {
            Properties p = new Properties();
            try (InputStream in = Main.class.getResourceAsStream("version.properties")) {
                if (in != null) {
                    p.load(in);
                }
            }
            return new String[] {
                "neurostream " + p.getProperty("version", "(unknown version)"),
                "Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + "), "
                        + System.getProperty("os.name") + " " + System.getProperty("os.arch")};
        }
    }
}
