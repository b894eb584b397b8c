package io.neurostream.ops;

import io.neurostream.ops.internal.Settings;
import io.neurostream.ops.internal.Settings.SettingsException;
import io.neurostream.schemas.TopicAdmin;
import io.neurostream.schemas.Topics;
import io.neurostream.simulator.SimulatorConfig;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.KafkaException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code neurostream topics}: creates every NeuroStream topic on a cluster, idempotently, with the
 * registry's configuration ({@link TopicAdmin}); fixes configs that drifted; never changes partitions
 * or deletes anything.
 *
 * <p>How to run: {@code ./neurostream topics --bootstrap-server localhost:9092}. Expected on a new
 * cluster: {@code created 13, found 0, fixed 0, problems 0} and one {@code + name} line per topic; run
 * again: {@code created 0, found 13, ...} and one {@code = name} line per topic.
 */
@Command(name = "topics",
        sortOptions = false,
        description = {
            "Creates every NeuroStream topic on a Kafka cluster, idempotently.",
            "",
            "Existing topics are found and their configs fixed if they drifted (a smaller retention lets Kafka "
                    + "delete the oldest records: --dry-run shows the changes first); partitions are never changed "
                    + "and no topic is deleted."},
        footer = {
            "",
            "Settings: neurostream.topic.prefix (default neurostream.) names the topics; any other key is "
                    + "a Kafka admin client setting (security.protocol, sasl.*, ssl.*, ...). Precedence: "
                    + "defaults < --config FILE < NEUROSTREAM_* < --property < --bootstrap-server. The topics, "
                    + "their keys, schemas and retention: docs/topics.md.",
            "",
            "Output: one line of counts, then one line per topic: '+ name' created, '= name' found, "
                    + "'~ change' fixed, '! problem'.",
            "",
            "Exit codes: 0 the cluster matches the registry, 1 problems or Kafka unreachable, "
                    + "2 bad usage or settings.",
            "",
            "Examples:",
            "  neurostream topics",
            "  neurostream topics --bootstrap-server broker1:9092 \\",
            "      --partitions 12 --replication-factor 3",
            "  neurostream topics --config client.properties \\",
            "      --property neurostream.topic.prefix=lab1.",
            "  neurostream topics --dry-run"})
public final class TopicsCommand implements Callable<Integer> {

    @Spec
    CommandSpec command;

    @Mixin
    KafkaOptions kafka;

    @Option(names = "--partitions", paramLabel = "N",
            description = "Partitions of new topics (default: those of the existing NeuroStream topics, else "
                    + Topics.DEFAULT_PARTITIONS + ").")
    Integer partitions;

    @Option(names = "--replication-factor", paramLabel = "N",
            description = "Replication factor of new topics (default: the smaller of 3 and the number of brokers).")
    Short replicationFactor;

    @Option(names = "--dry-run", description = "Say what would be created or fixed; change nothing.")
    boolean dryRun;

    @Option(names = "--timeout-s", paramLabel = "S", defaultValue = "30",
            description = "Limit of each request to Kafka, seconds (default: ${DEFAULT-VALUE}).")
    int timeoutS;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    boolean help;

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter out = command.commandLine().getOut();
        PrintWriter err = command.commandLine().getErr();
        if (timeoutS < 1) {
            throw new ParameterException(command.commandLine(), "--timeout-s must be at least 1, got " + timeoutS);
        }
        Settings settings;
        TopicAdmin.Options options;
        try {
            settings = kafka.resolve(Map.of("bootstrap.servers", KafkaOptions.DEFAULT_BOOTSTRAP_SERVERS));
            options = TopicAdmin.Options.defaults()
                    .withPrefix(settings.get(SimulatorConfig.TOPIC_PREFIX, Topics.DEFAULT_PREFIX))
                    .withDryRun(dryRun)
                    .withTimeout(Duration.ofSeconds(timeoutS));
            if (partitions != null) {
                options = options.withPartitions(partitions);
            }
            if (replicationFactor != null) {
                options = options.withReplicationFactor(replicationFactor);
            }
        } catch (SettingsException | IllegalArgumentException e) {
            return Main.fail(err, e.getMessage(), Main.EXIT_USAGE);
        }
        settings.warnings().forEach(w -> err.println("neurostream: warning: " + w));
        err.flush();

        Map<String, Object> admin = adminConfig(settings, timeoutS);
        String where = settings.get("bootstrap.servers", "?");
        try (Admin client = Admin.create(admin)) {
            TopicAdmin.Result r = TopicAdmin.ensureTopics(client, options);
            print(r, out);
            return r.ok() ? Main.EXIT_OK : Main.EXIT_FAILURE;
        } catch (KafkaException e) {
            return Main.fail(err, "Kafka at " + where + ": " + e.getMessage(), Main.EXIT_FAILURE);
        }
    }

    /** The admin client's settings: every non-NeuroStream key, with request timeouts bounded by {@code timeoutS}. */
    static Map<String, Object> adminConfig(Settings settings, int timeoutS) {
        Map<String, Object> c = new HashMap<>();
        settings.asMap().forEach((k, v) -> {
            if (!Settings.isOwn(k)) {
                c.put(k, v);
            }
        });
        c.putIfAbsent(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, Integer.toString(timeoutS * 1000));
        c.putIfAbsent(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, Integer.toString(timeoutS * 1000));
        return c;
    }

    private static void print(TopicAdmin.Result r, PrintWriter out) {
        out.println((r.dryRun() ? "dry run: would create " : "created ") + r.created().size()
                + ", found " + r.found().size()
                + (r.dryRun() ? ", would fix " : ", fixed ") + r.fixed().size()
                + ", problems " + r.problems().size());
        r.created().forEach(t -> out.println("  + " + t));
        r.found().forEach(t -> out.println("  = " + t));
        r.fixed().forEach(c -> out.println("  ~ " + c));
        r.problems().forEach(p -> out.println("  ! " + p));
        out.flush();
    }
}
