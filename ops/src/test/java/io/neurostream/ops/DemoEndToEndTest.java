package io.neurostream.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.neurostream.broker.EmbeddedBroker;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code neurostream demo} as a process, the way a user runs it: the JVM the launcher starts (the
 * packaged ops jar and target/classpath.txt, so this runs in the integration-test phase, after
 * package), a temporary --data-dir and free ports on loopback. It must print a block of rates, stop
 * cleanly on SIGTERM (exit 143: the JVM's status after SIGTERM once the shutdown hook let it go) and say
 * so; run again on the same data, it must resume the network rather than create it. Every wait is
 * bounded; each test takes 10 to 20 s.
 */
class DemoEndToEndTest {
    private static final Path OPS_TARGET = Path.of("target");
    private static final Pattern BLOCK_LINE = Pattern.compile("^t = +(\\d+\\.\\d) s ");
    private static final Pattern RATES_LINE = Pattern.compile("^\\s+V1_like\\s+E\\s+\\d+\\.\\d Hz\\s+I\\s+\\d+\\.\\d Hz\\s+E/I .*");

    @Test
    void shouldPrintRatesThenStopCleanlyOnSigterm(@TempDir Path data) throws Exception {
        // first run: rates, then SIGTERM
        Demo first = Demo.start(data, "--duration-s", "50");
        try {
            assertThat(first.awaitRates(40)).as("a V1_like rates line within 40 s; %s", first).isTrue();
            assertThat(first.process.isAlive()).isTrue();

            // SIGTERM. Not Process.destroy(): it also closes our ends of the pipes, and what the demo says
            // while it shuts down would be lost
            assertThat(first.process.toHandle().destroy()).isTrue();
            assertThat(first.process.waitFor(20, TimeUnit.SECONDS)).as("stopped within 20 s of SIGTERM; %s", first).isTrue();
            first.drained();

            assertThat(first.process.exitValue()).as("%s", first).isEqualTo(143);
            assertThat(first.err).anyMatch(l -> l.equals("stopping (signal) ..."))
                    .anyMatch(l -> l.startsWith(DemoCommand.STOPPED_LINE + " in "))
                    .anyMatch(l -> l.matches("\\s+stopped broker\\s+\\d+ ms"))
                    .noneMatch(DemoEndToEndTest::ourError);
            assertThat(first.out).anyMatch(l -> l.startsWith("t = ")).anyMatch(l -> l.trim().startsWith("S1_like"));
            assertThat(data.resolve("kafka").resolve("logs").resolve("meta.properties")).exists();
        } finally {
            first.process.destroyForcibly();
        }
    }

    @Test
    void shouldResumeTheNetworkOnTheNextRun(@TempDir Path data) throws Exception {
        Demo first = Demo.start(data, "--duration-s", "50");
        try {
            assertThat(first.awaitRates(40)).as("a V1_like rates line within 40 s; %s", first).isTrue();
            assertThat(first.process.toHandle().destroy()).isTrue();
            assertThat(first.process.waitFor(20, TimeUnit.SECONDS)).as("%s", first).isTrue();
            first.drained();
        } finally {
            first.process.destroyForcibly();
        }
        double reached = first.lastBlockSeconds();

        // second run on the same data: the network is not created again, it goes on from its checkpoint
        Demo second = Demo.start(data, "--duration-s", "6");
        try {
            assertThat(second.process.waitFor(40, TimeUnit.SECONDS)).as("--duration-s 6 ended; %s", second).isTrue();
            second.drained();
            assertThat(second.process.exitValue()).as("%s", second).isZero();
            assertThat(second.err).anyMatch(l -> l.startsWith("topics: created 0, found 13"))
                    .anyMatch(l -> l.startsWith("network demo exists"))
                    .noneMatch(l -> l.startsWith("network demo created"))
                    .noneMatch(DemoEndToEndTest::ourError)
                    .anyMatch(l -> l.startsWith(DemoCommand.STOPPED_LINE + " in "));
            assertThat(second.firstBlockSeconds()).as("the first window after the restart; %s", second)
                    .isGreaterThanOrEqualTo(reached - 1.0);
        } finally {
            second.process.destroyForcibly();
        }
    }

    /** One {@code neurostream demo} process and what it printed. */
    private static final class Demo {
        final Process process;
        final List<String> out = Collections.synchronizedList(new ArrayList<>());
        final List<String> err = Collections.synchronizedList(new ArrayList<>());
        final CountDownLatch rates = new CountDownLatch(1);
        final Thread outReader;
        final Thread errReader;

        private Demo(Process p) {
            process = p;
            outReader = drain(p.getInputStream(), out, line -> {
                if (RATES_LINE.matcher(line).matches()) {
                    rates.countDown();
                }
            });
            errReader = drain(p.getErrorStream(), err, line -> { });
        }

        /** Starts the demo on the packaged jars, broker and dashboard on free ports, with {@code data} as --data-dir. */
        static Demo start(Path data, String... more) throws IOException {
            Path jar = OPS_TARGET.resolve("neurostream-ops-" + version() + ".jar");
            Path classpath = OPS_TARGET.resolve("classpath.txt");
            assertThat(jar).as("run `mvn verify`: this test needs the packaged jar").exists();
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            List<String> cmd = new ArrayList<>(List.of(java, "-Xmx1g", "-XX:+UseSerialGC",
                    "-cp", jar.toAbsolutePath() + ":" + Files.readString(classpath).strip(),
                    Main.class.getName(), "demo", "--data-dir", data.toString(),
                    "--port", Integer.toString(EmbeddedBroker.freePort()), "--dashboard-port", "0"));
            cmd.addAll(List.of(more));
            ProcessBuilder pb = new ProcessBuilder(cmd);
            pb.environment().keySet().removeIf(k -> k.startsWith("NEUROSTREAM_"));
            return new Demo(pb.start());
        }

        boolean awaitRates(int seconds) throws InterruptedException {
            return rates.await(seconds, TimeUnit.SECONDS);
        }

        void drained() throws InterruptedException {
            outReader.join(5000);
            errReader.join(5000);
        }

        double firstBlockSeconds() {
            return blockSeconds().stream().findFirst().orElseThrow();
        }

        double lastBlockSeconds() {
            List<Double> all = blockSeconds();
            return all.get(all.size() - 1);
        }

        private List<Double> blockSeconds() {
            List<Double> t = new ArrayList<>();
            synchronized (out) {
                for (String l : out) {
                    Matcher m = BLOCK_LINE.matcher(l);
                    if (m.find()) {
                        t.add(Double.parseDouble(m.group(1)));
                    }
                }
            }
            return t;
        }

        @Override
        public String toString() {
            return "stdout " + out + "; stderr " + err;
        }
    }

    /**
     * An error of NeuroStream's own: a logged ERROR of an io.neurostream class, or a "neurostream: ..."
     * failure line. (The broker's own ERROR lines are not judged here: the in-JVM broker at times logs
     * OutOfOrderSequenceException for the simulator's transactional producer, which recovers.)
     */
    private static boolean ourError(String line) {
        return line.contains(" ERROR i.n.") || line.startsWith("neurostream: ");
    }

    private interface LineListener {
        void line(String line);
    }

    private static Thread drain(java.io.InputStream in, List<String> into, LineListener listener) {
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    synchronized (into) {
                        into.add(line);
                    }
                    listener.line(line);
                }
            } catch (IOException ignored) {
                // the process ended
            }
        }, "demo-output");
        t.setDaemon(true);
        t.start();
        return t;
    }

    private static String version() throws IOException {
        java.util.Properties p = new java.util.Properties();
        try (var in = Main.class.getResourceAsStream("version.properties")) {
            p.load(in);
        }
        return p.getProperty("version");
    }
}
