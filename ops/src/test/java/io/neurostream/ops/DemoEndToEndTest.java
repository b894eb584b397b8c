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
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code neurostream demo} as a process, the way a user runs it: the JVM the launcher starts (the
 * packaged ops jar and target/classpath.txt, so this runs in the integration-test phase, after
 * package), a temporary --data-dir and a free port on loopback. It must print a block of rates, stop
 * cleanly on SIGTERM (exit 143: the JVM's status after SIGTERM once the shutdown hook let it go) and say
 * so, all within bounds well under a minute.
 */
class DemoEndToEndTest {
    private static final Path OPS_TARGET = Path.of("target");
    private static final Pattern RATES_LINE = Pattern.compile("^\\s+V1_like\\s+E\\s+\\d+\\.\\d Hz\\s+I\\s+\\d+\\.\\d Hz\\s+E/I .*");

    @Test
    void shouldPrintRatesThenStopCleanlyOnSigterm(@TempDir Path data) throws Exception {
        Path jar = OPS_TARGET.resolve("neurostream-ops-" + version() + ".jar");
        Path classpath = OPS_TARGET.resolve("classpath.txt");
        assertThat(jar).as("run `mvn verify`: this test needs the packaged jar").exists();
        int port = EmbeddedBroker.freePort();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-Xmx1g", "-XX:+UseSerialGC",
                "-cp", jar.toAbsolutePath() + ":" + Files.readString(classpath).strip(),
                Main.class.getName(), "demo", "--data-dir", data.toString(), "--port", Integer.toString(port),
                "--duration-s", "50");
        pb.environment().keySet().removeIf(k -> k.startsWith("NEUROSTREAM_"));
        Process p = pb.start();
        List<String> out = new ArrayList<>();
        List<String> err = new ArrayList<>();
        CountDownLatch rates = new CountDownLatch(1);
        Thread o = drain(p.getInputStream(), out, line -> {
            if (RATES_LINE.matcher(line).matches()) {
                rates.countDown();
            }
        });
        Thread e = drain(p.getErrorStream(), err, line -> { });
        try {
            assertThat(rates.await(40, TimeUnit.SECONDS))
                    .as("a V1_like rates line within 40 s; stdout %s; stderr %s", out, err).isTrue();
            assertThat(p.isAlive()).isTrue();

            // SIGTERM. Not Process.destroy(): it also closes our ends of the pipes, and what the demo says
            // while it shuts down would be lost
            assertThat(p.toHandle().destroy()).isTrue();
            assertThat(p.waitFor(20, TimeUnit.SECONDS)).as("stopped within 20 s of SIGTERM; stderr %s", err).isTrue();
            o.join(5000);
            e.join(5000);

            assertThat(p.exitValue()).as("stderr %s", err).isEqualTo(143);
            assertThat(err).anyMatch(l -> l.equals("stopping (signal) ..."))
                    .anyMatch(l -> l.startsWith(DemoCommand.STOPPED_LINE + " in "))
                    .anyMatch(l -> l.matches("\\s+stopped broker\\s+\\d+ ms"))
                    .noneMatch(l -> l.contains("Exception"));
            assertThat(out).anyMatch(l -> l.startsWith("t = ")).anyMatch(l -> l.trim().startsWith("S1_like"));
            assertThat(data.resolve("kafka").resolve("logs").resolve("meta.properties")).exists();
        } finally {
            p.destroyForcibly();
        }
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
