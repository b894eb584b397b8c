package io.neurostream.schemas.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.common.utils.internals.Exit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node Kafka broker (KRaft, broker and controller in one) inside the test JVM, for
 * {@code *IntegrationTest}s. No Docker needed.
 *
 * <pre>{@code
 * EmbeddedKafka kafka = EmbeddedKafka.shared();          // started on first use, stopped at JVM exit
 * try (Admin admin = kafka.admin()) { ... }
 * Map<String, Object> props = kafka.clientConfig();       // bootstrap.servers, for any client
 * }</pre>
 *
 * <p>Integration tests share one broker per JVM ({@link #shared()}: cold start takes about 3 s, a
 * second broker costs another 0.5 s and 250 MiB) and keep apart by using their own topic prefix or
 * names. {@link #start()} gives a private broker for a test that must break or restart it.
 *
 * <p>Other modules use it from this module's test-jar:
 * <pre>{@code
 * <dependency><groupId>io.neurostream</groupId><artifactId>neurostream-schemas</artifactId>
 *   <type>test-jar</type><scope>test</scope></dependency>
 * <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka_2.13</artifactId><scope>test</scope></dependency>
 * }</pre>
 *
 * <p>Settings: the single-node values of KAFKA-NOTES.md (replication factors and min ISR 1, one offsets
 * partition, no initial rebalance delay, a 2 MiB cleaner buffer), loopback listeners on free ports,
 * logs in a temporary folder deleted on close, and {@code auto.create.topics.enable=false}, so a test
 * that forgets to create its topics fails instead of working by accident. Kafka halts the JVM on a
 * fatal broker error; while a broker of this class runs, halts and exits throw instead, so a broken
 * broker fails the test rather than killing the test JVM.
 */
public final class EmbeddedKafka implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafka.class);
    private static EmbeddedKafka shared;

    private final Path dir;
    private final KafkaRaftServer server;
    private final String bootstrapServers;
    private boolean closed;

    private EmbeddedKafka(Map<String, String> overrides) throws IOException {
        dir = Files.createTempDirectory("neurostream-kafka-");
        int port = freePort();
        int controllerPort = freePort();
        Map<String, String> p = new HashMap<>();
        p.put("process.roles", "broker,controller");
        p.put("node.id", "1");
        p.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
        p.put("listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
        p.put("controller.listener.names", "CONTROLLER");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.put("log.dirs", dir.resolve("data").toString());
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

        Path config = dir.resolve("server.properties");
        Properties props = new Properties();
        props.putAll(p);
        try (var out = Files.newBufferedWriter(config)) {
            props.store(out, "NeuroStream EmbeddedKafka");
        }
        format(config);

        guardExit();
        bootstrapServers = "127.0.0.1:" + port;
        server = new KafkaRaftServer(new KafkaConfig(props, false), Time.SYSTEM);
        server.startup();
        awaitReady(Duration.ofSeconds(60));
        LOG.info("Kafka broker up at {} (logs in {})", bootstrapServers, dir);
    }

    /**
     * The broker shared by every test of this JVM, started on first call and stopped by a shutdown hook;
     * never close it.
     */
    public static synchronized EmbeddedKafka shared() {
        if (shared == null) {
            shared = start();
            EmbeddedKafka k = shared;
            Runtime.getRuntime().addShutdownHook(new Thread(k::stop, "embedded-kafka-shutdown"));
        }
        return shared;
    }

    /** A broker of its own; the caller closes it. */
    public static EmbeddedKafka start() {
        return start(Map.of());
    }

    /** A broker of its own with some broker settings overridden; the caller closes it. */
    public static EmbeddedKafka start(Map<String, String> brokerOverrides) {
        try {
            return new EmbeddedKafka(brokerOverrides);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start an embedded Kafka broker", e);
        }
    }

    /** {@code host:port} of the broker's listener. */
    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** A fresh client config holding only {@code bootstrap.servers}. */
    public Map<String, Object> clientConfig() {
        Map<String, Object> c = new HashMap<>();
        c.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        return c;
    }

    /** A new admin client for this broker; close it. */
    public Admin admin() {
        return Admin.create(clientConfig());
    }

    /** Stops the broker and deletes its logs; the shared broker must not be closed. */
    @Override
    public void close() {
        if (this == shared) {
            throw new IllegalStateException("the shared broker stops when the JVM exits; do not close it");
        }
        stop();
    }

    private synchronized void stop() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            server.shutdown();
            server.awaitShutdown();
        } finally {
            deleteQuietly(dir);
        }
    }

    private static void format(Path config) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int rc;
        try (PrintStream ps = new PrintStream(out, true, StandardCharsets.UTF_8)) {
            rc = StorageTool.execute(new String[] {"format", "--cluster-id", Uuid.randomUuid().toString(),
                "--config", config.toString(), "--ignore-formatted"}, ps);
        }
        if (rc != 0) {
            throw new IllegalStateException("kafka-storage format failed (" + rc + "): " + out.toString(StandardCharsets.UTF_8));
        }
    }

    private void awaitReady(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (Admin admin = admin()) {
            while (true) {
                try {
                    if (!admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).isEmpty()) {
                        return;
                    }
                } catch (Exception e) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("embedded Kafka broker not ready within " + timeout, e);
                    }
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("embedded Kafka broker not ready within " + timeout);
                }
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while waiting for the broker", e);
                }
            }
        }
    }

    private static void guardExit() {
        Exit.setHaltProcedure((code, message) -> {
            throw new IllegalStateException("Kafka tried to halt the JVM (status " + code + "): " + message);
        });
        Exit.setExitProcedure((code, message) -> {
            throw new IllegalStateException("Kafka tried to exit the JVM (status " + code + "): " + message);
        });
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        }
    }

    private static void deleteQuietly(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            LOG.warn("could not delete {}: {}", root, e.toString());
        }
    }
}
