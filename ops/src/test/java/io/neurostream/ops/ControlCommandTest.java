package io.neurostream.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.neurostream.ops.ControlCommand.Assignment;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The usage errors of {@code create} and {@code control}, found before any Kafka is contacted. */
class ControlCommandTest {
    /** Nothing listens here: a command that tried to connect would time out instead of exiting 2. */
    private static final String NO_BROKER = "localhost:1";

    @Test
    void shouldSplitASetAtTheFirstDotAndEquals() {
        assertThat(Assignment.parse("E.v_threshold=-51")).isEqualTo(new Assignment("E", "v_threshold", -51.0));
        assertThat(Assignment.parse("E.a.b=2.5")).isEqualTo(new Assignment("E", "a.b", 2.5));
    }

    @Test
    void shouldRefuseAMalformedSet() {
        for (String s : new String[] {"E.v_threshold", "v_threshold=-51", ".v=1", "E.=1", "E.v=", "E.v=abc",
            "E=1.v", "E.v=NaN"}) {
            assertThat(Assignment.parse(s)).as(s).isNull();
        }
    }

    @Test
    void shouldExitTwoWithOneLineOnAMalformedSet() {
        Cli c = Cli.run("control", "net", "set", "E.v_threshold", "--bootstrap-server", NO_BROKER, "--timeout-s", "1");

        assertThat(c.exitCode()).isEqualTo(2);
        assertThat(c.out()).isEmpty();
        assertThat(c.err()).isEqualTo("neurostream: set takes POP.PARAM=VALUE (e.g. E.v_threshold=-51), got "
                + "'E.v_threshold'\n");
    }

    @Test
    void shouldAskAProbeForNeuronsOrClearButNotBoth() {
        Cli none = Cli.run("control", "net", "probe", "--bootstrap-server", NO_BROKER, "--timeout-s", "1");
        Cli both = Cli.run("control", "net", "probe", "--neurons", "1", "--clear", "--bootstrap-server", NO_BROKER);

        assertThat(none.exitCode()).isEqualTo(2);
        assertThat(none.err()).isEqualTo("neurostream: probe needs --neurons I,J,... (or --clear to remove every "
                + "probe)\n");
        assertThat(both.exitCode()).isEqualTo(2);
        assertThat(both.err()).isEqualTo("neurostream: probe takes --neurons or --clear, not both\n");
    }

    @Test
    void shouldExitTwoNamingTheSpecFileWhenItCannotBeRead(@TempDir Path dir) {
        Path missing = dir.resolve("missing.json");

        Cli c = Cli.run("create", missing.toString(), "--bootstrap-server", NO_BROKER, "--timeout-s", "1");

        assertThat(c.exitCode()).isEqualTo(2);
        assertThat(c.err().lines()).hasSize(1);
        assertThat(c.err()).startsWith("neurostream: cannot read spec file " + missing);
    }

    @Test
    void shouldExitTwoWhenAStepHasNoPositiveTickCount() {
        Cli c = Cli.run("control", "net", "step", "0", "--bootstrap-server", NO_BROKER);

        assertThat(c.exitCode()).isEqualTo(2);
        assertThat(c.err()).isEqualTo("neurostream: step N must be at least 1, got 0\n");
    }

    @Test
    void shouldExitTwoWithoutACommandForTheNetwork() {
        assertThat(Cli.run("control", "net").exitCode()).isEqualTo(2);
    }
}
