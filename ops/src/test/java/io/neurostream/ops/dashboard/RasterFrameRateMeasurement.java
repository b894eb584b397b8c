package io.neurostream.ops.dashboard;

import static io.neurostream.ops.dashboard.HeadlessChromium.await;
import static io.neurostream.ops.dashboard.ScriptedDashboardServer.hello;
import static io.neurostream.ops.dashboard.ScriptedDashboardServer.pause;
import static io.neurostream.ops.dashboard.ScriptedDashboardServer.raster;
import static org.assertj.core.api.Assertions.assertThat;

import io.neurostream.ops.dashboard.ScriptedDashboardServer.Event;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.openqa.selenium.chrome.ChromeDriver;

/**
 * The raster keeps up with the demo network in headless Chromium: 6000 neurons firing ~50,000 spikes/s of
 * simulated time at real time, down-sampled by the (scripted) server as the protocol says — one column per
 * {@code ms_per_col}, a row bin lit when any of its neurons spiked — sent as ~30 raster events a second, with
 * the other events of a watched network alongside (rates, balance, the lattice of 3 areas x 5 z-layers, the
 * membrane potential of the 9 neurons the demo spec probes every 1 ms).
 *
 * <p>Measures in the page, over 4 s once the stream is flowing, its animation frames per second and the columns
 * it drew against those sent, and checks the bar: at least 30 frames per second, keeping up.
 *
 * <p>A measurement, not a test: its figures depend on the machine and its load, so it runs only when asked
 * ({@code -Dmeasure.dashboard=true}, see docs/benchmarks.md), never in the build's test run.
 */
@Tag("measurement")
@EnabledIfSystemProperty(named = "measure.dashboard", matches = "true")
class RasterFrameRateMeasurement {
    private static final int NEURONS = 6000;
    private static final double SPIKES_PER_S = 50_000;
    private static final double EVENTS_PER_S = 30;
    private static final int STREAM_S = 10;
    /** The demo network's areas, each 20 x 20 x 5 (x, y, z) on the lattice. */
    private static final String[] AREAS = {"V1_like", "A1_like", "S1_like"};
    private static final int Z_LAYERS = 5;
    /** The demo spec probes v of the first 3 excitatory neurons of each area every 1 ms. */
    private static final int PROBED_NEURONS = 9;

    private static Map<String, Object> demoLayout() {
        Map<String, Object> l = new LinkedHashMap<>(ScriptedDashboardServer.layout());
        List<Map<String, Object>> groups = new ArrayList<>();
        int row = 0;
        for (String area : AREAS) {
            for (String e : new String[] {"E", "I"}) {
                int count = e.equals("E") ? 1600 : 400;
                groups.add(Map.of("area", area, "e_class", e, "population", area + "_" + e,
                        "row_start", row, "row_count", count));
                row += count;
            }
        }
        l.put("neuron_count", NEURONS);
        l.put("rows", NEURONS);
        l.put("groups", groups);
        return l;
    }

    /** STREAM_S seconds of real-time demo activity, 30 raster events a second. */
    private List<Object> demoStream(Map<String, String> query) {
        int rows = Integer.parseInt(query.get("rows"));
        int cols = Integer.parseInt(query.get("cols"));
        double windowMs = Double.parseDouble(query.get("window_ms"));
        double msPerCol = windowMs / cols;
        // a bin of NEURONS / rows neurons is lit when any of them spiked in the column's time
        double spikesPerBinPerCol = SPIKES_PER_S / 1000 * msPerCol / rows;
        double pLit = 1 - Math.exp(-spikesPerBinPerCol);
        SplittableRandom random = new SplittableRandom(42);
        List<Object> events = new ArrayList<>();
        events.add(hello(query, NEURONS));
        double eventMs = 1000 / EVENTS_PER_S;
        long col = 0;
        for (int k = 1; k <= STREAM_S * EVENTS_PER_S; k++) {
            double tMs = k * eventMs;
            long upTo = (long) Math.floor(tMs / msPerCol);   // columns whose time has fully passed
            int[][] bins = new int[(int) (upTo - col)][];
            for (int c = 0; c < bins.length; c++) {
                List<Integer> lit = new ArrayList<>();
                for (int b = 0; b < rows; b++) {
                    if (random.nextDouble() < pLit) {
                        lit.add(b);
                    }
                }
                bins[c] = lit.stream().mapToInt(Integer::intValue).toArray();
            }
            if (bins.length > 0) {
                events.add(raster(query, col, bins));
                col = upTo;
            }
            if (k % 3 == 0) {   // every 100 ms: rates and balance per area, the network's E and I
                for (String area : AREAS) {
                    for (String e : new String[] {"E", "I"}) {
                        events.add(new Event("rates", Map.of("t_ms", tMs, "area", area, "e_class", e,
                                "rate_hz", e.equals("E") ? 6 + random.nextDouble() : 25 + random.nextDouble())));
                    }
                    events.add(new Event("balance", Map.of("t_ms", tMs, "area", area,
                            "ratio", 1 + 0.2 * random.nextDouble(), "e_fraction", 0.6, "i_fraction", 0.4)));
                }
                for (int n = 0; n < PROBED_NEURONS; n++) {
                    List<Double> t = new ArrayList<>();
                    List<Double> v = new ArrayList<>();
                    for (int i = 0; i < 100; i++) {   // v every 1 ms
                        t.add(tMs - 100 + i);
                        v.add(-65 + 10 * random.nextDouble());
                    }
                    events.add(new Event("membrane", Map.of("neuron_id", n * 300, "variable", "v", "unit", "mV",
                            "t_ms", t, "values", v)));
                }
            }
            if (k % 8 == 0) {   // every ~250 ms: each area's z-layers
                for (String area : AREAS) {
                    for (int z = 0; z < Z_LAYERS; z++) {
                        List<Integer> counts = new ArrayList<>();
                        for (int i = 0; i < 20 * 20; i++) {
                            counts.add(random.nextInt(12));
                        }
                        events.add(new Event("lattice", Map.of("t0_ms", tMs - 250, "t1_ms", tMs, "area", area,
                                "z", z, "w", 0, "nx", 20, "ny", 20, "x0", 0, "y0", 0, "counts", counts)));
                    }
                }
            }
            events.add(pause(Math.round(eventMs)));
        }
        return events;
    }

