package io.neurostream.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.neurostream.ingest.InputLines.Line;
import io.neurostream.schemas.Matrices;
import io.neurostream.schemas.avro.Coordinate;
import io.neurostream.schemas.avro.ExternalInput;
import io.neurostream.schemas.avro.InputKind;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class InputLinesTest {

    /** Parses the text as one source, numbering lines from 1; blank lines, comments and headers left out. */
    private static List<Line> parse(double dtMs, String text) {
        InputLines p = new InputLines("net", "in.jsonl", dtMs);
        List<Line> out = new ArrayList<>();
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            Line l = p.parse(i + 1, lines[i]);
            if (l != null) {
                out.add(l);
            }
        }
        return out;
    }

    private static ExternalInput one(String line) {
        List<Line> lines = parse(0.1, line);
        assertThat(lines).hasSize(1);
        assertThat(lines.get(0).problem()).isNull();
        return lines.get(0).input();
    }

    private static String problem(String line) {
        List<Line> lines = parse(0.1, line);
        assertThat(lines).hasSize(1);
        assertThat(lines.get(0).ok()).as("line %s is refused", line).isFalse();
        return lines.get(0).problem();
    }

    @Test
    void shouldReadACurrentIntoPopulationsWithItsTickAndDuration() {
        ExternalInput in = one("{\"target\": {\"populations\": [\"E\", \"I\"]}, \"current\": 20.5, \"tick\": 100, "
                + "\"duration_ticks\": 50}");

        assertThat(in.getNetworkId()).isEqualTo("net");
        assertThat(in.getKind()).isEqualTo(InputKind.CURRENT);
        assertThat(in.getTarget().getPopulations()).containsExactly("E", "I");
        assertThat(in.getCurrent()).isEqualTo(20.5);
        assertThat(in.getTick()).isEqualTo(100L);
        assertThat(in.getDurationTicks()).isEqualTo(50);
        assertThat(in.getInputId()).isEqualTo("in.jsonl:1");
    }

    @Test
    void shouldTurnMillisecondsIntoTicksWithTheNetworksTimeStep() {
        ExternalInput in = one("{\"target\": {\"area\": \"V1\"}, \"current\": 1, \"at_ms\": 2.5, \"duration_ms\": 0.3}");

        assertThat(in.getTarget().getArea()).isEqualTo("V1");
        assertThat(in.getTick()).isEqualTo(25L);
        assertThat(in.getDurationTicks()).isEqualTo(3);
    }

    @Test
    void shouldStartAtTheNextTickForOneTickWhenNeitherIsGiven() {
        ExternalInput in = one("{\"target\": {\"neurons\": [3, 5]}, \"current\": 1}");

        assertThat(in.getTick()).isNull();
        assertThat(in.getDurationTicks()).isEqualTo(1);
        assertThat(in.getTarget().getNeurons()).containsExactly(3, 5);
    }

    @Test
    void shouldReadCoordinates() {
        ExternalInput in = one("{\"target\": {\"coordinates\": [[1, 2, 3, 0]]}, \"current\": 1}");

        assertThat(in.getTarget().getCoordinates()).containsExactly(new Coordinate(1, 2, 3, 0));
    }

    @Test
    void shouldReadAPoissonInputWithItsWeight() {
        ExternalInput in = one("{\"target\": {\"populations\": \"E\"}, \"rate_hz\": 40, \"weight\": 0.5, "
                + "\"input_id\": \"drive-1\"}");

        assertThat(in.getKind()).isEqualTo(InputKind.POISSON);
        assertThat(in.getRateHz()).isEqualTo(40.0);
        assertThat(in.getWeight()).isEqualTo(0.5);
        assertThat(in.getInputId()).isEqualTo("drive-1");
    }

    @Test
    void shouldPackASenseMatrixRowMajorWithItsLayerAndScale() {
        ExternalInput in = one("{\"kind\": \"MATRIX\", \"target\": {\"sense\": \"vision\", \"z_layer\": 2}, "
                + "\"matrix\": [[1, 2, 3], [4, 5, 6]], \"scale\": 0.5}");

        assertThat(in.getKind()).isEqualTo(InputKind.MATRIX);
        assertThat(in.getTarget().getSense()).isEqualTo("vision");
        assertThat(in.getTarget().getZLayer()).isEqualTo(2);
        assertThat(in.getMatrixRows()).isEqualTo(2);
        assertThat(in.getMatrixCols()).isEqualTo(3);
        assertThat(Matrices.unpack(in)).containsExactly(1f, 2f, 3f, 4f, 5f, 6f);
        assertThat(in.getScale()).isEqualTo(0.5);
    }

    @Test
    void shouldReadCsvCurrentsWithEveryKindOfTarget() {
        List<Line> lines = parse(0.1, """
                # currents
                tick,target,current,duration_ticks
                10,E,20,5
                ,area:V1,1.5,
                30,neurons:1 2 3,-2,1
                """);

        assertThat(lines).allSatisfy(l -> assertThat(l.problem()).isNull());
        assertThat(lines).extracting(Line::number).containsExactly(3, 4, 5);
        ExternalInput a = lines.get(0).input();
        assertThat(a.getTick()).isEqualTo(10L);
        assertThat(a.getTarget().getPopulations()).containsExactly("E");
        assertThat(a.getCurrent()).isEqualTo(20.0);
        assertThat(a.getDurationTicks()).isEqualTo(5);
        assertThat(a.getInputId()).isEqualTo("in.jsonl:3");
        ExternalInput b = lines.get(1).input();
        assertThat(b.getTick()).isNull();
        assertThat(b.getTarget().getArea()).isEqualTo("V1");
        assertThat(b.getDurationTicks()).isEqualTo(1);
        assertThat(lines.get(2).input().getTarget().getNeurons()).containsExactly(1, 2, 3);
    }

    @Test
    void shouldReadCsvMillisecondsAndInputIds() {
        List<Line> lines = parse(0.5, "at_ms,duration_ms,target,current,input_id\n1.0,2.0,E,3,first");

        ExternalInput in = lines.get(0).input();
        assertThat(in.getTick()).isEqualTo(2L);
        assertThat(in.getDurationTicks()).isEqualTo(4);
        assertThat(in.getInputId()).isEqualTo("first");
    }

    @Test
    void shouldRefuseABadCsvHeaderForTheWholeSource() {
        InputLines p = new InputLines("net", "in.csv", 0.1);

        assertThatThrownBy(() -> p.parse(1, "tick,target,amps"))
                .isInstanceOf(InputLines.BadHeaderException.class).hasMessageContaining("'amps'");
        assertThatThrownBy(() -> new InputLines("net", "in.csv", 0.1).parse(1, "tick,target"))
                .hasMessageContaining("target and current");
    }

    @Test
    void shouldReportEachBadLineWithItsNumberAndGoOn() {
        List<Line> lines = parse(0.1, """
                {"target": {"populations": ["E"]}, "current": 1}

                {"target": {"populations": ["E"]}, "current": }
                {"target": {"populations": ["E"]}, "current": 2}
                """);

        assertThat(lines).extracting(Line::number).containsExactly(1, 3, 4);
        assertThat(lines).extracting(Line::ok).containsExactly(true, false, true);
        assertThat(lines.get(1).problem()).startsWith("not valid JSON");
        assertThat(lines.get(2).input().getInputId()).isEqualTo("in.jsonl:4");
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "[1, 2]                                                              | a line must be one JSON object",
        "{\"target\": {\"area\": \"A\"}, \"current\": 1, \"amps\": 3}          | unknown field 'amps'",
        "{\"target\": {\"area\": \"A\"}}                                      | no value",
        "{\"target\": {\"area\": \"A\"}, \"current\": 1, \"rate_hz\": 3}       | several values",
        "{\"kind\": \"SOUND\", \"target\": {\"area\": \"A\"}, \"current\": 1} | kind must be CURRENT, POISSON or MATRIX",
        "{\"kind\": \"CURRENT\", \"target\": {\"area\": \"A\"}, \"rate_hz\": 1} | current is missing",
        "{\"current\": 1}                                                    | target is missing",
        "{\"target\": {}, \"current\": 1}                                    | exactly one of populations",
        "{\"target\": {\"area\": \"A\", \"neurons\": [1]}, \"current\": 1}   | got area, neurons",
        "{\"target\": {\"cells\": [1]}, \"current\": 1}                      | unknown target field 'cells'",
        "{\"target\": {\"neurons\": [-1]}, \"current\": 1}                   | target.neurons must be a whole number >= 0",
        "{\"target\": {\"coordinates\": [[1, 2]]}, \"current\": 1}           | each cell is [x, y, z, w]",
        "{\"target\": {\"area\": \"A\", \"z_layer\": 1}, \"current\": 1}     | z_layer goes with target.sense only",
        "{\"target\": {\"sense\": \"vision\"}, \"current\": 1}               | target.sense goes with a MATRIX input only",
        "{\"target\": {\"area\": \"A\"}, \"matrix\": [[1]]}                  | a MATRIX input needs target.sense",
        "{\"target\": {\"sense\": \"s\"}, \"matrix\": [[1, 2], [3]]}         | matrix row 1 has 1 values, row 0 has 2",
        "{\"target\": {\"sense\": \"s\"}, \"matrix\": [[1, \"x\"]]}          | matrix[0][1] must be a finite number",
        "{\"target\": {\"sense\": \"s\"}, \"matrix\": []}                    | matrix must be a non-empty list",
        "{\"target\": {\"area\": \"A\"}, \"rate_hz\": -1}                    | rate_hz must be >= 0",
        "{\"target\": {\"area\": \"A\"}, \"current\": 1, \"scale\": 2}       | scale goes with kind MATRIX, not CURRENT",
        "{\"target\": {\"area\": \"A\"}, \"current\": 1, \"tick\": 1, \"at_ms\": 1} | give tick or at_ms, not both",
        "{\"target\": {\"area\": \"A\"}, \"current\": 1, \"tick\": -3}       | tick must be >= 0",
        "{\"target\": {\"area\": \"A\"}, \"current\": 1, \"tick\": 1.5}      | tick must be a whole number",
        "{\"target\": {\"area\": \"A\"}, \"current\": 1, \"duration_ticks\": 0} | duration_ticks must come to at least 1 tick",
        "{\"target\": {\"area\": \"A\"}, \"current\": 1, \"duration_ms\": 0.01} | duration_ms must come to at least 1 tick",
        "{\"target\": {\"area\": \"A\"}, \"current\": \"1\"}                 | current must be a finite number",
        "{\"network_id\": \"other\", \"target\": {\"area\": \"A\"}, \"current\": 1} | is not the network sent to",
        "{\"target\": {\"area\": \"A\"}, \"current\": 1, \"current\": 2}     | not valid JSON: Duplicate field 'current'",
        "{\"target\": {\"area\": \"A\"}, \"current\": 1} {}                  | not valid JSON",
    })
    void shouldSayWhatIsWrongWithABadJsonLine(String line, String expected) {
        assertThat(problem(line)).contains(expected);
    }

    @ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"json", "csv"})
    void shouldParseEveryExampleOfTheDocsPage(String fence) throws Exception {
        String page = java.nio.file.Files.readString(java.nio.file.Path.of("../docs/ingest.md"));
        int start = page.indexOf("```" + fence + "\n");
        assertThat(start).as("docs/ingest.md has a ```%s block", fence).isNotNegative();
        String block = page.substring(start + fence.length() + 4, page.indexOf("```", start + 3));

        List<Line> lines = parse(0.1, block);

        assertThat(lines).hasSizeGreaterThanOrEqualTo(3);
        assertThat(lines).allSatisfy(l -> assertThat(l.problem()).as("line %d", l.number()).isNull());
    }

    @Test
    void shouldAskForTicksWhenTheTimeStepIsUnknown() {
        List<Line> lines = parse(Double.NaN, "{\"target\": {\"area\": \"A\"}, \"current\": 1, \"at_ms\": 5}");

        assertThat(lines.get(0).problem()).isEqualTo("at_ms needs the network's dt_ms, which is not known; give tick or "
                + "duration_ticks");
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "1,E                | 2 values for 3 columns",
        "x,E,1              | tick must be a whole number, got 'x'",
        "1,,1               | target is empty",
        "1,E,               | current is empty",
        "1,E,much           | current must be a finite number, got 'much'",
        "1,neurons:1 x,1    | target neuron id must be a whole number",
        "1,neurons:,1       | neuron ids are whole numbers >= 0",
        "1,area:,1          | names no area",
        "1,volume:V1,1      | neither a population name, area:NAME nor neurons:ID ID",
    })
    void shouldSayWhatIsWrongWithABadCsvRow(String row, String expected) {
        List<Line> lines = parse(0.1, "tick,target,current\n" + row);

        assertThat(lines).hasSize(1);
        assertThat(lines.get(0).number()).isEqualTo(2);
        assertThat(lines.get(0).problem()).contains(expected);
    }
}
