package io.neurostream.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The provisioned Grafana dashboard (ops/compose/grafana/dashboards/neurostream.json): valid JSON that
 * picks its Prometheus through a datasource variable, a PromQL expression in every panel, and no metric
 * name that the services do not serve — checked against known-metrics.txt (the metric contract's names
 * and Micrometer's binder names as scraped), which a real scrape of the services can replace.
 */
class GrafanaDashboardTest {
    static final Path DASHBOARD = ComposeFile.ROOT.resolve("ops/compose/grafana/dashboards/neurostream.json");
    private static final String KNOWN_METRICS = "compose/known-metrics.txt";
    /** Grafana's reference to the dashboard's datasource variable. */
    private static final String DATASOURCE_VARIABLE = "${datasource}";

    private static final Pattern STRING = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'");
    private static final Pattern MATCHERS = Pattern.compile("\\{[^}]*}");
    private static final Pattern RANGE = Pattern.compile("\\[[^]]*]");
    private static final Pattern GROUPING =
            Pattern.compile("\\b(?:by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)");
    /** An identifier not preceded by a word character, $ or . (so no number's exponent, no variable). */
    private static final Pattern IDENTIFIER = Pattern.compile("(?<![\\w$.:])([A-Za-z_:][\\w:]*)");
    private static final Set<String> KEYWORDS = Set.of("and", "or", "unless", "bool", "offset", "by", "without",
            "on", "ignoring", "group_left", "group_right", "inf", "nan", "atan2");

    private static JsonNode dashboard;
    private static Set<String> known;

    @BeforeAll
    static void read() throws IOException {
        dashboard = new ObjectMapper().readTree(DASHBOARD.toFile());
        known = knownMetricNames();
    }

    @Test
    void shouldPickItsPrometheusThroughADatasourceVariable() {
        JsonNode variable = variable("datasource");
        assertThat(variable.get("type").asText()).isEqualTo("datasource");
        assertThat(variable.get("query").asText()).isEqualTo("prometheus");
        assertThat(dashboard.get("uid").asText()).isEqualTo("neurostream");
        for (JsonNode panel : panels()) {
            assertThat(panel.get("datasource").get("uid").asText()).as(title(panel)).isEqualTo(DATASOURCE_VARIABLE);
            for (JsonNode target : panel.get("targets")) {
                assertThat(target.get("datasource").get("uid").asText()).as(title(panel))
                        .isEqualTo(DATASOURCE_VARIABLE);
            }
        }
    }

    @Test
    void shouldGiveEveryPanelAPromQLExpressionAndAUniqueId() {
        Set<Integer> ids = new HashSet<>();
        for (JsonNode panel : dashboard.get("panels")) {
            assertThat(ids.add(panel.get("id").asInt())).as("unique id of " + title(panel)).isTrue();
        }
        assertThat(panels()).as("panels other than rows").hasSizeGreaterThanOrEqualTo(20);
        for (JsonNode panel : panels()) {
            assertThat(panel.get("targets")).as(title(panel)).isNotEmpty();
            for (JsonNode target : panel.get("targets")) {
                String expr = target.path("expr").asText();
                assertThat(expr).as(title(panel)).isNotBlank();
                assertThat(metricNames(expr)).as("metrics of " + title(panel) + ": " + expr).isNotEmpty();
            }
        }
    }

    @Test
    void shouldUseOnlyMetricNamesThatTheServicesServe() {
        for (String expr : expressions()) {
            assertThat(known).as("metric names of " + expr).containsAll(metricNames(expr));
        }
    }

    @Test
    void shouldShowEveryNeuroStreamMeterOfTheContract() {
        Set<String> used = new HashSet<>();
        expressions().forEach(e -> used.addAll(metricNames(e)));
        Set<String> shown = new HashSet<>();
        used.forEach(n -> shown.add(meter(n)));
        for (String name : known) {
            if (name.startsWith("neurostream_")) {
                assertThat(shown).as("a panel shows " + name).contains(meter(name));
            }
        }
    }

    @Test
    void shouldFindTheMetricNamesOfAnExpression() {
        assertThat(metricNames("histogram_quantile(0.99, sum by (network, le) (rate(a_seconds_bucket"
                + "{network=~\"$network\", x='}'}[$__rate_interval])))")).containsExactly("a_seconds_bucket");
        assertThat(metricNames("sum without (instance) (jvm_x{area=\"heap\"}) / on (job) group_left(gc) "
                + "max(jvm_y) > 1e3 and bool up")).containsExactly("jvm_x", "jvm_y", "up");
        assertThat(metricNames("rate(kafka_consumer_records_total[5m] offset 1h)"))
                .containsExactly("kafka_consumer_records_total");
    }

    /** The metric names an expression reads (not its functions, labels, keywords or Grafana variables). */
    static Set<String> metricNames(String expr) {
        String s = STRING.matcher(expr).replaceAll("\"\"");
        s = MATCHERS.matcher(s).replaceAll(" ");
        s = RANGE.matcher(s).replaceAll(" ");
        s = GROUPING.matcher(s).replaceAll(" ");
        s = s.replaceAll("\\b(?:group_left|group_right)\\b", " ");
        Set<String> names = new LinkedHashSet<>();
        Matcher m = IDENTIFIER.matcher(s);
        while (m.find()) {
            String id = m.group(1);
            boolean function = s.substring(m.end()).stripLeading().startsWith("(");
            if (!function && !KEYWORDS.contains(id.toLowerCase())) {
                names.add(id);
            }
        }
        return names;
    }

    /** The metric names of known-metrics.txt: the first word of each line not starting with #. */
    static Set<String> knownMetricNames() throws IOException {
        Set<String> names = new LinkedHashSet<>();
        try (InputStream in = GrafanaDashboardTest.class.getResourceAsStream(KNOWN_METRICS)) {
            assertThat(in).as(KNOWN_METRICS).isNotNull();
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            for (String line; (line = reader.readLine()) != null; ) {
                line = line.strip();
                if (!line.isEmpty() && !line.startsWith("#")) {
                    names.add(line.split("[{\\s]", 2)[0]);
                }
            }
        }
        return names;
    }

    /** The meter a series belongs to: a histogram's _bucket, _count, _sum and _max series are one meter. */
    private static String meter(String series) {
        return series.replaceFirst("_(bucket|count|sum|max)$", "");
    }

    /** Every PromQL expression of the dashboard: its panels' targets and its query variables. */
    private static List<String> expressions() {
        List<String> exprs = new ArrayList<>();
        panels().forEach(p -> p.get("targets").forEach(t -> exprs.add(t.get("expr").asText())));
        for (JsonNode v : dashboard.get("templating").get("list")) {
            if (v.get("type").asText().equals("query")) {
                exprs.add(v.get("query").get("query").asText()
                        .replaceFirst("^label_values\\((\\w+),\\s*\\w+\\)$", "$1"));
            }
        }
        return exprs;
    }

    private static List<JsonNode> panels() {
        List<JsonNode> panels = new ArrayList<>();
        for (JsonNode p : dashboard.get("panels")) {
            if (!p.get("type").asText().equals("row")) {
                panels.add(p);
            }
        }
        return panels;
    }

    private static JsonNode variable(String name) {
        for (JsonNode v : dashboard.get("templating").get("list")) {
            if (v.get("name").asText().equals(name)) {
                return v;
            }
        }
        throw new AssertionError("no variable " + name);
    }

    private static String title(JsonNode panel) {
        return "panel " + panel.get("id") + " \"" + panel.get("title").asText() + "\"";
    }
}
