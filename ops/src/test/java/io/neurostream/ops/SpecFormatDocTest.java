package io.neurostream.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The complete specs shown in docs/spec-format.md are valid and run, and the two test specs are quoted verbatim. */
class SpecFormatDocTest {
    private static final Path DOC = Path.of("..", "docs", "spec-format.md");
    private static final Path SPECS = Path.of("..", "engine", "src", "test", "resources", "specs");
    private static final Pattern JSON_BLOCK = Pattern.compile("```json\\n(.*?)```", Pattern.DOTALL);
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    private static List<String> jsonBlocks() throws IOException {
        Matcher m = JSON_BLOCK.matcher(Files.readString(DOC));
        List<String> blocks = new ArrayList<>();
        while (m.find()) {
            blocks.add(m.group(1));
        }
        return blocks;
    }

    @Test
    void shouldRunEveryCompleteSpecOfTheDoc() throws IOException {
        int specs = 0;
        for (String block : jsonBlocks()) {
            JsonNode node = JSON.readTree(block);
            if (!node.isObject() || !node.has("populations")) {
                continue; // a fragment showing one section
            }
            Path file = tmp.resolve(node.get("name").asText() + ".json");
            Files.writeString(file, block);
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            CommandLine cmd = new CommandLine(new Main());
            cmd.setOut(new PrintWriter(out, true));
            cmd.setErr(new PrintWriter(err, true));

            int code = cmd.execute("run", file.toString(), "--duration-ms", "20");

            assertThat(code).as("%s: %s", file.getFileName(), err).isEqualTo(0);
            specs++;
        }
        assertThat(specs).isGreaterThanOrEqualTo(3);
    }

    @Test
    void shouldQuoteTheTestSpecsVerbatim() throws IOException {
        List<String> blocks = jsonBlocks();
        for (String name : new String[] {"one-rs.json", "cuba.json"}) {
            assertThat(blocks).as(name).contains(Files.readString(SPECS.resolve(name)));
        }
    }
}
