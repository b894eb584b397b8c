package io.neurostream.broker;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.common.utils.internals.Exit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node Kafka broker (KRaft: broker and controller in one process role set) inside the
 * current JVM. No Docker, no second process.
 *
 * <pre>{@code
 * try (EmbeddedBroker kafka = EmbeddedBroker.builder().build().start()) {   // temp dir, free ports
 *     Map<String, Object> props = kafka.clientConfig();                      // bootstrap.servers
 *     ...
 * }
 * EmbeddedBroker demo = EmbeddedBroker.builder().dataDir(Path.of("data/kafka")).port(9092).build().start();
 * }</pre>
 *
 * <p><b>Storage.</b> Without {@link Builder#dataDir} the logs go to a temporary folder deleted on
 * {@link #close()}. With one, they persist: the folder is formatted ({@code kafka-storage format}
 * with a new cluster id) only when it holds no {@code meta.properties} yet, so a restart finds its
 * topics, offsets and transactions again.
 *
 * <p><b>Ports.</b> Port 0 (the default) picks a free loopback port. A fixed port is checked before
 * the broker starts and refused with {@link PortInUseException} if something listens there: Kafka
 * halts the JVM when it cannot bind. The controller listener gets a free port of its own unless
 * {@link Builder#controllerPort} fixes it (with the static quorum used here, the controller port may
 * change from one start to the next).
 *
 * <p><b>Settings</b> (the single-node KRaft settings that work on Kafka 4.4): {@code process.roles=broker,controller}, {@code node.id=1},
 * PLAINTEXT and CONTROLLER listeners on {@code 127.0.0.1}, replication factors and minimum ISR of
 * the internal topics 1, one offsets partition, no initial rebalance delay, a 2 MiB cleaner buffer,
 * one partition for a topic created without a count, and {@code auto.create.topics.enable=false}
 * (whoever needs a topic creates it). {@link Builder#property} overrides any of them.
 *
 * <p><b>Fatal errors.</b> Kafka calls {@code Exit.halt} on a fatal broker error. While a broker of
 * this class runs, Kafka's halt and exit procedures throw {@link IllegalStateException} instead, so a
 * broken broker fails a test or the demo with a message rather than killing the JVM silently.
 */
public final class EmbeddedBroker implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedBroker.class);
    private static final String LOOPBACK = "127.0.0.1";
    private static int running;

    private final Path dir;
    private final boolean temporary;
    private final int requestedPort;
    private final int requestedControllerPort;
    private final Map<String, String> overrides;
    private final Duration startTimeout;

    private Path activeDir;
    private KafkaRaftServer server;
    private String bootstrapServers;
    private boolean shared;
    private int port;
    private boolean started;
    private boolean closed;

    private EmbeddedBroker(Builder b) {
        this.dir = b.dataDir;
        this.temporary = b.dataDir == null;
        this.requestedPort = b.port;
        this.requestedControllerPort = b.controllerPort;
        this.overrides = Map.copyOf(b.properties);
        this.startTimeout = b.startTimeout;
    }

    /** A builder: temporary storage, free ports, a 60 s start timeout. */
    public static Builder builder() {
        return new Builder();
    }

    /** How to start a broker. */
    public static final class Builder {
        private Path dataDir;
        private int port;
        private int controllerPort;
        private final Map<String, String> properties = new LinkedHashMap<>();
        private Duration startTimeout = Duration.ofSeconds(60);

        private Builder() {
        }

        /** Persistent storage in {@code dir} (created if missing); none: a temporary folder deleted on close. */
        public Builder dataDir(Path dir) {
            this.dataDir = dir;
            return this;
        }

        /** The client (PLAINTEXT) port on 127.0.0.1; 0 picks a free one. */
        public Builder port(int p) {
            this.port = checkPort(p);
            return this;
        }

        /** The controller port on 127.0.0.1; 0 (the default) picks a free one. */
        public Builder controllerPort(int p) {
            this.controllerPort = checkPort(p);
            return this;
        }

        /** Sets or overrides one broker setting ({@code server.properties} key). */
        public Builder property(String key, String value) {
            properties.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /** How long {@link EmbeddedBroker#start()} waits for the broker to answer. */
        public Builder startTimeout(Duration t) {
            this.startTimeout = Objects.requireNonNull(t, "startTimeout");
            return this;
        }

        /** The broker, not started yet. */
        public EmbeddedBroker build() {
            return new EmbeddedBroker(this);
        }

        private static int checkPort(int p) {
            if (p < 0 || p > 65535) {
                throw new IllegalArgumentException("port must be 0 (any free port) or 1..65535, got " + p);
            }
            return p;
        }
    }

    /**
     * Formats the storage if it is new, starts the broker and waits until it answers.
     *
     * @return this
     * @throws PortInUseException    if a fixed port is taken
     * @throws IllegalStateException if the broker does not start or answer within the start timeout
     * @throws UncheckedIOException  if the data directory cannot be used
     */
    public synchronized EmbeddedBroker start() {
        if (started) {
            throw new IllegalStateException("already started");
        }
        started = true;
        Path root;
        try {
            root = temporary ? Files.createTempDirectory("neurostream-kafka-") : Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the broker's data directory " + (temporary ? "" : dir), e);
        }
        activeDir = root;
        try {
            port = requestedPort == 0 ? freePort() : requireFree(requestedPort, "client");
            int controllerPort = requestedControllerPort == 0 ? freePort() : requireFree(requestedControllerPort, "controller");
            Properties props = properties(root, port, controllerPort);
            Path config = root.resolve("server.properties");
            try (Writer out = Files.newBufferedWriter(config, StandardCharsets.UTF_8)) {
                props.store(out, "NeuroStream EmbeddedBroker (rewritten on every start)");
            }
            Path logs = Path.of(props.getProperty("log.dirs"));
            if (!Files.exists(logs.resolve("meta.properties"))) {
                format(config);
            }
            guardExit();
            bootstrapServers = LOOPBACK + ":" + port;
            server = new KafkaRaftServer(new KafkaConfig(props, false), Time.SYSTEM);
            server.startup();
            awaitReady();
            LOG.info("Kafka broker up at {} (data in {})", bootstrapServers, root);
            return this;
        } catch (IOException e) {
            stopQuietly();
            throw new UncheckedIOException("cannot start the embedded Kafka broker in " + root, e);
        } catch (RuntimeException | Error e) {
            stopQuietly();
            throw e;
        }
    }

    private Properties properties(Path root, int clientPort, int controllerPort) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("process.roles", "broker,controller");
        p.put("node.id", "1");
        p.put("controller.quorum.voters", "1@" + LOOPBACK + ":" + controllerPort);
        p.put("listeners", "PLAINTEXT://" + LOOPBACK + ":" + clientPort + ",CONTROLLER://" + LOOPBACK + ":" + controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://" + LOOPBACK + ":" + clientPort);
        p.put("controller.listener.names", "CONTROLLER");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.put("log.dirs", root.resolve("logs").toAbsolutePath().toString());
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", "1");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        p.put("group.initial.rebalance.delay.ms", "0");
        p.put("log.cleaner.dedupe.buffer.size", "2097152");
        p.put("num.partitions", "1");
        p.put("auto.create.topics.enable", "false");
        p.putAll(overrides);
        Properties props = new Properties();
        props.putAll(p);
        return props;
    }

    /** {@code 127.0.0.1:port} of the client listener. */
    public String bootstrapServers() {
        if (bootstrapServers == null) {
            throw new IllegalStateException("not started");
        }
        return bootstrapServers;
    }

    /** The client port. */
    public int port() {
        bootstrapServers();
        return port;
    }

    /** Where the broker keeps its files ({@code server.properties}, {@code logs/}). */
    public Path dataDir() {
        bootstrapServers();
        return activeDir;
    }

    /** A fresh, mutable client config holding only {@code bootstrap.servers}. */
    public Map<String, Object> clientConfig() {
        Map<String, Object> c = new HashMap<>();
        c.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        return c;
    }

    /** A new admin client for this broker; the caller closes it. */
    public Admin admin() {
        return Admin.create(clientConfig());
    }

    /**
     * Stops the broker ({@code shutdown()} then {@code awaitShutdown()}); a temporary data directory is
     * deleted, a persistent one kept. Idempotent.
     */
    @Override
    public synchronized void close() {
        if (shared) {
            throw new IllegalStateException("the shared broker (SharedBroker) stops when the JVM exits; do not close it");
        }
        stop();
    }

    /** Marks the broker as {@link SharedBroker}'s: {@link #close()} refuses, the shutdown hook calls {@link #stop()}. */
    synchronized void markShared() {
        shared = true;
    }

    synchronized void stop() {
        if (closed || !started) {
            closed = true;
            return;
        }
        closed = true;
        long t0 = System.nanoTime();
        stopQuietly();
        LOG.info("Kafka broker at {} stopped in {} ms", bootstrapServers, (System.nanoTime() - t0) / 1_000_000);
    }

    private void stopQuietly() {
        try {
            if (server != null) {
                KafkaRaftServer s = server;
                server = null;
                s.shutdown();
                s.awaitShutdown();
                releaseExit();
            }
        } catch (RuntimeException e) {
            LOG.warn("error while stopping the embedded Kafka broker: {}", e.toString());
        } finally {
            if (temporary && activeDir != null) {
                deleteQuietly(activeDir);
            }
        }
    }

    private static void format(Path config) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int rc;
        try (PrintStream ps = new PrintStream(out, true, StandardCharsets.UTF_8)) {
            rc = StorageTool.execute(new String[] {"format", "--cluster-id", Uuid.randomUuid().toString(),
                "--config", config.toString()}, ps);
        }
        if (rc != 0) {
            throw new IllegalStateException("kafka-storage format failed (" + rc + "): " + out.toString(StandardCharsets.UTF_8));
        }
    }

    private void awaitReady() {
        long deadline = System.nanoTime() + startTimeout.toNanos();
        Map<String, Object> c = clientConfig();
        c.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
        c.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5_000);
        Exception last = null;
        try (Admin admin = Admin.create(c)) {
            while (System.nanoTime() < deadline) {
                try {
                    if (!admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).isEmpty()) {
                        return;
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while waiting for the broker", e);
                } catch (Exception e) {
                    last = e;
                }
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while waiting for the broker", e);
                }
            }
        }
        throw new IllegalStateException("the embedded Kafka broker did not answer within " + startTimeout, last);
    }

    /** While any broker of this class runs, Kafka's halt and exit throw instead of ending the JVM. */
    private static synchronized void guardExit() {
        if (running++ == 0) {
            Exit.setHaltProcedure((code, message) -> {
                throw new IllegalStateException("Kafka tried to halt the JVM (status " + code + "): " + message);
            });
            Exit.setExitProcedure((code, message) -> {
                throw new IllegalStateException("Kafka tried to exit the JVM (status " + code + "): " + message);
            });
        }
    }

    private static synchronized void releaseExit() {
        if (running > 0 && --running == 0) {
            Exit.resetHaltProcedure();
            Exit.resetExitProcedure();
        }
    }

    /** A free loopback port (the OS's choice; free when checked). */
    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(LOOPBACK))) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        }
    }

    /** Whether nothing listens on {@code 127.0.0.1:port} (a bind succeeds). */
    public static boolean isFree(int port) {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(InetAddress.getByName(LOOPBACK), port), 1);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static int requireFree(int port, String listener) {
        if (!isFree(port)) {
            throw new PortInUseException(port, listener);
        }
        return port;
    }

    private static void deleteQuietly(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            LOG.warn("could not delete {}: {}", root, e.toString());
        }
    }
}
