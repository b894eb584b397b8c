package io.neurostream.ops;

import static io.neurostream.ops.dashboard.HeadlessChromium.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.neurostream.ingest.OutputReader;
import io.neurostream.ops.dashboard.HeadlessChromium;
import io.neurostream.schemas.Topics;
import io.neurostream.schemas.avro.EClass;
import io.neurostream.schemas.avro.Rate;
import io.neurostream.schemas.avro.Status;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.interactions.Actions;

/**
 * The dashboard as a user meets it: {@code neurostream demo} as a process (broker, simulator, analytics and
 * dashboard, see {@link DemoProcess}), its printed address opened in a real headless Chromium, and every panel
 * checked against what the topics hold or what the CLI says: the raster's pixels move, the rates drawn are
 * the {@code rates} topic's values, pause stops the ticks and resume moves them, a click on the raster probes a
 * neuron and its membrane trace appears with units, a bad {@code set} shows the CLI's own answer, scrubbing
 * back shows an earlier window and Live returns, and the ticks counted on {@code /metrics} grow.
 *
 * <p>Leaves a screenshot of the populated page in ops/target/dashboard-demo.png; with -Dregenerate=true it
 * also replaces docs/images/dashboard.png, the README's picture. Every wait is bounded; the test takes about a
 * minute.
 */
class DashboardDemoEndToEndTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final Duration PANEL_WAIT = Duration.ofSeconds(30);
    private static final Pattern TICKS =
            Pattern.compile("(?m)^neurostream_simulator_ticks_total\\{[^}]*network=\"demo\"[^}]*} (\\S+)$");
    private static final String RATE_SERIES = "V1_like E";

    @Test
    void shouldShowTheLiveDemoAndSteerItFromThePage(@TempDir Path data) throws Exception {
        try (DemoProcess demo = DemoProcess.start(data, "--duration-s", "170")) {
            String url = demo.awaitDashboardUrl(60).orElseThrow(() -> new AssertionError("no dashboard address printed; " + demo));
            assertThat(url).as("the printed address picks the demo network").endsWith("/#network=demo");
            String base = url.substring(0, url.indexOf("/#"));
            assertThat(demo.awaitRates(60)).as("a V1_like rates line within 60 s; %s", demo).isTrue();
            double ticksAtStart = ticksOnMetrics(base);

            ChromeDriver browser = HeadlessChromium.start();
            try {
                Page page = new Page(browser);
                browser.get(url);
                await(browser, "the page connected to demo's stream and drew raster columns", PANEL_WAIT,
                        d -> page.bool("return window.neurostream.connected && window.neurostream.columnsDrawn > 0"));

                rasterPixelsMove(page);
                ratesAreTheTopicsValues(page, demo);
                pauseStopsTheTicksAndResumeMovesThem(page, base);
                clickingTheRasterProbesANeuron(page, browser);
                Path shot = HeadlessChromium.screenshot(browser, "dashboard-demo.png");
                if (Boolean.getBoolean("regenerate")) {
                    Path docs = Path.of("..", "docs", "images", "dashboard.png");
                    Files.createDirectories(docs.getParent());
                    Files.copy(shot, docs, StandardCopyOption.REPLACE_EXISTING);
                }
                aBadSetShowsTheCliAnswer(page, demo);
                scrubbingBackShowsAnEarlierWindow(page);
            } finally {
                browser.quit();
            }

            assertThat(ticksOnMetrics(base)).as("neurostream_simulator_ticks_total of demo on the dashboard's /metrics")
                    .isGreaterThan(ticksAtStart);

            demo.terminate();
            assertThat(demo.process.waitFor(30, TimeUnit.SECONDS)).as("stopped within 30 s of SIGTERM; %s", demo).isTrue();
            demo.drained();
            assertThat(demo.process.exitValue()).as("%s", demo).isEqualTo(143);
            assertThat(demo.err).noneMatch(DemoProcess::ourError);
        }
    }

    /** The canvas's lit pixels and a fingerprint of them change as the network runs. */
    private static void rasterPixelsMove(Page page) {
        String fingerprint = "const c = document.getElementById('raster');"
                + "const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;"
                + "let lit = 0, h = 0;"
                + "for (let i = 3; i < d.length; i += 4) if (d[i] > 0) { lit++; h = (h * 31 + i) | 0; }"
                + "return lit + ':' + h;";
        String first = (String) page.js(fingerprint);
        String later = await(page.browser, "the raster's pixels changed and some are lit (first " + first + ")", PANEL_WAIT,
                d -> {
                    String now = (String) page.js(fingerprint);
                    return !now.equals(first) && !now.startsWith("0:") ? now : null;
                });
        assertThat(later).isNotEqualTo(first);
    }

    /** Every point of the "V1_like E" rate series drawn is a Rate record of topic rates, at its window's end. */
    private static void ratesAreTheTopicsValues(Page page, DemoProcess demo) {
        String points = "const c = window.neurostream.charts.rates; if (!c) return null;"
                + "const i = c.series.findIndex(s => s.label === arguments[0]); if (i < 0) return null;"
                + "const out = []; for (let k = 0; k < c.data[0].length; k++)"
                + "  if (c.data[i][k] !== null && c.data[i][k] !== undefined) out.push([c.data[0][k], c.data[i][k]]);"
                + "return out.length >= 3 ? out : null;";
        @SuppressWarnings("unchecked")
        List<List<Number>> drawn = await(page.browser, "3 points of " + RATE_SERIES + " on the rates chart", PANEL_WAIT,
                d -> (List<List<Number>>) page.js(points, RATE_SERIES));

        Map<String, Object> settings = Map.of("bootstrap.servers", demo.bootstrapServers());
        long epoch = runEpoch(settings);
        Map<Long, Double> topic = new HashMap<>();
        try (OutputReader<Rate> r = OutputReader.open(settings, Topics.RATES, OutputReader.Options.fromBeginning().network("demo"))) {
            r.readToEnd(o -> {
                Rate rate = o.value();
                if ("V1_like".equals(String.valueOf(rate.getArea())) && rate.getEClass() == EClass.E) {
                    topic.put(rate.getWindowEndMs() - epoch, rate.getRateHz());
                }
            }, Duration.ofSeconds(20));
        }
        for (List<Number> p : drawn) {
            long endMs = Math.round(p.get(0).doubleValue() * 1000);
            assertThat(topic).as("a Rate of V1_like E ending at %d ms of simulated time", endMs).containsKey(endMs);
            assertThat(p.get(1).doubleValue()).as("rate at %d ms", endMs).isCloseTo(topic.get(endMs), within(1e-9));
        }
    }

    /** The demo network's run epoch: its newest status's. */
    private static long runEpoch(Map<String, Object> settings) {
        long[] epoch = {-1};
        try (OutputReader<Status> r = OutputReader.open(settings, Topics.STATUS, OutputReader.Options.fromBeginning().network("demo"))) {
            r.readToEnd(o -> {
                if (!o.isTombstone()) {
                    epoch[0] = o.value().getRunEpochMs();
                }
            }, Duration.ofSeconds(20));
        }
        assertThat(epoch[0]).as("a status of demo").isPositive();
        return epoch[0];
    }

    private static void pauseStopsTheTicksAndResumeMovesThem(Page page, String base) throws Exception {
        page.click("#controls button[data-command=pause]");
        await(page.browser, "the page says the pause was applied", PANEL_WAIT, d -> page.status().startsWith("pause: APPLIED"));
        long paused = await(page.browser, "demo is PAUSED in /api/networks", PANEL_WAIT, d -> {
            JsonNode n = network(base);
            return "PAUSED".equals(n.path("state").asText()) ? n.path("tick").asLong() : null;
        });
        await(page.browser, "the page shows PAUSED", PANEL_WAIT,
                d -> page.text("network-status").startsWith("PAUSED"));
        Thread.sleep(2000);
        assertThat(network(base).path("tick").asLong()).as("the tick 2 s into the pause").isEqualTo(paused);

        page.click("#controls button[data-command=resume]");
        await(page.browser, "the page says the resume was applied", PANEL_WAIT, d -> page.status().startsWith("resume: APPLIED"));
        await(page.browser, "demo's tick moves on after resume", PANEL_WAIT, d -> network(base).path("tick").asLong() > paused);
    }

    private static void clickingTheRasterProbesANeuron(Page page, ChromeDriver browser) {
        new Actions(browser).moveToElement(browser.findElement(By.id("raster"))).click().perform();
        await(browser, "the clicked neuron is probed", PANEL_WAIT,
                d -> page.text("probes").startsWith("probed: ") && page.status().contains("APPLIED"));
        long probed = page.number("const p = window.neurostream.probes; return p[p.length - 1]");
        // the demo's spec probes a few neurons from the start: their traces stay in the window beside the new one
        await(browser, "the membrane chart draws 10 samples of neuron " + probed, PANEL_WAIT,
                d -> page.bool("const c = window.neurostream.charts.membrane; if (!c) return false;"
                        + "const i = c.series.findIndex(s => s.label === 'neuron ' + arguments[0]);"
                        + "return i > 0 && c.data[i].filter(v => v !== null && v !== undefined).length >= 10", probed));
        assertThat(page.js("return window.neurostream.charts.membrane.axes.map(a => a.label)"))
                .as("units on both axes of the membrane chart")
                .isEqualTo(List.of("simulated time (ms)", "membrane v (mV)"));
        assertThat(page.text("membrane-units")).isEqualTo("(mV)");
    }

    /** The page shows, for a set of a parameter no population has, the line {@code neurostream control} prints. */
    private static void aBadSetShowsTheCliAnswer(Page page, DemoProcess demo) {
        page.type("set-population", "V1_E");
        page.type("set-param", "no_such_param");
        page.type("set-value", "1");
        page.click("#controls button[data-command=set]");
        String shown;
        try {
            shown = await(page.browser, "the page shows the set's rejection", PANEL_WAIT,
                    d -> page.status().startsWith("set: REJECTED") ? page.status() : null);
        } catch (org.openqa.selenium.TimeoutException e) {
            throw new AssertionError("the page did not show the set's rejection; its status line: '" + page.status()
                    + "'; its event log, newest first: " + page.js("return Array.from(document.querySelectorAll('#event-log li'))"
                    + ".slice(0, 8).map(li => li.textContent)") + "; " + demo, e);
        }

        Cli cli = Cli.run("control", "demo", "set", "V1_E.no_such_param=1", "--bootstrap-server", demo.bootstrapServers());
        assertThat(cli.exitCode()).as("%s", cli).isEqualTo(1);
        String line = cli.out().strip();
        assertThat(line).startsWith("rejected ");
        assertThat(shown).as("the page's words are the CLI's").endsWith("— " + line);
    }

    /** The timeline back 3 s: the stream's hello says so, the raster ends there, then Live goes on from now. */
    private static void scrubbingBackShowsAnEarlierWindow(Page page) {
        double msPerCol = ((Number) page.js("return window.neurostream.hello.ms_per_col")).doubleValue();
        long liveCol = page.number("return window.neurostream.newestCol");
        // the slider's end is the committed time of the last history poll (every 2 s), which can trail the live
        // raster by a few seconds on a loaded machine: 3 s back from the slider's end, as a user drags it
        long sliderEnd = page.number("return Number(document.getElementById('time-slider').max)");
        long wanted = Math.min(sliderEnd, Math.round((liveCol + 1) * msPerCol)) - 3000;
        // as a drag would leave it: the slider snaps to its step (1/1000 of the history)
        long target = ((Number) page.js("const s = document.getElementById('time-slider'); s.value = arguments[0];"
                + "s.dispatchEvent(new Event('change')); return Number(s.value);", wanted)).longValue();
        assertThat(target).as("the slider's value").isCloseTo(wanted, within(100L));
        await(page.browser, "the committed history up to the chosen time", PANEL_WAIT,
                d -> page.text("time-label").startsWith("history up to"));
        assertThat(page.number("return Number(window.neurostream.hello.from)")).isEqualTo(target);
        long historyCol = page.number("return window.neurostream.newestCol");
        assertThat(historyCol * msPerCol).as("the newest column shown, ms").isLessThanOrEqualTo(target)
                .isGreaterThan(target - 5000);
        assertThat(historyCol).isLessThan(liveCol);

        page.click("#live");
        await(page.browser, "live again, past where the page was before the scrub", PANEL_WAIT,
                d -> page.text("time-label").equals("live") && page.number("return window.neurostream.newestCol") > liveCol);
    }

    private static JsonNode network(String base) {
        try {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/api/networks")).build(),
                    HttpResponse.BodyHandlers.ofString());
            for (JsonNode n : JSON.readTree(r.body()).path("networks")) {
                if ("demo".equals(n.path("id").asText())) {
                    return n;
                }
            }
            throw new AssertionError("no demo in /api/networks: " + r.body());
        } catch (Exception e) {
            throw new AssertionError("GET " + base + "/api/networks", e);
        }
    }

    private static double ticksOnMetrics(String base) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        Matcher m = TICKS.matcher(r.body());
        assertThat(m.find()).as("neurostream_simulator_ticks_total of demo on /metrics").isTrue();
        return Double.parseDouble(m.group(1));
    }

    /** The page in the browser: its elements by id and its window.neurostream counters. */
    private record Page(ChromeDriver browser) {
        Object js(String script, Object... args) {
            return ((JavascriptExecutor) browser).executeScript(script, args);
        }

        boolean bool(String script, Object... args) {
            return Boolean.TRUE.equals(js(script, args));
        }

        long number(String script) {
            return ((Number) js(script)).longValue();
        }

        String text(String id) {
            return browser.findElement(By.id(id)).getText();
        }

        String status() {
            return text("status-line");
        }

        void click(String css) {
            browser.findElement(By.cssSelector(css)).click();
        }

        void type(String id, String value) {
            var field = browser.findElement(By.id(id));
            field.clear();
            field.sendKeys(value);
        }
    }
}
