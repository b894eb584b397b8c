package io.neurostream.schemas;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * Creates the registry's topics ({@link Topics}) on a cluster, idempotently: missing topics are created,
 * existing ones whose configuration differs from the registry are fixed, and what cannot be fixed safely
 * is reported. Running it again changes nothing.
 *
 * <pre>{@code
 * try (Admin admin = Admin.create(Map.of("bootstrap.servers", "localhost:9092"))) {
 *     TopicAdmin.Result r = TopicAdmin.ensureTopics(admin, TopicAdmin.Options.defaults().withPrefix("lab1."));
 *     System.out.println(r.summary());     // "created 13, found 0, fixed 0, problems 0" and one line per change
 * }
 * }</pre>
 *
 * <p>What it never does: change a partition count (adding partitions moves networks to other
 * partitions and strands compacted state; Kafka cannot remove partitions), change a replication
 * factor, or delete anything. A partition count that differs between topics, or from an explicitly
 * requested one, is reported as a problem.
 */
public final class TopicAdmin {

    private TopicAdmin() {
    }

    /**
     * How to create the topics.
     *
     * @param prefix            prefix of every topic name ({@link Topics#DEFAULT_PREFIX})
     * @param partitions        partition count of new topics; empty: that of the existing registry topics
     *                          if they agree, else {@link Topics#DEFAULT_PARTITIONS}
     * @param replicationFactor replication factor of new topics; empty: the smaller of 3 and the number
     *                          of brokers
     * @param configOverrides   topic configs that replace or add to the registry's, by base name
     *                          (e.g. {@code "spikes" -> {"retention.ms": "3600000"}})
     * @param dryRun            report what would be done, change nothing
     * @param timeout           limit for each admin call
     */
    public record Options(String prefix, OptionalInt partitions, Optional<Short> replicationFactor,
            Map<String, Map<String, String>> configOverrides, boolean dryRun, Duration timeout) {

        public Options {
            Topics.checkPrefix(prefix);
            Objects.requireNonNull(partitions, "partitions");
            Objects.requireNonNull(replicationFactor, "replicationFactor");
            if (partitions.isPresent() && partitions.getAsInt() < 1) {
                throw new IllegalArgumentException("partitions must be at least 1, got " + partitions.getAsInt());
            }
            if (replicationFactor.isPresent() && replicationFactor.get() < 1) {
                throw new IllegalArgumentException("replication factor must be at least 1, got " + replicationFactor.get());
            }
            for (String base : configOverrides.keySet()) {
                if (Topics.byBaseName(base).isEmpty()) {
                    throw new IllegalArgumentException("config override for unknown topic '" + base + "'; topics: "
                            + Topics.all());
                }
            }
            configOverrides = Map.copyOf(configOverrides);
            Objects.requireNonNull(timeout, "timeout");
        }

        /** Default prefix, partitions and replication factor, no overrides, 30 s per call. */
        public static Options defaults() {
            return new Options(Topics.DEFAULT_PREFIX, OptionalInt.empty(), Optional.empty(), Map.of(), false,
                    Duration.ofSeconds(30));
        }

        public Options withPrefix(String p) {
            return new Options(p, partitions, replicationFactor, configOverrides, dryRun, timeout);
        }

        public Options withPartitions(int n) {
            return new Options(prefix, OptionalInt.of(n), replicationFactor, configOverrides, dryRun, timeout);
        }

        public Options withReplicationFactor(short rf) {
            return new Options(prefix, partitions, Optional.of(rf), configOverrides, dryRun, timeout);
        }

        public Options withConfigOverrides(Map<String, Map<String, String>> overrides) {
            return new Options(prefix, partitions, replicationFactor, overrides, dryRun, timeout);
        }

        public Options withDryRun(boolean d) {
            return new Options(prefix, partitions, replicationFactor, configOverrides, d, timeout);
        }

        public Options withTimeout(Duration t) {
            return new Options(prefix, partitions, replicationFactor, configOverrides, dryRun, t);
        }
    }

    /** A topic as the registry wants it: full name and topic-level configs (overrides applied). */
    public record Plan(Topic<?> topic, String name, Map<String, String> configs) {
    }

    /** A config changed (or, in a dry run, to be changed) on an existing topic. */
    public record Change(String topic, String config, String from, String to) {
        @Override
        public String toString() {
            return topic + ": " + config + " " + from + " -> " + to;
        }
    }

