package io.neurostream.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.neurostream.ingest.InputLines;
import io.neurostream.ingest.NeuroStreamClient;
import io.neurostream.ingest.OutputReader;
import io.neurostream.ingest.sense.NetworkLookup;
import io.neurostream.ops.dashboard.DashboardServer;
import io.neurostream.schemas.SpikeBatches;
import io.neurostream.schemas.Topics;
import io.neurostream.schemas.avro.SpikeBatch;
import io.neurostream.schemas.avro.Status;
import io.neurostream.schemas.avro.Topology;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The dashboard's server against a real SimulatorService on the in-JVM broker, through plain HTTP: its REST
 * answers, its event streams (the raster compared bit for bit with the committed spikes), commands and inputs
 * as the CLI answers them, the token, shared readers, and time travel.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class DashboardServerIntegrationTest {
    /** Two areas on a 10 x 8 x 2 lattice; every neuron is driven above threshold, so each fires about every 50 ms. */
    static final String SPEC = """
            {"name": "grid", "seed": 5, "dt_ms": 1.0, "lattice": [10, 8, 2, 1],
             "areas": [{"name": "A", "x": [0, 4], "y": [0, 7], "z": [0, 1], "w": [0, 0], "sense": "touch"},
                       {"name": "B", "x": [5, 9], "y": [0, 7], "z": [0, 1], "w": [0, 0]}],
             "populations": [
               {"name": "EA", "area": "A", "count": 60, "model": "lif", "type": "excitatory", "params": %1$s,
                "init": {"v": {"uniform": [-60.0, -50.0]}}},
               {"name": "IA", "area": "A", "count": 20, "model": "lif", "type": "inhibitory", "params": %1$s,
                "init": {"v": {"uniform": [-60.0, -50.0]}}},
               {"name": "EB", "area": "B", "count": 70, "model": "lif", "type": "excitatory", "params": %1$s,
                "init": {"v": {"uniform": [-60.0, -50.0]}}}]}
            """.formatted("""
            {"v_rest": -49.0, "v_threshold": -50.0, "v_reset": -60.0, "tau_membrane": 20.0, "refractory_ms": 5.0,
             "integration": "exact"}""");
    static final long STEPPED_TICKS = 2000;
    static final Duration WAIT = Duration.ofSeconds(30);
    /** How long a feed's readers outlive its last viewer (Feed.LINGER, package-private there). */
    private static final long LINGER_MS = 10_000;
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static final ServiceFixture service = new ServiceFixture("dash-", 2);
    private static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static NeuroStreamClient client;
    private static DashboardServer dashboard;
    private static PrometheusMeterRegistry registry;

    @BeforeAll
    static void createSteppedNetworkAndServe() throws Exception {
        Path dir = Files.createTempDirectory("dash-test");
        service.create(dir, "grid", SPEC);
        client = new NeuroStreamClient(service.clientSettings());
        assertThat(client.step("grid", STEPPED_TICKS).isApplied()).isTrue();
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            Status s = client.status("grid").orElseThrow();
            if (s.getTick() >= STEPPED_TICKS && s.getState().name().equals("PAUSED")) {
                break;
            }
            Thread.sleep(50);
        }
        assertThat(client.status("grid").orElseThrow().getTick()).isEqualTo(STEPPED_TICKS);
        registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        dashboard = DashboardServer.start(service.clientSettings(), options(), registry);
    }

    static DashboardServer.Options options() {
        return DashboardServer.Options.defaults().port(0).webRoot("io/neurostream/ops/dashboard/testweb/");
    }

    @AfterAll
    static void stop() {
        if (dashboard != null) {
            dashboard.close();
        }
        if (client != null) {
            client.close();
        }
    }

    // ------------------------------------------------------------------ helpers

    private static URI at(DashboardServer d, String pathAndQuery) {
        return URI.create(d.uri() + pathAndQuery);
    }

    private static HttpResponse<String> get(String pathAndQuery) throws Exception {
        return http.send(HttpRequest.newBuilder(at(dashboard, pathAndQuery)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> post(DashboardServer d, String path, String body, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(at(d, path)).POST(HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json");
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode json(HttpResponse<String> r) throws Exception {
        return JSON.readTree(r.body());
    }

    /** The raster row of every neuron, from the topology read here: by area, E before I, then id. */
    private static int[] rowsFromTopology() {
        Map<String, Object> kafka = new HashMap<>(service.kafka().clientConfig());
        List<Topology> chunks;
        try (NetworkLookup lookup = new NetworkLookup(kafka, service.prefix())) {
            chunks = lookup.topology("grid");
        }
        int n = chunks.get(0).getNeuronCount();
        int[] area = new int[n];
        int[] cls = new int[n];
        for (Topology t : chunks) {
            ByteBuffer a = t.getAreaIndex().duplicate().order(ByteOrder.LITTLE_ENDIAN);
            ByteBuffer e = t.getEClass().duplicate();
            for (int k = 0; k < t.getCount(); k++) {
                area[t.getFirstNeuron() + k] = Short.toUnsignedInt(a.getShort());
                cls[t.getFirstNeuron() + k] = e.get();
            }
        }
        Integer[] order = IntStream.range(0, n).boxed().sorted((x, y) -> area[x] != area[y] ? Integer.compare(area[x], area[y])
                : cls[x] != cls[y] ? Integer.compare(cls[x], cls[y]) : Integer.compare(x, y)).toArray(Integer[]::new);
        int[] rowOf = new int[n];
        for (int r = 0; r < n; r++) {
            rowOf[order[r]] = r;
        }
        return rowOf;
    }

    /** The expected bitmap of columns [fromCol, toCol], from the committed spikes read with OutputReader. */
    private static Map<Long, byte[]> expectedRaster(int rows, double msPerCol, long fromCol, long toCol) {
        int[] rowOf = rowsFromTopology();
        int bytesPerCol = (rows + 7) / 8;
        Map<Long, byte[]> cols = new TreeMap<>();
        for (long c = fromCol; c <= toCol; c++) {
            cols.put(c, new byte[bytesPerCol]);
        }
        SpikeBatches.Assembler assembler = new SpikeBatches.Assembler();
        List<SpikeBatch> batches = new ArrayList<>();
        try (OutputReader<SpikeBatch> r = OutputReader.open(service.clientSettings(), Topics.SPIKES,
                OutputReader.Options.fromBeginning().network("grid"))) {
            r.readToEnd(o -> {
                SpikeBatch whole = assembler.add(o.value());
                if (whole != null) {
                    batches.add(whole);
                }
            }, WAIT);
        }
        int spikes = 0;
        for (SpikeBatch b : batches) {
            int[] ids = SpikeBatches.neuronIds(b);
            int[] offsets = SpikeBatches.tickOffsets(b);
            for (int k = 0; k < ids.length; k++) {
                double t = (b.getFirstTick() + offsets[k]) * 1.0;
                long col = (long) Math.floor(t / msPerCol);
                if (col >= fromCol && col <= toCol) {
                    int bin = (int) ((long) rowOf[ids[k]] * rows / rowOf.length);
                    cols.get(col)[bin >> 3] |= (byte) (1 << (bin & 7));
                    spikes++;
                }
            }
        }
        assertThat(spikes).as("spikes in the window").isGreaterThan(100);
        return cols;
    }

    /** The raster events' columns until {@code until} arrives (or column {@code lastCol} has come), ORed. */
    private static Map<Long, byte[]> collectRaster(SseClient sse, int rows, long lastCol, String until) throws Exception {
        int bytesPerCol = (rows + 7) / 8;
        Map<Long, byte[]> got = new TreeMap<>();
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            SseClient.Event e = sse.next(Duration.ofSeconds(1));
            if (e == null) {
                if (until == null && got.containsKey(lastCol)) {
                    break;
                }
                continue;
            }
            if (e.type().equals("error") || e.type().equals("closed")) {
                throw new AssertionError("stream ended: " + e);
            }
            if (until != null && e.type().equals(until)) {
                break;
            }
            if (e.type().equals("raster")) {
                long col0 = e.data().get("col0").asLong();
                int ncols = e.data().get("ncols").asInt();
                byte[] bitmap = Base64.getDecoder().decode(e.data().get("bitmap").asText());
                assertThat(bitmap).hasSize(ncols * bytesPerCol);
                for (int i = 0; i < ncols; i++) {
                    byte[] col = got.computeIfAbsent(col0 + i, c -> new byte[bytesPerCol]);
                    for (int j = 0; j < bytesPerCol; j++) {
                        col[j] |= bitmap[i * bytesPerCol + j];
                    }
                }
            }
        }
        return got;
    }

    private static void assertSameRaster(Map<Long, byte[]> got, Map<Long, byte[]> expected) {
        assertThat(got.keySet()).containsExactlyElementsOf(expected.keySet());
        for (Map.Entry<Long, byte[]> e : expected.entrySet()) {
            assertThat(got.get(e.getKey())).as("column " + e.getKey()).isEqualTo(e.getValue());
        }
    }

    private static double metric(String name) throws Exception {
        String text = get("/metrics").body();
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "(\\{[^}]*\\})? ([0-9.eE+-]+)$").matcher(text);
        assertThat(m.find()).as(name + " in /metrics").isTrue();
        return Double.parseDouble(m.group(2));
    }

    // ------------------------------------------------------------------ REST

    @Test
    void shouldListTheNetworkWithItsStateTickAndTime() throws Exception {
        HttpResponse<String> r = get("/api/networks");

        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode grid = null;
        for (JsonNode n : json(r).get("networks")) {
            if (n.get("id").asText().equals("grid")) {
                grid = n;
            }
        }
        assertThat(grid).isNotNull();
        assertThat(grid.get("state").asText()).isEqualTo("PAUSED");
        assertThat(grid.get("tick").asLong()).isEqualTo(STEPPED_TICKS);
        assertThat(grid.get("t_ms").asDouble()).isEqualTo(STEPPED_TICKS * 1.0);
        assertThat(grid.get("dt_ms").asDouble()).isEqualTo(1.0);
        for (String f : List.of("mode", "rt_factor", "rejected", "stalled_ms")) {
            assertThat(grid.has(f)).as(f).isTrue();
        }
    }

    @Test
    void shouldDescribeTheLayoutWithRowsGroupedByAreaThenEBeforeI() throws Exception {
        JsonNode l = json(get("/api/networks/grid/layout"));

        assertThat(l.get("neuron_count").asInt()).isEqualTo(150);
        assertThat(l.get("rows").asInt()).isEqualTo(150);
        assertThat(l.get("lattice").toString()).isEqualTo("[10,8,2,1]");
        List<String> groups = new ArrayList<>();
        l.get("groups").forEach(g -> groups.add(g.get("area").asText() + "/" + g.get("e_class").asText() + "/"
                + g.get("population").asText() + "/" + g.get("row_start").asInt() + "+" + g.get("row_count").asInt()));
        assertThat(groups).containsExactly("A/E/EA/0+60", "A/I/IA/60+20", "B/E/EB/80+70");
        assertThat(l.get("areas").get(1).toString()).isEqualTo("{\"name\":\"B\",\"x\":[5,9],\"y\":[0,7],\"z\":[0,1],\"w\":[0,0]}");
        assertThat(l.get("senses").toString()).isEqualTo("[{\"name\":\"touch\",\"area\":\"A\"}]");
    }

    @Test
    void shouldAnswer404ForAnUnknownNetwork() throws Exception {
        HttpResponse<String> r = get("/api/networks/nope/layout");

        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(json(r).get("error").asText()).isEqualTo("no network 'nope'");
    }

    @Test
    void shouldFindTheSameNeuronByRowAndByLatticeCell() throws Exception {
        JsonNode byRow = json(get("/api/networks/grid/neuron?row=70"));
        assertThat(byRow.get("area").asText()).isEqualTo("A");
        assertThat(byRow.get("e_class").asText()).isEqualTo("I");

        JsonNode byCell = json(get("/api/networks/grid/neuron?area=A&x=" + byRow.get("x") + "&y=" + byRow.get("y") + "&z="
                + byRow.get("z") + "&w=" + byRow.get("w")));
        assertThat(byCell).isEqualTo(byRow);
        assertThat(get("/api/networks/grid/neuron?area=B&x=" + byRow.get("x") + "&y=0&z=0").statusCode()).isEqualTo(404);
    }

    @Test
    void shouldAnswerABadControlAsRejectedInTheCliWords() throws Exception {
        HttpResponse<String> r = post(dashboard, "/api/networks/grid/control",
                "{\"command\": \"set\", \"population\": \"EA\", \"param\": \"no_such_param\", \"value\": 1}", null);

        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode a = json(r);
        assertThat(a.get("answer").asText()).isEqualTo("REJECTED");
        Cli cli = service.cli("control", "grid", "set", "EA.no_such_param=1");
        assertThat(cli.exitCode()).isEqualTo(1);
        assertThat(a.get("message").asText()).isEqualTo(cli.out().strip());
        assertThat(cli.out()).startsWith("rejected " + a.get("reason").asText() + ": ");
    }

    @Test
    void shouldRefuseAMalformedControlWith400() throws Exception {
        HttpResponse<String> r = post(dashboard, "/api/networks/grid/control", "{\"command\": \"step\", \"ticks\": 0}", null);

        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(json(r).get("error").asText()).isEqualTo("step N must be at least 1, got 0");
        assertThat(post(dashboard, "/api/networks/grid/control", "{\"command\": \"jump\"}", null).statusCode()).isEqualTo(400);
        assertThat(post(dashboard, "/api/networks/grid/control", "not json", null).statusCode()).isEqualTo(400);
    }

    @Test
    void shouldAnswerABadInputLineWith400AndInputLinesOwnMessage() throws Exception {
        String line = "{\"kind\": \"CURRENT\", \"target\": {\"populations\": [\"EA\"]}, \"duration_ticks\": 10}";
        String expected = new InputLines("grid", "x", 1.0).parse(1, line).problem();
        assertThat(expected).isNotNull();

        HttpResponse<String> r = post(dashboard, "/api/networks/grid/input", line, null);

        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(json(r).get("error").asText()).isEqualTo(expected);
    }

    @Test
    void shouldSendAGoodInputLineAndAnswerItsId() throws Exception {
        String line = "{\"kind\": \"CURRENT\", \"target\": {\"populations\": [\"EA\"]}, \"current\": 1.0, \"duration_ticks\": 10}";

        HttpResponse<String> r = post(dashboard, "/api/networks/grid/input", line, null);

        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(json(r).get("answer").asText()).isEqualTo("SENT");
        assertThat(json(r).get("input_id").asText()).startsWith("dashboard-");
    }

    @Test
    void shouldPauseAndResumeThroughControl() throws Exception {
        Path dir = Files.createTempDirectory("dash-run");
        service.create(dir, "runner", SPEC.replace("\"grid\"", "\"runner\""));
        assertThat(client.start("runner", 1.0).isApplied()).isTrue();
        try {
            JsonNode paused = json(post(dashboard, "/api/networks/runner/control", "{\"command\": \"pause\"}", null));
            assertThat(paused.get("answer").asText()).as(paused.toString()).isEqualTo("APPLIED");
            assertThat(paused.get("reason").isNull()).isTrue();
            assertThat(paused.get("message").asText()).startsWith("applied PAUSE runner at tick ");
            Thread.sleep(300); // the list of statuses may be 250 ms old
            long t1 = tickOf("runner");
            Thread.sleep(600);
            assertThat(tickOf("runner")).isEqualTo(t1);

            JsonNode resumed = json(post(dashboard, "/api/networks/runner/control", "{\"command\": \"resume\"}", null));
            assertThat(resumed.get("answer").asText()).isEqualTo("APPLIED");
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (tickOf("runner") <= t1 && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertThat(tickOf("runner")).isGreaterThan(t1);
        } finally {
            client.stop("runner");
        }
    }

    private static long tickOf(String id) throws Exception {
        for (JsonNode n : json(get("/api/networks")).get("networks")) {
            if (n.get("id").asText().equals(id)) {
                return n.get("tick").asLong();
            }
        }
        throw new AssertionError("no network " + id);
    }

    // ------------------------------------------------------------------ streams

    @Test
    void shouldDrawTheLiveRasterExactlyWhereTheCommittedSpikesFall() throws Exception {
        int rows = 40;
        try (SseClient sse = SseClient.open(http, at(dashboard, "/api/networks/grid/stream?window_ms=3000&cols=300&rows=" + rows))) {
            SseClient.Event hello = sse.next(WAIT);
            assertThat(hello.type()).isEqualTo("hello");
            assertThat(hello.data().get("ms_per_col").asDouble()).isEqualTo(10.0);
            assertThat(hello.data().get("view").asText()).isEqualTo("committed");
            assertThat(hello.data().get("balance_band").toString()).isEqualTo("[0.4,3.0]");

            Map<Long, byte[]> got = collectRaster(sse, rows, 199, null);

            // the window starts before tick 0; the network paused at 2000 ms, so columns 0..199 are complete
            assertSameRaster(got, expectedRaster(rows, 10.0, 0, 199));
        }
    }

    @Test
    void shouldSendAWindowEndingAtTheTimeTravelledTo() throws Exception {
        int rows = 16;
        try (SseClient sse = SseClient.open(http, at(dashboard,
                "/api/networks/grid/stream?from=1500&window_ms=1000&cols=100&rows=" + rows))) {
            assertThat(sse.next(WAIT).type()).isEqualTo("hello");

            Map<Long, byte[]> got = collectRaster(sse, rows, -1, "history_end");

            // [500, 1500] ms at 10 ms a column: columns 50..149
            assertSameRaster(got, expectedRaster(rows, 10.0, 50, 149));
        }
    }

    @Test
    void shouldTellTheRetainedHistorySpan() throws Exception {
        JsonNode h = json(get("/api/networks/grid/history"));

        assertThat(h.get("first_t_ms").asDouble()).isEqualTo(0.0);
        assertThat(h.get("live_t_ms").asDouble()).isEqualTo(STEPPED_TICKS * 1.0);
        assertThat(h.get("last_t_ms").asDouble()).isEqualTo(STEPPED_TICKS * 1.0);
    }

    @Test
    void shouldSendLatticeCountsPerAreaAndZLayer() throws Exception {
        try (SseClient sse = SseClient.open(http, at(dashboard, "/api/networks/grid/stream?window_ms=3000"))) {
            SseClient.Event e = sse.next("lattice", WAIT);

            assertThat(e).isNotNull();
            assertThat(e.data().get("nx").asInt()).isEqualTo(5);
            assertThat(e.data().get("ny").asInt()).isEqualTo(8);
            assertThat(e.data().get("counts")).hasSize(40);
            int sum = 0;
            for (JsonNode c : e.data().get("counts")) {
                sum += c.asInt();
            }
            assertThat(sum).isPositive();
        }
    }

    @Test
    void shouldShareOneReaderSetBetweenTwoViewersOfOneNetwork() throws Exception {
        // a viewer of an earlier test counts until a keepalive (at most 15 s) finds it gone: wait for none
        awaitNoFeed();
        double opened = metric("neurostream_dashboard_feeds_opened_total");
        try (SseClient a = SseClient.open(http, at(dashboard, "/api/networks/grid/stream"));
                SseClient b = SseClient.open(http, at(dashboard, "/api/networks/grid/stream?rows=100"))) {
            assertThat(a.next("raster", WAIT)).isNotNull();
            assertThat(b.next("raster", WAIT)).isNotNull();

            // (a viewer of an earlier test may still count until its next write finds it gone)
            assertThat(metric("neurostream_dashboard_viewers")).isGreaterThanOrEqualTo(2.0);
            assertThat(metric("neurostream_dashboard_feeds")).isEqualTo(1.0);
            assertThat(metric("neurostream_dashboard_feeds_opened_total")).isEqualTo(opened + 1);
        }
        // the two just closed are found gone at their next write: a keepalive at the latest
        long deadline = System.nanoTime() + Duration.ofSeconds(40).toNanos();
        while (metric("neurostream_dashboard_viewers") > 0 && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        long lastLeft = System.nanoTime();
        assertThat(metric("neurostream_dashboard_viewers")).as("the viewers closed are gone").isEqualTo(0.0);
        try (SseClient c = SseClient.open(http, at(dashboard, "/api/networks/grid/stream"))) {
            assertThat(c.next("raster", WAIT)).isNotNull();
            double afterMs = (System.nanoTime() - lastLeft) / 1e6;
            // (only meaningful if this viewer came within the linger; a stalled machine may take longer)
            Assumptions.assumeTrue(afterMs < LINGER_MS - 2000, "the viewer came back within the linger");
            assertThat(metric("neurostream_dashboard_feeds_opened_total"))
                    .as("a viewer who comes back %.0f ms after the last left finds the readers warm", afterMs)
                    .isEqualTo(opened + 1);
        }
        awaitNoFeed();
        assertThat(metric("neurostream_dashboard_feeds")).as("the readers stop once no viewer is left").isEqualTo(0.0);
    }

    private static void awaitNoFeed() throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (metric("neurostream_dashboard_feeds") > 0 && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
    }

    @Test
    void shouldSendAnErrorEventForAnUnknownNetwork() throws Exception {
        try (SseClient sse = SseClient.open(http, at(dashboard, "/api/networks/nope/stream"))) {
            SseClient.Event e = sse.next(WAIT);
            assertThat(e.type()).isEqualTo("error");
            assertThat(e.data().get("error").asText()).isEqualTo("no network 'nope'");
        }
    }

    @Test
    void shouldRefuseOutOfRangeStreamParametersWith400() throws Exception {
        for (String q : List.of("window_ms=60001", "rows=0", "cols=4001", "view=dirty", "from=-5")) {
            HttpResponse<String> r = get("/api/networks/grid/stream?" + q);
            assertThat(r.statusCode()).as(q).isEqualTo(400);
            assertThat(json(r).get("error").asText()).as(q).isNotEmpty();
        }
    }

    @Test
    void shouldTraceAProbedNeuronAtMostTwoPointsAPixel() throws Exception {
        Path dir = Files.createTempDirectory("dash-probe");
        service.create(dir, "probed", SPEC.replace("\"grid\"", "\"probed\""));
        JsonNode probe = json(post(dashboard, "/api/networks/probed/control", "{\"command\": \"probe\", \"neurons\": [3]}", null));
        assertThat(probe.get("answer").asText()).as(probe.toString()).isEqualTo("APPLIED");
        assertThat(json(post(dashboard, "/api/networks/probed/control", "{\"command\": \"step\", \"ticks\": 400}", null))
                .get("answer").asText()).isEqualTo("APPLIED");
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (tickOf("probed") < 400 && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        try (SseClient sse = SseClient.open(http, at(dashboard, "/api/networks/probed/stream?window_ms=1000&cols=100"))) {
            List<Double> ts = new ArrayList<>();
            SseClient.Event e = sse.next("membrane", WAIT); // (a new feed first catches up)
            assertThat(e).as("a membrane event").isNotNull();
            JsonNode first = e.data();
            while (e != null) {
                e.data().get("t_ms").forEach(t -> ts.add(t.asDouble()));
                assertThat(e.data().get("values")).hasSameSizeAs(e.data().get("t_ms"));
                e = sse.next("membrane", Duration.ofSeconds(2));
            }
            assertThat(first.get("neuron_id").asInt()).isEqualTo(3);
            assertThat(first.get("variable").asText()).isEqualTo("v");
            assertThat(first.get("unit").asText()).isEqualTo("mV");
            // 400 samples (one a tick: t = 1..400 ms) over columns of 10 ms (0..40): the low and the high of each
            assertThat(ts).isSorted();
            Map<Long, Long> perColumn = new TreeMap<>();
            ts.forEach(t -> perColumn.merge((long) Math.floor(t / 10.0), 1L, Long::sum));
            assertThat(perColumn.keySet()).containsExactlyElementsOf(IntStream.rangeClosed(0, 40).mapToObj(c -> (long) c).toList());
            assertThat(perColumn.values()).allSatisfy(n -> assertThat(n).isBetween(1L, 2L));
        } finally {
            client.stop("probed");
        }
    }

    // ------------------------------------------------------------------ token

    @Test
    void shouldRequireTheTokenForControlWhenOneIsSet() throws Exception {
        try (DashboardServer guarded = DashboardServer.start(service.clientSettings(), options().token("s3cret", false),
                new PrometheusMeterRegistry(PrometheusConfig.DEFAULT))) {
            String pause = "{\"command\": \"set\", \"population\": \"EA\", \"param\": \"no_such_param\", \"value\": 1}";
            HttpResponse<String> none = post(guarded, "/api/networks/grid/control", pause, null);
            HttpResponse<String> wrong = post(guarded, "/api/networks/grid/control", pause, "s3creT");
            HttpResponse<String> right = post(guarded, "/api/networks/grid/control", pause, "s3cret");

            assertThat(none.statusCode()).isEqualTo(401);
            assertThat(json(none).get("error").asText()).contains("token");
            assertThat(wrong.statusCode()).isEqualTo(401);
            assertThat(right.statusCode()).isEqualTo(200);
            assertThat(http.send(HttpRequest.newBuilder(at(guarded, "/api/networks")).GET().build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode()).as("viewing is open").isEqualTo(200);
        }
    }

    @Test
    void shouldGuardTheStreamWithTheTokenForViewing() throws Exception {
        try (DashboardServer guarded = DashboardServer.start(service.clientSettings(), options().token("s3cret", true),
                new PrometheusMeterRegistry(PrometheusConfig.DEFAULT))) {
            try (SseClient none = SseClient.open(http, at(guarded, "/api/networks/grid/stream"))) {
                assertThat(none.status()).isEqualTo(401);
                assertThat(none.refusal()).contains("token");
            }
            try (SseClient wrong = SseClient.open(http, at(guarded, "/api/networks/grid/stream?token=nope"))) {
                assertThat(wrong.status()).isEqualTo(401);
            }
            try (SseClient right = SseClient.open(http, at(guarded, "/api/networks/grid/stream?token=s3cret"))) {
                assertThat(right.status()).isEqualTo(200);
                assertThat(right.next(WAIT).type()).isEqualTo("hello");
            }
        }
    }

    @Test
    void shouldRefuseAViewerBeyondTheBoundWith503() throws Exception {
        try (DashboardServer small = DashboardServer.start(service.clientSettings(), options().maxViewers(1),
                new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
                SseClient first = SseClient.open(http, at(small, "/api/networks/grid/stream"))) {
            assertThat(first.next(WAIT).type()).isEqualTo("hello");
            try (SseClient second = SseClient.open(http, at(small, "/api/networks/grid/stream"))) {
                assertThat(second.status()).isEqualTo(503);
                assertThat(second.refusal()).startsWith("{\"error\":\"too many viewers");
            }
            assertThat(http.send(HttpRequest.newBuilder(at(small, "/api/networks")).GET().build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode()).as("REST still served").isEqualTo(200);
        }
    }

    @Test
    void shouldRefuseToServeOffLoopbackWithoutAToken() {
        assertThat(DashboardServer.problem(options().host("0.0.0.0"))).contains("not loopback");
        assertThat(DashboardServer.problem(options().host("0.0.0.0").token("t", false))).isNull();
        assertThat(DashboardServer.problem(options())).isNull();
    }
}
