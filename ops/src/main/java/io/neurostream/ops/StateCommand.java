package io.neurostream.ops;

import io.neurostream.broker.EmbeddedBroker;
import io.neurostream.ingest.NeuroStreamClient;
import io.neurostream.ingest.OutputReader;
import io.neurostream.ops.internal.Settings;
import io.neurostream.ops.internal.Settings.SettingsException;
import io.neurostream.schemas.Topic;
import io.neurostream.schemas.Topics;
import io.neurostream.simulator.SimulatorConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.kafka.common.KafkaException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code neurostream state}: what a simulator would restore from the checkpoints topic
 * ({@link StateListCommand}), and retiring one network's restorable state on purpose
 * ({@link StateDropCommand}), on a cluster or on a stopped demo's data directory: the operator's way
 * out of a state that must go, instead of deleting the broker's files.
 */
@Command(name = "state",
        sortOptions = false,
        description = {
            "Lists the networks a simulator would restore, or drops one network's restorable state.",
            "",
            "Works on a Kafka cluster (--bootstrap-server, default localhost:9092: a running demo) or on a "
                    + "stopped demo's data directory (--data-dir DIR starts its broker just for the command)."},
        subcommands = {StateListCommand.class, StateDropCommand.class},
        commandListHeading = "%nCommands:%n",
        footer = {
            "",
            "Examples:",
            "  neurostream state list",
            "  neurostream state list --data-dir data --format json",
            "  neurostream state drop demo --data-dir data",
            "  neurostream state drop net-7 --bootstrap-server broker1:9092 --yes"})
public final class StateCommand implements Callable<Integer> {

    @Spec
    CommandSpec command;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    boolean help;

    @Override
    public Integer call() {
        throw new ParameterException(command.commandLine(), "Missing required subcommand (list or drop)");
    }

    /** Where the state is: the options {@code list} and {@code drop} share besides the Kafka ones. */
    static final class Target {
        @Option(names = "--data-dir", paramLabel = "DIR",
                description = "A stopped demo's data directory: its broker (DIR/kafka) is started on a free "
                        + "loopback port for this command only, then stopped. Excludes --bootstrap-server. "
                        + "Without it: the Kafka of --bootstrap-server or the settings (default "
                        + KafkaOptions.DEFAULT_BOOTSTRAP_SERVERS + ", where a running demo answers).")
        Path dataDir;

        @Option(names = "--timeout-s", paramLabel = "S", defaultValue = "30",
                description = "Limit of each request to Kafka and of reading a topic, seconds (default: "
                        + "${DEFAULT-VALUE}).")
        int timeoutS;
    }

    /** A refusal or failure the command reports as one line with its exit code. */
    static final class Refused extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final int code;

