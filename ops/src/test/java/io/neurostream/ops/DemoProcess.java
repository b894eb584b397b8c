package io.neurostream.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.neurostream.broker.EmbeddedBroker;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One {@code neurostream demo} process as a user runs it, for the end-to-end tests: the JVM the launcher
 * starts (the packaged ops jar and target/classpath.txt, so its tests run in the integration-test phase,
 * after package), the given --data-dir, the broker on a free port and the dashboard on a free port
 * ({@code --dashboard-port 0}, the address it prints). Collects what the demo prints on stdout and stderr.
 */
final class DemoProcess implements AutoCloseable {
    private static final Path OPS_TARGET = Path.of("target");
    private static final Pattern BLOCK_LINE = Pattern.compile("^t = +(\\d+\\.\\d) s ");
    private static final Pattern RATES_LINE =
            Pattern.compile("^\\s+V1_like\\s+E\\s+\\d+\\.\\d Hz\\s+I\\s+\\d+\\.\\d Hz\\s+E/I .*");

    final Process process;
    /** The broker's port on loopback. */
    final int brokerPort;
    final List<String> out = Collections.synchronizedList(new ArrayList<>());
    final List<String> err = Collections.synchronizedList(new ArrayList<>());
    private final Thread outReader;
    private final Thread errReader;

    private DemoProcess(Process p, int brokerPort) {
        this.process = p;
        this.brokerPort = brokerPort;
        outReader = drain(p.getInputStream(), out);
        errReader = drain(p.getErrorStream(), err);
    }

    /** Starts the demo on the packaged jars with {@code data} as --data-dir, then {@code more} options. */
    static DemoProcess start(Path data, String... more) throws IOException {
        Path jar = OPS_TARGET.resolve("neurostream-ops-" + version() + ".jar");
        Path classpath = OPS_TARGET.resolve("classpath.txt");
        assertThat(jar).as("run `mvn verify`: this test needs the packaged jar").exists();
        int port = EmbeddedBroker.freePort();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java, "-Xmx1g", "-XX:+UseSerialGC",
                "-cp", jar.toAbsolutePath() + ":" + Files.readString(classpath).strip(),
                Main.class.getName(), "demo", "--data-dir", data.toString(),
                "--port", Integer.toString(port), "--dashboard-port", "0"));
        cmd.addAll(List.of(more));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().keySet().removeIf(k -> k.startsWith("NEUROSTREAM_"));
        return new DemoProcess(pb.start(), port);
    }

    String bootstrapServers() {
        return "127.0.0.1:" + brokerPort;
    }

    /** Waits up to {@code seconds} for the first V1_like rates line on stdout. */
    boolean awaitRates(int seconds) throws InterruptedException {
        return awaitLine(out, l -> RATES_LINE.matcher(l).matches(), seconds).isPresent();
    }

    /** The dashboard's address as the demo prints it ({@code dashboard at http://...}), waiting up to {@code seconds}. */
    Optional<String> awaitDashboardUrl(int seconds) throws InterruptedException {
        String prefix = DemoCommand.DASHBOARD_LINE + " ";
        return awaitLine(out, l -> l.startsWith(prefix), seconds).map(l -> l.substring(prefix.length()).strip());
    }

    private Optional<String> awaitLine(List<String> lines, Predicate<String> wanted, int seconds)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (true) {
            synchronized (lines) {
                Optional<String> hit = lines.stream().filter(wanted).findFirst();
                if (hit.isPresent()) {
                    return hit;
                }
            }
            if (System.nanoTime() > deadline || !process.isAlive()) {
                return Optional.empty();
            }
            Thread.sleep(50);
        }
    }

    /**
     * SIGTERM, as Ctrl-C's sibling from a service manager. Not Process.destroy(): it also closes our ends of
     * the pipes, and what the demo says while it shuts down would be lost.
     */
    void terminate() {
        assertThat(process.toHandle().destroy()).as("SIGTERM delivered").isTrue();
    }

    /** Waits until everything the process printed has been read. */
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

    /**
     * An error of NeuroStream's own: a logged ERROR of an io.neurostream class, or a "neurostream: ..."
     * failure line. (The broker's own ERROR lines are not judged here: the in-JVM broker at times logs
     * OutOfOrderSequenceException for the simulator's transactional producer, which recovers.)
     */
    static boolean ourError(String line) {
        return line.contains(" ERROR i.n.") || line.startsWith("neurostream: ");
    }

    /** Kills what is left of the process (after a test's own clean stop this does nothing). */
    @Override
    public void close() {
        process.destroyForcibly();
    }

    @Override
    public String toString() {
        return "stdout " + out + "; stderr " + err;
    }

    private static Thread drain(InputStream in, List<String> into) {
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    into.add(line);
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
        Properties p = new Properties();
        try (InputStream in = Main.class.getResourceAsStream("version.properties")) {
            p.load(in);
        }
        return p.getProperty("version");
    }
}
