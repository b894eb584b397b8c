package io.neurostream.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * docs/cli.md quotes the real --help of the commands: a change to a help text (or to a setting of
 * SimulatorConfig or AnalyticsConfig, which the help renders) must update the doc. To rewrite the
 * quoted blocks from the current help: {@code mvn -B -o -q -pl ops test -Dtest=CliDocTest -Dregenerate=true}.
 */
class CliDocTest {
    private static final Path DOC = Path.of("..", "docs", "cli.md");
    /** The simulator's default instance id names this JVM's pid and host. */
    private static final String INSTANCE_DEFAULT = "simulator\\.instance\\.id  \\(string, default sim-[^)]*\\)";
    private static final String INSTANCE_PLACEHOLDER = "simulator.instance.id  (string, default sim-PID-HOST)";
    private static final String[][] COMMANDS = {{"--help"}, {"demo", "--help"}, {"simulate", "--help"},
        {"analytics", "--help"}, {"dashboard", "--help"}, {"topics", "--help"}, {"state", "--help"}, {"state", "list", "--help"},
        {"state", "drop", "--help"}, {"tail", "--help"}, {"create", "--help"}, {"control", "--help"},
        {"control", "ID", "set", "--help"}, {"status", "--help"}, {"send", "--help"}, {"ingest", "--help"}, {"record", "--help"},
        {"inspect", "--help"}, {"replay", "--help"}, {"run", "--help"}, {"bench", "--help"}};

    private static String help(String... args) {
        StringWriter out = new StringWriter();
        CommandLine cmd = Main.commandLine(Map.of());
        cmd.setOut(new PrintWriter(out, true));
        cmd.setErr(new PrintWriter(new StringWriter(), true));
        assertThat(cmd.execute(args)).isZero();
        return out.toString().stripTrailing() + "\n";
    }

    @Test
    void shouldQuoteTheHelpOfEveryStreamingCommandVerbatim() throws IOException {
        String doc = Files.readString(DOC);
        if (Boolean.getBoolean("regenerate")) {
            for (String[] args : COMMANDS) {
                String prompt = "$ ./neurostream " + String.join(" ", args) + "\n";
                int start = doc.indexOf(prompt);
                assertThat(start).as("docs/cli.md has a block starting with " + prompt).isNotNegative();
                start += prompt.length();
                // the help ends where the block ends, or where the next prompt of the same block starts
                int fence = doc.indexOf("\n```", start);
                int next = doc.indexOf("\n\n$ ", start);
                int end = next >= 0 && next < fence ? next : fence;
                doc = doc.substring(0, start) + help(args).stripTrailing() + doc.substring(end);
            }
            Files.writeString(DOC, doc);
        }
        String normalized = doc.replaceAll(INSTANCE_DEFAULT, INSTANCE_PLACEHOLDER);
        for (String[] args : COMMANDS) {
            String expected = "$ ./neurostream " + String.join(" ", args) + "\n"
                    + help(args).replaceAll(INSTANCE_DEFAULT, INSTANCE_PLACEHOLDER);
            assertThat(normalized)
                    .as("docs/cli.md quotes `neurostream %s` as it is now; -Dregenerate=true rewrites it (see Javadoc)",
                            String.join(" ", args))
                    .contains(expected);
        }
    }

    @Test
    void shouldQuoteEveryTopLevelCommand() {
        java.util.Set<String> quoted = new java.util.HashSet<>();
        for (String[] args : COMMANDS) {
            quoted.add(args[0]);
        }
        for (String name : Main.commandLine(Map.of()).getSubcommands().keySet()) {
            if (!name.equals("help")) {
                assertThat(quoted).as("docs/cli.md quotes `neurostream %s --help` (add it to COMMANDS)", name).contains(name);
            }
        }
    }
}