    /**
     * What {@link #ensureTopics} did (in a dry run: would do).
     *
     * @param created  topics created
     * @param found    topics that existed (with their configs fixed if listed in {@code fixed})
     * @param fixed    configs changed on existing topics
     * @param problems what is wrong and was left alone; empty when the cluster matches the registry
     * @param dryRun   whether nothing was changed
     */
    public record Result(List<String> created, List<String> found, List<Change> fixed, List<String> problems,
            boolean dryRun) {

        public Result {
            created = List.copyOf(created);
            found = List.copyOf(found);
            fixed = List.copyOf(fixed);
            problems = List.copyOf(problems);
        }

        /** Whether the cluster now matches the registry. */
        public boolean ok() {
            return problems.isEmpty();
        }

        /** One line of counts, then one line per created topic, change and problem. */
        public String summary() {
            StringBuilder b = new StringBuilder();
            b.append(dryRun ? "dry run: would create " : "created ").append(created.size())
                    .append(", found ").append(found.size())
                    .append(dryRun ? ", would fix " : ", fixed ").append(fixed.size())
                    .append(", problems ").append(problems.size());
            created.forEach(t -> b.append("\n  + ").append(t));
            fixed.forEach(c -> b.append("\n  ~ ").append(c));
            problems.forEach(p -> b.append("\n  ! ").append(p));
            return b.toString();
        }
    }

    /** The topics the registry wants under these options. */
    public static List<Plan> plan(Options options) {
        List<Plan> plans = new ArrayList<>();
        for (Topic<?> t : Topics.all()) {
            Map<String, String> configs = new TreeMap<>(t.configs());
            configs.putAll(options.configOverrides().getOrDefault(t.baseName(), Map.of()));
            plans.add(new Plan(t, t.name(options.prefix()), Map.copyOf(configs)));
        }
        return plans;
    }

    /** {@link #ensureTopics(Admin, Options)} with {@link Options#defaults()}. */
    public static Result ensureTopics(Admin admin) throws InterruptedException {
        return ensureTopics(admin, Options.defaults());
    }

    /**
     * Makes the cluster hold every registry topic with the registry's configuration.
     *
     * @throws KafkaException if the cluster cannot be asked (unreachable, not authorised, timed out);
     *                        per-topic failures are reported in {@link Result#problems()} instead
     */
    public static Result ensureTopics(Admin admin, Options options) throws InterruptedException {
        List<Plan> plans = plan(options);
        Set<String> existing = get(admin.listTopics().names(), options, "list the topics");

        List<String> created = new ArrayList<>();
        List<String> found = new ArrayList<>();
        List<Change> fixed = new ArrayList<>();
        List<String> problems = new ArrayList<>();

        // existing topics: partition counts first, since new topics should match them
        Map<String, Plan> present = new LinkedHashMap<>();
        Map<String, Plan> missing = new LinkedHashMap<>();
        for (Plan p : plans) {
            (existing.contains(p.name()) ? present : missing).put(p.name(), p);
        }
        Map<String, Integer> partitionCounts = partitionCounts(admin, present.keySet(), options);
        Set<Integer> counts = new TreeSet<>(partitionCounts.values());
        int partitions = options.partitions().orElse(counts.size() == 1 ? counts.iterator().next() : Topics.DEFAULT_PARTITIONS);

        if (!missing.isEmpty()) {
            Optional<Short> rf = options.replicationFactor();
            short replication = rf.isPresent() ? rf.get() : defaultReplication(admin, options);
            if (options.dryRun()) {
                created.addAll(missing.keySet());
            } else {
                List<NewTopic> news = new ArrayList<>();
                for (Plan p : missing.values()) {
                    news.add(new NewTopic(p.name(), Optional.of(partitions), Optional.of(replication)).configs(p.configs()));
                }
                Map<String, KafkaFuture<Void>> results = admin.createTopics(news).values();
                for (Plan p : missing.values()) {
                    try {
                        results.get(p.name()).get(options.timeout().toMillis(), TimeUnit.MILLISECONDS);
                        created.add(p.name());
                        partitionCounts.put(p.name(), partitions);
                    } catch (ExecutionException e) {
                        if (e.getCause() instanceof TopicExistsException) {
                            present.put(p.name(), p); // created by someone else meanwhile: check it like the others
                            partitionCounts.putAll(partitionCounts(admin, Set.of(p.name()), options));
                        } else {
                            problems.add("cannot create " + p.name() + ": " + e.getCause());
                        }
                    } catch (TimeoutException e) {
                        problems.add("creating " + p.name() + " did not finish within " + options.timeout());
                    }
                }
            }
        }

        if (!present.isEmpty()) {
            found.addAll(present.keySet());
            fixed.addAll(fixConfigs(admin, present, options, problems));
        }

        // partitions: never changed, only reported
        Set<Integer> all = new TreeSet<>(partitionCounts.values());
        if (all.size() > 1) {
            problems.add("the topics have different partition counts " + new TreeMap<>(partitionCounts)
                    + "; every topic keyed by network needs the same count (a network's records share a partition"
                    + " number). Partitions are not changed here: recreate the odd topics or use a new prefix");
        } else if (options.partitions().isPresent() && !all.isEmpty() && all.iterator().next() != partitions) {
            problems.add("the existing topics have " + all.iterator().next() + " partitions, not the " + partitions
                    + " asked for; partitions are not changed here (adding some moves networks to other partitions)");
        }
        return new Result(created, found, fixed, problems, options.dryRun());
    }