    @Test
    void shouldDrawTheDemoNetworksRasterAtThirtyFramesPerSecondWithoutFallingBehind() throws Exception {
        ChromeDriver browser = HeadlessChromium.start();
        try (ScriptedDashboardServer server = ScriptedDashboardServer.start()) {
            server.layout = demoLayout();
            server.streamScript = this::demoStream;
            browser.get(server.url("/#network=" + ScriptedDashboardServer.NETWORK));
            await(browser, "the raster never started", d -> number(browser, "window.neurostream.columnsDrawn") > 0);
            Thread.sleep(1000);   // warm-up: JIT, charts built

            // measured in the page, so WebDriver's own round trips do not count
            long sent0 = server.lastRasterColumnSent.get();
            long sentFromNanos = System.nanoTime();
            @SuppressWarnings("unchecked")
            Map<String, Object> m = (Map<String, Object>) browser.executeAsyncScript("""
                    const done = arguments[arguments.length - 1];
                    const n = window.neurostream;
                    const before = {t: performance.now(), frames: n.frames, drawn: n.framesDrawn,
                                    cols: n.columnsDrawn, longMs: n.longTaskMs};
                    n.frameGapMaxMs = 0;
                    setTimeout(() => done({seconds: (performance.now() - before.t) / 1000,
                        frames: n.frames - before.frames, drawn: n.framesDrawn - before.drawn,
                        cols: n.columnsDrawn - before.cols, long_task_ms: n.longTaskMs - before.longMs,
                        gap_max_ms: n.frameGapMaxMs, newest_col: n.newestCol, ms_per_col: n.hello.ms_per_col,
                        size: n.hello.cols + ' x ' + n.hello.rows, busy_ms: JSON.stringify(n.busyMs)}), 4000);""");
            long sent1 = server.lastRasterColumnSent.get();
            double sentSeconds = (System.nanoTime() - sentFromNanos) / 1e9;   // includes WebDriver's round trips
            long newestDrawn = ((Number) m.get("newest_col")).longValue();
            double msPerCol = ((Number) m.get("ms_per_col")).doubleValue();
            double seconds = ((Number) m.get("seconds")).doubleValue();
            double fps = ((Number) m.get("frames")).doubleValue() / seconds;
            double drawnFps = ((Number) m.get("drawn")).doubleValue() / seconds;
            double columnsPerS = ((Number) m.get("cols")).doubleValue() / seconds;
            double columnsSentPerS = (sent1 - sent0) / sentSeconds;
            double columnsPerS500Ms = 500 / msPerCol;
            System.out.printf("dashboard raster (6000 neurons, 50000 spikes/s, %s px): %.1f frames/s, "
                            + "%.1f frames/s drawing columns, %.0f columns/s drawn of %.0f/s sent, longest frame gap "
                            + "%.0f ms, long tasks %.0f ms in %.1f s, %d columns behind the server; page's own time "
                            + "since connecting (ms): %s%n",
                    m.get("size"), fps, drawnFps, columnsPerS, columnsSentPerS,
                    ((Number) m.get("gap_max_ms")).doubleValue(), ((Number) m.get("long_task_ms")).doubleValue(),
                    seconds, sent1 - newestDrawn, m.get("busy_ms"));

            assertThat(fps).as("animation frames per second").isGreaterThanOrEqualTo(30);
            assertThat(columnsPerS).as("columns drawn per second, against %.0f sent", columnsSentPerS)
                    .isGreaterThan(0.9 * columnsSentPerS);
            // the server's count is read a WebDriver round trip after the page's: allow half a second of columns
            assertThat(sent1 - newestDrawn).as("columns sent but not drawn yet (%.0f are 500 ms)", columnsPerS500Ms)
                    .isLessThanOrEqualTo((long) Math.ceil(columnsPerS500Ms));
        } finally {
            browser.quit();
        }
    }

    private static long number(ChromeDriver browser, String expression) {
        return ((Number) browser.executeScript("return " + expression + ";")).longValue();
    }
}
