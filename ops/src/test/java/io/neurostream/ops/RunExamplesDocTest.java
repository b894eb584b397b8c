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
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Every {@code neurostream run} example in the docs whose output is shown is run again, and what makes
 * the output deterministic (neurons, synapses, ticks, spikes per population, spike_checksum, probe
 * samples) must equal what the doc shows: an example whose numbers went stale fails here. Wall times
 * differ from run to run and are not compared.
 */
class RunExamplesDocTest {
    private static final List<Path> DOCS = List.of(Path.of("..", "README.md"), Path.of("..", "docs", "cli.md"),
            Path.of("..", "docs", "spec-format.md"));
    /** A shown command line, then (after at most one line of stderr) the JSON summary it printed. */
    private static final Pattern EXAMPLE = Pattern.compile(
            "\\$ \\./neurostream run ([^\\n|]+)\\n(?:[^{\\n][^\\n]*\\n)?\\s*(\\{\"name\"[^\\n]*)");
    private static final Pattern JSON_BLOCK = Pattern.compile("```json\\n(.*?)```", Pattern.DOTALL);
    private static final List<String> COMPARED = List.of("name", "seed", "neurons", "synapses", "ticks", "spikes",
            "synaptic_events", "population_spikes", "spike_checksum", "probe_samples");
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    @Test
    void shouldPrintWhatEveryRunExampleOfTheDocsShows() throws IOException {
        writeSpecsOfTheSpecFormatDoc();
        SoftAssertions soft = new SoftAssertions();
        int examples = 0;
        for (Path doc : DOCS) {
            Matcher m = EXAMPLE.matcher(Files.readString(doc));
            while (m.find()) {
                List<String> args = new ArrayList<>(List.of("run"));
                String[] shown = m.group(1).trim().split("\\s+");
                for (int i = 0; i < shown.length; i++) {
                    String a = shown[i];
                    if (a.equals("--spikes-out") || a.equals("--probes-out")) {
                        args.add(a);
                        args.add(tmp.resolve(shown[++i]).toString()); // written where the test may write
                    } else if (a.endsWith(".json")) {
                        Path spec = a.startsWith("engine/") ? Path.of("..", a) : tmp.resolve(a);
                        args.add(spec.toString());
                    } else {
                        args.add(a);
                    }
                }
                StringWriter out = new StringWriter();
                StringWriter err = new StringWriter();
                CommandLine cmd = new CommandLine(new Main());
                cmd.setOut(new PrintWriter(out, true));
                cmd.setErr(new PrintWriter(err, true));
                int code = cmd.execute(args.toArray(new String[0]));
                String where = doc.getFileName() + ": $ ./neurostream run " + m.group(1).trim();
                soft.assertThat(code).as("%s exits 0 (%s)", where, err).isZero();
                JsonNode want = JSON.readTree(m.group(2));
                JsonNode got = JSON.readTree(out.toString().lines().filter(l -> l.startsWith("{")).findFirst().orElse("{}"));
                for (String field : COMPARED) {
                    soft.assertThat(got.get(field)).as("%s: %s (it now prints %s)", where, field, got).isEqualTo(want.get(field));
                }
                examples++;
            }
        }
        assertThat(examples).as("run examples with their output found in the docs").isGreaterThanOrEqualTo(3);
        soft.assertAll();
    }

    /** The complete specs of spec-format.md, saved under their names, as the docs' examples assume. */
    private void writeSpecsOfTheSpecFormatDoc() throws IOException {
        Matcher m = JSON_BLOCK.matcher(Files.readString(Path.of("..", "docs", "spec-format.md")));
        while (m.find()) {
            JsonNode node = JSON.readTree(m.group(1));
            if (node.isObject() && node.has("populations") && node.has("name")) {
                Files.writeString(tmp.resolve(node.get("name").asText() + ".json"), m.group(1));
            }
        }
    }
}