        Refused(String message, int code) {
            super(message);
            this.code = code;
        }
    }

    /** Takes each raw record of a topic read by {@link #readAll}, in offset order within a partition. */
    @FunctionalInterface
    interface RawSink {
        void accept(int partition, long offset, String key, byte[] value);
    }

    /**
     * Reads a whole topic once, every partition from its beginning to the end it had when the read
     * started, committed records only (what a simulator's recovery sees), with the ingest library's reader.
     *
     * @throws KafkaException if the topic does not exist or cannot be read to its end within {@code timeout}
     */
    static void readAll(Map<String, Object> client, String prefix, Topic<?> topic, Duration timeout, RawSink sink) {
        Map<String, Object> settings = new HashMap<>(client);
        settings.put(NeuroStreamClient.TOPIC_PREFIX, prefix);
        try (OutputReader<?> reader = OutputReader.open(settings, topic, OutputReader.Options.fromBeginning())) {
            reader.readToEnd(r -> sink.accept(r.partition(), r.offset(), r.key(), r.bytes()), timeout);
        } catch (IllegalStateException e) {
            throw new KafkaException(e.getMessage(), e);
        }
    }

    /**
     * The Kafka a state command talks to: the cluster of the settings, or a demo's broker started on its
     * data directory (closed with this).
     */
    static final class Connection implements AutoCloseable {
        final Map<String, Object> client;
        final Map<String, Object> admin;
        final String prefix;
        final String groupId;
        final String where;
        final Duration timeout;
        final EmbeddedBroker broker;

        private Connection(Map<String, Object> client, Map<String, Object> admin, String prefix, String groupId,
                String where, Duration timeout, EmbeddedBroker broker) {
            this.client = client;
            this.admin = admin;
            this.prefix = prefix;
            this.groupId = groupId;
            this.where = where;
            this.timeout = timeout;
            this.broker = broker;
        }

        /** Whether the broker was started by this command on a demo's data (no simulator can be connected). */
        boolean ownBroker() {
            return broker != null;
        }

        @Override
        public void close() {
            if (broker != null) {
                broker.close();
            }
        }
    }

    /**
     * Resolves the settings and connects: checks the options, and with {@code --data-dir} starts the
     * demo's broker (after checking that the directory holds a demo's broker data that no running demo
     * uses).
     *
     * @throws Refused on bad usage (code 2) or an unusable data directory (code 1)
     */
    static Connection connect(KafkaOptions kafka, Target target, String groupOverride, PrintWriter err) {
        if (target.timeoutS < 1) {
            throw new Refused("--timeout-s must be at least 1, got " + target.timeoutS, Main.EXIT_USAGE);
        }
        if (target.dataDir != null && kafka.bootstrapServer != null) {
            throw new Refused("--data-dir and --bootstrap-server exclude each other: give the demo's data directory "
                    + "(demo stopped) or the Kafka to talk to (demo running, or a cluster)", Main.EXIT_USAGE);
        }
        Settings settings;
        String prefix;
        String groupId;
        try {
            settings = kafka.resolve(Map.of("bootstrap.servers", KafkaOptions.DEFAULT_BOOTSTRAP_SERVERS));
            prefix = Topics.checkPrefix(settings.get(SimulatorConfig.TOPIC_PREFIX, Topics.DEFAULT_PREFIX));
            Map<String, String> sim = new HashMap<>();
            sim.put(SimulatorConfig.TOPIC_PREFIX, prefix);
            String group = settings.get(SimulatorConfig.GROUP_ID, null);
            if (group != null) {
                sim.put(SimulatorConfig.GROUP_ID, group);
            }
            groupId = groupOverride != null ? groupOverride : new SimulatorConfig(sim).groupId();
        } catch (SettingsException | IllegalArgumentException e) {
            throw new Refused(e.getMessage(), Main.EXIT_USAGE);
        }
        settings.warnings().forEach(w -> err.println("neurostream: warning: " + w));
        Map<String, Object> admin = TopicsCommand.adminConfig(settings, target.timeoutS);
        Map<String, Object> client = new HashMap<>(admin);
        Duration timeout = Duration.ofSeconds(target.timeoutS);
        if (target.dataDir == null) {
            return new Connection(client, admin, prefix, groupId, settings.get("bootstrap.servers", "?"), timeout, null);
        }
        Path data = target.dataDir.toAbsolutePath().normalize();
        Path kafkaDir = data.resolve("kafka");
        Path logs = kafkaDir.resolve("logs");
        if (!Files.isRegularFile(logs.resolve("meta.properties"))) {
            throw new Refused(data + " holds no demo data (no " + logs.resolve("meta.properties") + ")", Main.EXIT_FAILURE);
        }
        if (inUse(logs.resolve(".lock"))) {
            throw new Refused("a running demo (or broker) uses " + data + ": talk to it with --bootstrap-server "
                    + "localhost:PORT, or stop it first", Main.EXIT_FAILURE);
        }
        err.println("starting the demo's Kafka broker on its data in " + kafkaDir + " for this command ...");
        err.flush();
        DemoCommand.quietKafkaLogs();
        EmbeddedBroker broker = EmbeddedBroker.builder().dataDir(kafkaDir).port(0).build().start();
        client.put("bootstrap.servers", broker.bootstrapServers());
        admin.put("bootstrap.servers", broker.bootstrapServers());
        return new Connection(client, admin, prefix, groupId, "the demo's data in " + data, timeout, broker);
    }

    /**
     * Whether another process holds Kafka's lock on its log directory (a running demo or broker): then a
     * second broker must not start on the same files.
     */
    private static boolean inUse(Path lockFile) {
        if (!Files.exists(lockFile)) {
            return false;
        }
        try (FileChannel ch = FileChannel.open(lockFile, StandardOpenOption.WRITE)) {
            FileLock lock = ch.tryLock();
            if (lock == null) {
                return true;
            }
            lock.release();
            return false;
        } catch (OverlappingFileLockException e) {
            return true; // held in this very JVM
        } catch (IOException e) {
            return false; // cannot tell: the broker's start will say if it cannot lock
        }
    }

    /** The chunk keys of a list of partitions, for messages. */
    static String keys(List<String> keys) {
        return keys.size() <= 6 ? String.join(", ", keys)
                : String.join(", ", keys.subList(0, 5)) + ", ... (" + keys.size() + " in all)";
    }
}
