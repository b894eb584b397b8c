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

/** docs/cli.md quotes the real --help of the commands: a change to a help text must update the doc. */
class CliDocTest {
    private static final Path DOC = Path.of("..", "docs", "cli.md");
    /** The simulator's default instance id names this JVM's pid and host. */
    private static final String INSTANCE_DEFAULT = "simulator\\.instance\\.id  \\(string, default sim-[^)]*\\)";

    private static String help(String... args) {
        StringWriter out = new StringWriter();
        CommandLine cmd = Main.commandLine(Map.of());
        cmd.setOut(new PrintWriter(out, true));
        cmd.setErr(new PrintWriter(new StringWriter(), true));
        assertThat(cmd.execute(args)).isZero();
        return out.toString().replaceAll(INSTANCE_DEFAULT, "simulator.instance.id  (string, default sim-PID-HOST)");
    }

    @Test
    void shouldQuoteTheHelpOfEveryStreamingCommandVerbatim() throws IOException {
        String doc = Files.readString(DOC).replaceAll(INSTANCE_DEFAULT, "simulator.instance.id  (string, default sim-PID-HOST)");
        for (String[] args : new String[][] {{"--help"}, {"demo", "--help"}, {"simulate", "--help"},
                {"analytics", "--help"}, {"topics", "--help"}}) {
            String expected = "$ ./neurostream " + String.join(" ", args) + "\n" + help(args);
            assertThat(doc).as("docs/cli.md quotes `neurostream %s` as it is now", String.join(" ", args))
                    .contains(expected.stripTrailing() + "\n");
        }
    }
}
