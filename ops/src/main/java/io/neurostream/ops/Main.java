package io.neurostream.ops;

import io.neurostream.bench.BenchCommand;
import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import java.util.concurrent.Callable;
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
            "Spiking neural networks on a 4D lattice: simulate a network spec offline,",
            "benchmark the engine."},
        subcommands = {RunCommand.class, BenchCommand.class, HelpCommand.class},
        commandListHeading = "%nCommands:%n",
        footer = {
            "",
            "Examples:",
            "  neurostream run engine/src/test/resources/specs/cuba.json \\",
            "      --spikes-out spikes.csv",
            "  neurostream run cuba.json --duration-ms 10000 --threads 2",
            "  neurostream bench cuba --repeat 3",
            "  neurostream help run",
            "",
            "Exit codes: 0 ok, 1 failure while running, 2 bad usage or bad spec,",
            "130 interrupted."})
public final class Main implements Callable<Integer> {

    @Spec
    CommandSpec command;

    /** Without a subcommand there is nothing to do: say so, as picocli says any usage error. */
    @Override
    public Integer call() {
        throw new ParameterException(command.commandLine(), "Missing required subcommand (run, bench or help)");
    }

    /** The whole command tree, ready to {@code execute}; tests use it with their own out and err. */
    public static CommandLine commandLine() {
        return new CommandLine(new Main());
    }

    public static void main(String[] args) {
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
