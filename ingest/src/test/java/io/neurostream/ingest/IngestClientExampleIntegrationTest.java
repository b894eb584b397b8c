package io.neurostream.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.neurostream.ingest.example.IngestExample;
import io.neurostream.schemas.avro.RunState;
import io.neurostream.schemas.avro.Status;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The example program of docs/ingest.md: the page shows this very code, and it runs against a real simulator. */
class IngestClientExampleIntegrationTest {
    private static final Path EXAMPLE = Path.of("src/test/java/io/neurostream/ingest/example/IngestExample.java");
    private static final Path PAGE = Path.of("../docs/ingest.md");

    @Test
    void shouldShowTheExampleProgramOnTheDocsPageAsItIsCompiled() throws Exception {
        String code = Files.readString(EXAMPLE, StandardCharsets.UTF_8);
        String page = Files.readString(PAGE, StandardCharsets.UTF_8);

        assertThat(page).as("docs/ingest.md shows %s verbatim", EXAMPLE).contains("```java\n" + code + "```\n");
    }

    @Test
    void shouldRunTheExampleProgramAgainstARunningSimulator() throws Exception {
        try (SimulatorFixture sim = new SimulatorFixture("ingest-example").withSimulator()) {
            ByteArrayOutputStream printed = new ByteArrayOutputStream();

            Status end = IngestExample.run(sim.clientSettings(), "example", SimulatorFixture.resource("small.json"),
                    new PrintStream(printed, true, StandardCharsets.UTF_8));

            assertThat(sim.simulatorFailure()).isNull();
            assertThat(end.getTick()).isEqualTo(1000);
            assertThat(end.getState()).isEqualTo(RunState.PAUSED);
            String out = printed.toString(StandardCharsets.UTF_8);
            Files.writeString(Path.of("target/ingest-example.out"), out, StandardCharsets.UTF_8); // what the page quotes
            assertThat(out).containsPattern("example spiked [1-9][0-9]* times in 1000 ticks");
            assertThat(out).contains("CREATE example", "applied at tick 0", "400 neurons", "STEP example",
                    "example is PAUSED at tick 1000", "SET example", "rejected UNKNOWN_PARAMETER", "STOP example");
        }
    }
}
