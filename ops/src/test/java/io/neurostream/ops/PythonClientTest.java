package io.neurostream.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.neurostream.ops.PythonClientIntegrationTest.PythonClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The Python client without a broker: its own unit tests (fingerprints of every released schema, decoding
 * of every golden record, spike unpacking), and docs/python.md showing its example program as it is.
 */
class PythonClientTest {
    private static final Path EXAMPLE = Path.of("../clients/python/example.py");
    private static final Path PAGE = Path.of("../docs/python.md");

    @Test
    void shouldShowTheExampleProgramOnTheDocsPageAsItIs() throws Exception {
        String code = Files.readString(EXAMPLE, StandardCharsets.UTF_8);
        String page = Files.readString(PAGE, StandardCharsets.UTF_8);

        assertThat(page).as("docs/python.md shows %s verbatim", EXAMPLE).contains("```python\n" + code + "```\n");
    }

    @Test
    void shouldPassThePythonClientsOwnTests() throws Exception {
        PythonClient.assumeAvailable();

        PythonClient.Result r = PythonClient.run("-m", "unittest", "-v", "test_neurostream_client");

        assertThat(r.exitCode()).as("python -m unittest said:%n%s", r.output()).isZero();
        assertThat(r.output()).contains("OK");
    }
}
