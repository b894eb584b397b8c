package io.neurostream.ops;

import static io.neurostream.ops.dashboard.HeadlessChromium.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.neurostream.ops.dashboard.HeadlessChromium;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.chrome.ChromeDriver;

/**
 * The dashboard's speed against the real demo ({@code neurostream demo} as a process, its printed address in
 * headless Chromium), as a user meets it: how soon a freshly loaded page paints, and draws its first raster
 * columns; and the raster's animation frames per second while the demo runs at real time.
 *
 * <p>Page loads: {@value #LOADS} fresh loads (each from about:blank, the browser's cache warm, as on a reload),
 * timed by the page's own clock from navigation start: first contentful paint (the browser's Paint Timing
 * entry) and the first raster column drawn (the network's window read back from Kafka, down-sampled, sent and
 * painted). Frame rate: {@value #ROUNDS} rounds of 4 s, counted in the page, with the columns drawn per second
 * against the columns simulated time makes per second. Prints the figures and their medians.
 *
 * <p>A measurement, not a test: its figures depend on the machine and its load, so it runs only when asked
 * ({@code -Dmeasure.dashboard=true}, see docs/benchmarks.md), never in the build's test run. It starts the demo
 * from the packaged jar, so package first: {@code mvn -B -pl ops -am package -DskipTests}, then
 * {@code mvn -B -pl ops test -Dtest=DashboardDemoMeasurement -Dmeasure.dashboard=true
 * -Dsurefire.failIfNoSpecifiedTests=false}.
 */
@Tag("measurement")
@EnabledIfSystemProperty(named = "measure.dashboard", matches = "true")
class DashboardDemoMeasurement {
    private static final int LOADS = 5;
    private static final int ROUNDS = 3;

    @Test
    void shouldMeasureFirstPaintAndFrameRateAgainstTheRunningDemo(@TempDir Path data) throws Exception {
        try (DemoProcess demo = DemoProcess.start(data, "--duration-s", "240")) {
            String url = demo.awaitDashboardUrl(60).orElseThrow(() -> new AssertionError("no address; " + demo));
            assertThat(demo.awaitRates(60)).as("the demo runs; %s", demo).isTrue();
            Thread.sleep(5000);   // a full 5 s raster window of history exists

            ChromeDriver browser = HeadlessChromium.start();
            try {
                List<Double> paints = new ArrayList<>();
                List<Double> firstColumns = new ArrayList<>();
                for (int i = 0; i < LOADS; i++) {
                    browser.get("about:blank");
                    browser.get(url);
                    await(browser, "raster columns drawn", Duration.ofSeconds(30),
                            d -> number(browser, "window.neurostream.columnsDrawn") > 0);
                    @SuppressWarnings("unchecked")
                    Map<String, Object> m = (Map<String, Object>) browser.executeScript("""
                            const p = performance.getEntriesByType('paint')
                                .find(e => e.name === 'first-contentful-paint');
                            return {paint: p ? p.startTime : -1, column: window.neurostream.firstColumnAtMs};""");
                    paints.add(((Number) m.get("paint")).doubleValue());
                    firstColumns.add(((Number) m.get("column")).doubleValue());
                }
                System.out.printf("dashboard on the demo: first contentful paint %s ms (median %.0f); "
                                + "first raster column drawn %s ms (median %.0f) after navigation start%n",
                        rounded(paints), median(paints), rounded(firstColumns), median(firstColumns));

                Thread.sleep(2000);   // settled after the last load
                List<Double> fps = new ArrayList<>();
                for (int round = 0; round < ROUNDS; round++) {
                    @SuppressWarnings("unchecked")
                    Map<String, Object> m = (Map<String, Object>) browser.executeAsyncScript("""
                            const done = arguments[arguments.length - 1];
                            const n = window.neurostream;
                            const before = {t: performance.now(), frames: n.frames, cols: n.columnsDrawn,
                                            longMs: n.longTaskMs};
                            n.frameGapMaxMs = 0;
                            setTimeout(() => done({seconds: (performance.now() - before.t) / 1000,
                                frames: n.frames - before.frames, cols: n.columnsDrawn - before.cols,
                                long_task_ms: n.longTaskMs - before.longMs, gap_max_ms: n.frameGapMaxMs,
                                ms_per_col: n.hello.ms_per_col, size: n.hello.cols + ' x ' + n.hello.rows}), 4000);""");
                    double seconds = ((Number) m.get("seconds")).doubleValue();
                    double f = ((Number) m.get("frames")).doubleValue() / seconds;
                    fps.add(f);
                    System.out.printf("dashboard on the demo, round %d (%s px): %.1f frames/s, %.0f raster columns/s "
                                    + "drawn (simulated time at 1x makes %.0f/s), longest frame gap %.0f ms, "
                                    + "long tasks %.0f ms in %.1f s%n",
                            round + 1, m.get("size"), f, ((Number) m.get("cols")).doubleValue() / seconds,
                            1000 / ((Number) m.get("ms_per_col")).doubleValue(),
                            ((Number) m.get("gap_max_ms")).doubleValue(),
                            ((Number) m.get("long_task_ms")).doubleValue(), seconds);
                }
                System.out.printf("dashboard on the demo: raster %s frames/s (median %.1f)%n",
                        rounded(fps), median(fps));
            } finally {
                browser.quit();
            }
            demo.terminate();
            assertThat(demo.process.waitFor()).as("exit code after SIGTERM").isEqualTo(143);
        }
    }

    private static long number(ChromeDriver browser, String expression) {
        return ((Number) browser.executeScript("return " + expression + ";")).longValue();
    }

    private static double median(List<Double> xs) {
        List<Double> s = xs.stream().sorted().toList();
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }

    private static String rounded(List<Double> xs) {
        return xs.stream().map(x -> String.format("%.0f", x)).toList().toString();
    }
}