    private static Map<String, Integer> partitionCounts(Admin admin, Collection<String> names, Options options)
            throws InterruptedException {
        Map<String, Integer> counts = new TreeMap<>();
        if (names.isEmpty()) {
            return counts;
        }
        Map<String, TopicDescription> d = getFresh(() -> admin.describeTopics(names).allTopicNames(), options,
                "describe the topics");
        d.forEach((name, desc) -> counts.put(name, desc.partitions().size()));
        return counts;
    }

    private static short defaultReplication(Admin admin, Options options) throws InterruptedException {
        int brokers = get(admin.describeCluster().nodes(), options, "describe the cluster").size();
        return (short) Math.max(1, Math.min(3, brokers));
    }

    private static List<Change> fixConfigs(Admin admin, Map<String, Plan> present, Options options,
            List<String> problems) throws InterruptedException {
        List<ConfigResource> resources = new ArrayList<>();
        for (String name : present.keySet()) {
            resources.add(new ConfigResource(ConfigResource.Type.TOPIC, name));
        }
        Map<ConfigResource, Config> actual = getFresh(() -> admin.describeConfigs(resources).all(), options,
                "describe the topics' configs");

        Map<ConfigResource, Collection<AlterConfigOp>> ops = new LinkedHashMap<>();
        Map<ConfigResource, List<Change>> changes = new LinkedHashMap<>();
        for (ConfigResource r : resources) {
            Config config = actual.get(r);
            for (Map.Entry<String, String> want : present.get(r.name()).configs().entrySet()) {
                ConfigEntry have = config == null ? null : config.get(want.getKey());
                String value = have == null ? null : have.value();
                if (!want.getValue().equals(value)) {
                    ops.computeIfAbsent(r, k -> new ArrayList<>()).add(
                            new AlterConfigOp(new ConfigEntry(want.getKey(), want.getValue()), AlterConfigOp.OpType.SET));
                    changes.computeIfAbsent(r, k -> new ArrayList<>()).add(
                            new Change(r.name(), want.getKey(), value, want.getValue()));
                }
            }
        }
        List<Change> done = new ArrayList<>();
        if (ops.isEmpty()) {
            return done;
        }
        if (options.dryRun()) {
            changes.values().forEach(done::addAll);
            return done;
        }
        Map<ConfigResource, KafkaFuture<Void>> results = admin.incrementalAlterConfigs(ops).values();
        for (Map.Entry<ConfigResource, KafkaFuture<Void>> e : results.entrySet()) {
            try {
                e.getValue().get(options.timeout().toMillis(), TimeUnit.MILLISECONDS);
                done.addAll(changes.get(e.getKey()));
            } catch (ExecutionException ex) {
                problems.add("cannot fix the configs of " + e.getKey().name() + " " + changes.get(e.getKey())
                        + ": " + ex.getCause());
            } catch (TimeoutException ex) {
                problems.add("fixing the configs of " + e.getKey().name() + " did not finish within " + options.timeout());
            }
        }
        return done;
    }

    /**
     * Like {@link #get}, but asks again while a broker does not know a topic yet: a topic just created
     * (by this or another client) reaches every broker's metadata a moment later.
     */
    private static <T> T getFresh(Supplier<KafkaFuture<T>> call, Options options, String what)
            throws InterruptedException {
        long deadline = System.nanoTime() + options.timeout().toNanos();
        while (true) {
            try {
                return call.get().get(options.timeout().toMillis(), TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException) || System.nanoTime() > deadline) {
                    throw new KafkaException("cannot " + what + ": " + e.getCause(), e.getCause());
                }
                Thread.sleep(100);
            } catch (TimeoutException e) {
                throw new KafkaException("cannot " + what + ": no answer within " + options.timeout(), e);
            }
        }
    }

    private static <T> T get(KafkaFuture<T> future, Options options, String what) throws InterruptedException {
        try {
            return future.get(options.timeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new KafkaException("cannot " + what + ": " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new KafkaException("cannot " + what + ": no answer within " + options.timeout(), e);
        }
    }
}
