package io.neurostream.ops.reliability;

import io.neurostream.ops.Main;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * One {@code neurostream simulate} or {@code neurostream analytics} as a child JVM, started the way an
 * operator starts it (the {@link Main} command line), killed the way a crash kills it: SIGKILL
 * ({@link Process#destroyForcibly()}), so no shutdown hook, no checkpoint, no commit and no leave-group.
 *
 * <p>The child runs on this JVM's class path ({@code java.class.path}; under surefire's manifest-only
 * jar that is the booter jar, whose manifest {@code Class-Path} the child's class loader follows too)
 * with {@code -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xmx512m}: cold start dominates on 2 cores.
 * Its stdout and stderr go, line by line, to memory and to {@code <log dir>/<name>.log}.
 */
final class ServiceProcess implements AutoCloseable {
    private final String name;
    private final Process process;
    private final List<String> lines = new ArrayList<>();
    private final Thread drain;
    private final long startedNanos;

    private ServiceProcess(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.startedNanos = System.nanoTime();
        this.drain = new Thread(() -> drain(log), "drain-" + name);
        this.drain.setDaemon(true);
        this.drain.start();
    }

    /** Starts {@code neurostream <args>} as a child JVM; {@code name} names its log file. */
    static ServiceProcess start(String name, Path logDir, List<String> args) throws IOException {
        return start(name, logDir, List.of(), args);
    }

    /** Starts {@code neurostream <args>} as a child JVM with extra JVM options ({@code -Dkey=value}). */
    static ServiceProcess start(String name, Path logDir, List<String> jvmOptions, List<String> args) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java, "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xmx512m",
                "-Xss1m"));
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().keySet().removeIf(k -> k.startsWith("NEUROSTREAM_"));
        Files.createDirectories(logDir);
        Path log = logDir.resolve(name + ".log");
        Files.writeString(log, "# " + String.join(" ", args) + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
        return new ServiceProcess(name, pb.start(), log);
    }

    private void drain(Path log) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
                PrintWriter out = new PrintWriter(Files.newBufferedWriter(log, StandardCharsets.UTF_8,
                        StandardOpenOption.CREATE, StandardOpenOption.APPEND))) {
            String line;
            while ((line = r.readLine()) != null) {
                synchronized (lines) {
                    lines.add(line);
                    lines.notifyAll();
                }
                out.println(line);
                out.flush();
            }
        } catch (IOException ignored) {
            // killed: the pipe closed
        }
    }

    String name() {
        return name;
    }

    long startedNanos() {
        return startedNanos;
    }

    boolean isAlive() {
        return process.isAlive();
    }

    long pid() {
        return process.pid();
    }

    /** Every line the process wrote so far. */
    List<String> lines() {
        synchronized (lines) {
            return new ArrayList<>(lines);
        }
    }

    /** Waits until a line matches; false on timeout or when the process ended first. */
    boolean awaitLine(Predicate<String> match, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (lines) {
            int seen = 0;
            while (true) {
                for (; seen < lines.size(); seen++) {
                    if (match.test(lines.get(seen))) {
                        return true;
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0 || !process.isAlive() && !drain.isAlive()) {
                    return false;
                }
                lines.wait(Math.max(1, Math.min(200, left / 1_000_000)));
            }
        }
    }

    /** SIGKILL, and waits for the process to be gone; returns the wall clock (nanoTime) of the kill. */
    long kill() throws InterruptedException {
        long at = System.nanoTime();
        process.destroyForcibly();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            throw new IllegalStateException(name + " (pid " + process.pid() + ") survived SIGKILL for 10 s");
        }
        drain.join(2000);
        return at;
    }

    /** SIGTERM (a clean stop), waits up to {@code timeout}; returns the exit code, or -1 if it had to be killed. */
    int terminate(Duration timeout) throws InterruptedException {
        process.toHandle().destroy();
        if (process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            drain.join(2000);
            return process.exitValue();
        }
        kill();
        return -1;
    }

    /** SIGTERM, and waits up to {@code timeout}; the exit code, or null if it still runs (then left running). */
    Integer terminateAndWait(Duration timeout) throws InterruptedException {
        process.toHandle().destroy();
        return awaitExit(timeout);
    }

    /** Sends SIGINT (Ctrl-C) with {@code kill -INT}. */
    void interrupt() throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-INT", Long.toString(process.pid())).inheritIO().start();
        if (kill.waitFor() != 0) {
            throw new IllegalStateException("kill -INT " + process.pid() + " failed");
        }
    }

    /** Waits up to {@code timeout} for the process to end; its exit code, or null if it still runs. */
    Integer awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            return null;
        }
        drain.join(2000);
        return process.exitValue();
    }

    /** The exit code, if the process ended. */
    Integer exitCode() {
        return process.isAlive() ? null : process.exitValue();
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            kill();
        }
    }

    /** The last lines of the log, for assertion messages. */
    String tail(int n) {
        List<String> l = lines();
        return String.join("\n", l.subList(Math.max(0, l.size() - n), l.size()));
    }

    @Override
    public String toString() {
        return name + " (pid " + process.pid() + ")";
    }

    /** How long ago the process started. */
    Duration age() {
        return Duration.ofNanos(System.nanoTime() - startedNanos);
    }
}
