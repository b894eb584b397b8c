package io.neurostream.simulator;

import io.neurostream.schemas.ClusterWait;
import io.neurostream.schemas.Topic;
import io.neurostream.schemas.Topics;
import io.neurostream.schemas.avro.AppliedInput;
import io.neurostream.schemas.avro.Checkpoint;
import io.neurostream.schemas.avro.Frame;
import io.neurostream.schemas.avro.MembraneSample;
import io.neurostream.schemas.avro.Rejected;
import io.neurostream.schemas.avro.SpikeBatch;
import io.neurostream.schemas.avro.Status;
import io.neurostream.schemas.avro.Topology;
import io.neurostream.simulator.internal.HostedNetwork;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.RangeAssignor;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The simulator as a Kafka service: consumes {@code control} and {@code external-input} (read
 * committed), drives a {@link SimulatorCore} on one thread, and publishes everything it produces
 * through a transactional producer.
 *
 * <p><b>Transactions.</b> One transaction spans a commit interval ({@code simulator.commit.interval.ms},
 * 100 ms of wall time by default; never one per frame) and holds whole frames: their spikes, frames,
 * membrane samples and journal entries, and the input and control offsets they consumed
 * ({@code sendOffsetsToTransaction} with the group's metadata). Checkpoints go into the same
 * transaction, every {@code simulator.checkpoint.interval.frames} frames, on CHECKPOINT and on clean
 * shutdown. A transaction's commit ({@code sendOffsetsToTransaction}, then {@code commitTransaction}:
 * a flush and two coordinator round trips) runs on a commit thread while the loop computes on; what
 * the loop produces meanwhile is held and opens the next transaction when the commit has gone
 * through. At most one commit is in flight: the next commit, a rebalance and shutdown wait for it.
 * At least once ({@code simulator.exactly.once=false}), the due commit does not stop the loop either: the
 * consumed offsets are committed once the records sent before them are acknowledged
 * ({@link #commitWhenAcknowledged}).
 *
 * <p><b>Hand-over.</b> Networks live on the partition of their id (the same partition number of
 * {@code control} and {@code external-input}, kept together by the range assignor). When partitions
 * are assigned, the service holds them (reads nothing from them), reads back the checkpoints, journal
 * and status records of their networks and hands them to {@link SimulatorCore#recover} — outside any
 * transaction, however long it takes; the networks then catch up to their committed output a slice at a
 * time between commits, and their partitions are released. When partitions are revoked, it checkpoints
 * their networks, commits and stops hosting them. The consumer is a static member of the group
 * ({@code group.instance.id} = {@code simulator.instance.id}): an instance restarted under the same id
 * takes its partitions back at once.
 *
 * <p><b>Duty cycle.</b> The loop polls with a timeout no longer than the time to the next due frame
 * or commit, applies what it read, computes what is due and commits when the interval has passed. It
 * never waits on Kafka inside a tick: sends are asynchronous, and a frame is handed over whole.
 */
public final class SimulatorService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SimulatorService.class);

    private final java.util.Comparator<ConsumerRecord<String, byte[]>> byTimeCommandsFirst;
    private final SimulatorConfig config;
    private final String prefix;
    private final KafkaConsumer<String, byte[]> consumer;
    private final KafkaProducer<String, byte[]> producer;
    private final SimulatorCore core;
    private final Thread thread;
    private final CountDownLatch stopped = new CountDownLatch(1);
    /** Partitions assigned whose networks are still to be recovered (read and restored outside any transaction). */
    private final Set<Integer> toRecover = new java.util.TreeSet<>();
    /** Assigned partitions held (paused) until their recovered networks have caught up to their committed output. */
    private final Set<TopicPartition> heldForCatchUp = new HashSet<>();
    /**
     * Per partition of journal and status: an offset every record sent from now on lands at or after (the
     * end offset read at recovery, then one past each acknowledged record); checkpoints store it.
     */
    private final Map<TopicPartition, Long> nextOffsets = new java.util.concurrent.ConcurrentHashMap<>();
    private volatile boolean running = true;
    private volatile boolean halted;
    private volatile Throwable failure;
    private boolean inTransaction;
    /** Exactly once: the commit of the previous transaction, running on {@link #committer} (null: none). */
    private Future<?> commitInFlight;
    /** Records produced while a commit is in flight; they open the next transaction. */
    private final List<ProducerRecord<String, byte[]>> held = new ArrayList<>();
    private final ExecutorService committer = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "neurostream-simulator-commit");
        t.setDaemon(true);
        return t;
    });
    /** Builds networks (CREATE, RESET) off the loop; one at a time, so two big builds do not peak together. */
    private final ExecutorService builder = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "neurostream-simulator-build");
        t.setDaemon(true);
        return t;
    });
    private long lastCommitNanos;
    private final String framesTopic;
    private final SimulatorMeters meters;
    /** Whether to bind Micrometer's Kafka client meters (each has a refresh thread): not for a registry that keeps nothing. */
    private final boolean kafkaMeters;
    /** Micrometer's meters of the consumer's and the producer's own metrics, bound from {@link #start} to shutdown. */
    private volatile io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics consumerMetrics;
    private volatile io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics producerMetrics;
    /** When each frame of the open transaction was computed (System.nanoTime), for the publish latency. */
    private final NanoList transactionFrames = new NanoList();
    /** The same for the frames among the records {@link #held} for the next transaction. */
    private final NanoList heldFrames = new NanoList();
    /** Why the service is not ready (see {@link #notReadyBecause}), or null. */
    private volatile String notReady = "starting";
    private final String journalTopic;
    private final String statusTopic;
    /**
     * After partitions taken over are released (their networks have caught up): the end offsets of their
     * control and input partitions then. Until the consumer has read up to them, the networks on them do
     * not compute (see {@link #notYetLive}).
     */
    private final Map<TopicPartition, Long> awaitedInputs = new HashMap<>();

    /** A service whose meters go nowhere (the JMX bean still counts rejections and hosted networks). */
    public SimulatorService(SimulatorConfig config) {
        this(config, new io.micrometer.core.instrument.composite.CompositeMeterRegistry(), false);
    }

    /**
     * A service that registers its meters ({@link SimulatorMeters}) and Micrometer's Kafka client metrics of
     * its consumer and producer ({@code kafka.consumer.*}, {@code kafka.producer.*}) in {@code registry}, all
     * tagged {@code instance} = {@code simulator.instance.id}.
     */
    public SimulatorService(SimulatorConfig config, io.micrometer.core.instrument.MeterRegistry registry) {
        this(config, java.util.Objects.requireNonNull(registry, "registry"), true);
    }

    private SimulatorService(SimulatorConfig config, io.micrometer.core.instrument.MeterRegistry registry, boolean kafkaMeters) {
        this.kafkaMeters = kafkaMeters;
        this.config = config;
        this.prefix = config.topicPrefix();
        this.journalTopic = Topics.JOURNAL.name(prefix);
        this.statusTopic = Topics.STATUS.name(prefix);
        this.framesTopic = Topics.FRAMES.name(prefix);
        this.meters = new SimulatorMeters(registry, config.instanceId());
        this.consumer = new KafkaConsumer<>(consumerConfig(config), new StringDeserializer(), new ByteArrayDeserializer());
        this.producer = new KafkaProducer<>(producerConfig(config), new StringSerializer(), new ByteArraySerializer());
        this.core = new SimulatorCore(config, new KafkaOutput(), builder, meters);
        this.thread = new Thread(this::loop, "neurostream-simulator");
        String control = Topics.CONTROL.name(prefix);
        this.byTimeCommandsFirst = java.util.Comparator.<ConsumerRecord<String, byte[]>>comparingLong(ConsumerRecord::timestamp)
                .thenComparing(r -> r.topic().equals(control) ? 0 : 1);
    }

    /** The consumer settings: the group, read committed, no auto-commit, ranges (co-partitioned topics). */
    public static Map<String, Object> consumerConfig(SimulatorConfig config) {
        Map<String, Object> p = new HashMap<>(config.kafkaProperties());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, config.groupId());
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.putIfAbsent(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, RangeAssignor.class.getName());
        p.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, config.groupId() + "-" + config.instanceId() + "-consumer");
        // static membership: an instance restarted with the same id takes its partitions back at once, instead
        // of waiting for the group to expel its dead predecessor after session.timeout.ms
        p.putIfAbsent(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, config.instanceId());
        return p;
    }

    /** How long the simulator waits for a broker that does not answer before it gives up, ms. */
    static final int BROKER_AWAY_MS = 300_000;

    /** The producer settings: transactional (exactly once) or idempotent, batched for throughput. */
    public static Map<String, Object> producerConfig(SimulatorConfig config) {
        Map<String, Object> p = new HashMap<>(config.kafkaProperties());
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        // 5 ms, Kafka's own default since 4.0: CUBA 4000 through the service costs the same as with 20 ms
        // (docs/benchmarks.md), while a live viewer sees a frame's spikes 15 ms sooner; 0 or 1 for lower
        // latency still, at some cost in throughput
        p.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, 5);
        p.putIfAbsent(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
        p.putIfAbsent(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        // a dead instance's open transaction blocks read_committed readers (and a successor's recovery)
        // until it times out: 10 s, as Kafka Streams sets it, instead of the client default of 60 s
        p.putIfAbsent(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, 10_000);
        // a broker away for longer than the client defaults (60 s for a blocked send or transactional call,
        // 120 s for a record to be acknowledged) stopped the service (exactly once) or failed every network
        // (at least once); the loop waits for it instead, as Kafka Streams does for its task.timeout.ms (5 min)
        p.putIfAbsent(ProducerConfig.MAX_BLOCK_MS_CONFIG, BROKER_AWAY_MS);
        p.putIfAbsent(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, BROKER_AWAY_MS);
        p.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, config.groupId() + "-" + config.instanceId() + "-producer");
        if (config.exactlyOnce()) {
            p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, config.groupId() + "-" + config.instanceId());
        }
        // the consumer's settings do not belong here
        p.remove(ConsumerConfig.GROUP_ID_CONFIG);
        p.remove(ConsumerConfig.ISOLATION_LEVEL_CONFIG);
        p.remove(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG);
        return p;
    }

    /** Starts the service's loop on its own thread and registers its JMX metrics and Kafka client meters. */
    public void start() {
        registerMetrics();
        if (kafkaMeters) {
            io.micrometer.core.instrument.Tags tags = io.micrometer.core.instrument.Tags.of("instance", config.instanceId());
            consumerMetrics = new io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics(consumer, tags);
            producerMetrics = new io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics(producer, tags);
            consumerMetrics.bindTo(meters.registry());
            producerMetrics.bindTo(meters.registry());
        }
        thread.start();
    }

    /**
     * Null when the service serves: its consumer has partitions assigned, and the networks of those
     * partitions are recovered and caught up; else why not yet (or that it stopped). Read from any thread.
     */
    public String notReadyBecause() {
        return notReady;
    }

    private volatile int networksHosted;
    private javax.management.ObjectName metricsName;

    private void registerMetrics() {
        try {
            javax.management.MBeanServer server = java.lang.management.ManagementFactory.getPlatformMBeanServer();
            metricsName = new javax.management.ObjectName("io.neurostream:type=Simulator,instance="
                    + javax.management.ObjectName.quote(config.instanceId() + "@" + prefix));
            if (server.isRegistered(metricsName)) {
                server.unregisterMBean(metricsName);
            }
            server.registerMBean(new SimulatorMetricsMXBean() {
                @Override
                public Map<String, Long> getRejectedByReason() {
                    Map<String, Long> out = new TreeMap<>();
                    rejectedCounts().forEach((r, n) -> out.put(r.name(), n));
                    return out;
                }

                @Override
                public long getRejectedTotal() {
                    return rejectedCounts().values().stream().mapToLong(Long::longValue).sum();
                }

                @Override
                public int getNetworksHosted() {
                    return networksHosted;
                }
            }, metricsName);
        } catch (javax.management.JMException e) {
            LOG.warn("JMX metrics not registered: {}", e.toString());
            metricsName = null;
        }
    }

    /** The JMX name of this instance's metrics (see {@link SimulatorMetricsMXBean}), or null. */
    public javax.management.ObjectName metricsName() {
        return metricsName;
    }

    /** Whether the loop is running (false after close or a fatal error). */
    public boolean isRunning() {
        return running && thread.isAlive();
    }

    /** The fatal error that stopped the loop, if any. */
    public Throwable failure() {
        return failure;
    }

    /** Records rejected so far, by reason (a snapshot; read from any thread). */
    public Map<RejectReason, Long> rejectedCounts() {
        synchronized (rejectedSnapshot) {
            return new TreeMap<>(rejectedSnapshot);
        }
    }

    private final Map<RejectReason, Long> rejectedSnapshot = new HashMap<>();

    /** Stops the loop: takes a checkpoint of every network, commits, closes the clients. */
    @Override
    public void close() {
        if (metricsName != null) {
            try {
                java.lang.management.ManagementFactory.getPlatformMBeanServer().unregisterMBean(metricsName);
            } catch (javax.management.JMException ignored) {
                // already gone
            }
            metricsName = null;
        }
        running = false;
        consumer.wakeup();
        if (thread.isAlive() && Thread.currentThread() != thread) {
            try {
                stopped.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Stops as a crash would: no checkpoint, no commit; the open transaction stays open on the broker
     * until a successor with the same instance id fences it, or it times out. For fault tests.
     */
    void halt() {
        halted = true;
        close();
    }

    // ------------------------------------------------------------------ the loop

    private void loop() {
        try {
            Admin admin = Admin.create(ClusterWait.adminSettings(config.kafkaProperties()));
            try {
                // not the 5 minutes the producer waits for a broker that went away: a wrong address fails
                // within max.block.ms if set, else 60 s, naming it (docs/reliability.md, fault 3b)
                if (!ClusterWait.await(admin, config.kafkaProperties(), ClusterWait.startWaitMs(config.kafkaProperties()),
                        () -> running)) {
                    return; // closed while waiting: nothing was begun, nothing to commit
                }
                core.limitRecords(recordLimit(admin));
            } finally {
                admin.close(Duration.ZERO); // a describe still pending (a broker gone again) is not waited for
            }
            core.throttleUnpacedWith(this::outputHasRoom);
            LOG.info("largest record written: {} bytes", core.maxRecordBytes());
            if (config.exactlyOnce()) {
                producer.initTransactions();
            }
            core.treatAsOutputFailure(e -> e instanceof KafkaException);
            consumer.subscribe(List.of(Topics.CONTROL.name(prefix), Topics.EXTERNAL_INPUT.name(prefix)), new Rebalance());
            lastCommitNanos = System.nanoTime();
            while (running) {
                try {
                    if (!runOnce()) {
                        break;
                    }
                    if (brokerAway != null) {
                        throw brokerAway(null);
                    }
                } catch (WakeupException e) {
                    if (running) {
                        throw e;
                    }
                    break; // close() woke a consumer call other than the poll (e.g. reading end offsets): stop as after the poll
                } catch (KafkaException | SimulatorOutput.PublishException e) {
                    if (e instanceof BrokerAwayException) {
                        throw e;
                    }
                    Throwable cause = e instanceof SimulatorOutput.PublishException ? e.getCause() : e;
                    if (cause instanceof org.apache.kafka.common.errors.TimeoutException) {
                        throw brokerAway(cause); // a blocked send or transactional call gave up: the broker is away
                    }
                    if (!recoverable(e)) {
                        throw e;
                    }
                    abortAndRecover(e);
                }
                if (!config.exactlyOnce()) {
                    failNetworksWhoseSendsFailed();
                }
            }
            if (!halted) {
                // clean shutdown: checkpoint everything, commit
                begin();
                for (HostedNetwork h : new ArrayList<>(core.networks())) {
                    core.checkpointNow(h.id(), System.nanoTime(), System.currentTimeMillis());
                }
                commit();
                awaitCommit();
            }
        } catch (Throwable t) {
            failure = t;
            if (t instanceof ClusterWait.UnreachableException || t instanceof BrokerAwayException) {
                LOG.error("simulator stopped by an error: {}", t.getMessage()); // the message says it all
            } else {
                LOG.error("simulator stopped by an error", t);
            }
            // with the broker away the abort would wait as long again; the broker aborts the transaction after
            // transaction.timeout.ms, or the restarted instance's initTransactions() does
            if (inTransaction && !(t instanceof BrokerAwayException)) {
                try {
                    producer.abortTransaction();
                } catch (RuntimeException ignored) {
                    // fenced or closed: nothing to abort
                }
            }
        } finally {
            shutDown();
        }
    }

    /** One round of the loop: poll, apply, compute what is due, commit when due. False: woken up to stop. */
    private boolean runOnce() {
        long now = System.nanoTime();
        long untilWork = core.nanosUntilWork(now);
        long untilCommit = lastCommitNanos + config.commitIntervalMs() * 1_000_000L - now;
        long waitMs = Math.max(0, Math.min(Math.min(untilWork, untilCommit) / 1_000_000L, 100));
        if (!awaitedInputs.isEmpty()) {
            waitMs = Math.max(waitMs, Math.min(20, Math.max(0, untilCommit / 1_000_000L)));
        }
        ConsumerRecords<String, byte[]> records;
        try {
            records = consumer.poll(Duration.ofMillis(waitMs));
        } catch (WakeupException e) {
            return false;
        }
        if (!toRecover.isEmpty()) {
            recoverAssigned();
        }
        begin();
        // within a poll, records act in timestamp order (commands first on a tie), so that a CREATE
        // sent before an input is applied before it even though they sit on different topics; the backlog
        // of partitions taken over is read whole first (its control and input records may come in
        // different polls), then applied in that order
        List<ConsumerRecord<String, byte[]>> batch = new ArrayList<>(backlog);
        backlog.clear();
        records.forEach(batch::add);
        notYetLive();
        if (!awaitedInputs.isEmpty()) {
            backlog.addAll(batch);
            batch.clear();
        }
        batch.sort(byTimeCommandsFirst);
        for (ConsumerRecord<String, byte[]> r : batch) {
            core.onRecord(new Source(r.topic(), r.partition(), r.offset()), r.key(), r.value(), System.currentTimeMillis(),
                    System.nanoTime());
        }
        publishRejectedCounts();
        // compute what is due, for at most one commit interval; networks catching up after a restart are
        // recomputed a slice at a time, between commits
        long deadline = lastCommitNanos + config.commitIntervalMs() * 1_000_000L;
        while (running) {
            long t = System.nanoTime();
            Set<Integer> blocked = notYetLive();
            int work = core.doWork(t, System.currentTimeMillis(), blocked.isEmpty() ? h -> true
                    : h -> !blocked.contains(Topics.partitionOf(h.id(), controlPartitions())));
            networksHosted = core.networks().size();
            if (work == 0 || t >= deadline) {
                break;
            }
        }
        releaseCaughtUp();
        publishRejectedCounts(); // records that waited for a build are applied (or rejected) in doWork
        if (System.nanoTime() >= deadline) {
            if (config.exactlyOnce()) {
                commit();
            } else {
                commitWhenAcknowledged();
            }
        }
        if (!pendingCommits.isEmpty()) {
            commitAcknowledged();
        }
        notReady = consumer.assignment().isEmpty() ? "no partitions of control and external-input assigned yet"
                : !toRecover.isEmpty() || !heldForCatchUp.isEmpty() ? "recovering the networks of the partitions taken over"
                : null;
        return true;
    }

    /**
     * Whether the loop can go on after this error: it can when a send failed for a record of some
     * network (the broker refused it: too large for the topic, not authorized, ...); then the
     * transaction is aborted and {@link #abortAndRecover} fails that network only. A fenced producer,
     * or an error no send explains, stops the service as before.
     */
    private boolean recoverable(RuntimeException failure) {
        Throwable e = failure instanceof SimulatorOutput.PublishException ? failure.getCause() : failure;
        return config.exactlyOnce() && !sendFailures.isEmpty()
                && !(e instanceof org.apache.kafka.common.errors.ProducerFencedException)
                && !(e instanceof org.apache.kafka.common.errors.InvalidProducerEpochException)
                && !(e instanceof org.apache.kafka.common.errors.InterruptException);
    }

    /**
     * After a send failed in the open transaction: aborts it, goes back to the committed state (the
     * networks are recovered from their checkpoints and journals, the consumer from the committed
     * offsets, as after a rebalance), then fails each network whose record the broker refused, with the
     * reason. The other networks continue exactly; the refused record is never retried.
     */
    private void abortAndRecover(RuntimeException e) {
        Future<?> f = commitInFlight;
        commitInFlight = null;
        if (f != null) {
            try {
                f.get();
            } catch (Exception ignored) {
                // the failed commit: that is what is being recovered from
            }
        }
        held.clear();
        heldFrames.clear();
        transactionFrames.clear(); // aborted: those frames are computed and published again
        try {
            producer.abortTransaction();
        } catch (RuntimeException ex) {
            LOG.warn("aborting the transaction: {}", ex.toString());
        }
        inTransaction = false;
        // after the abort every record of the transaction has had its callback
        List<String[]> failed = new ArrayList<>();
        for (String[] x; (x = sendFailures.poll()) != null;) {
            failed.add(x);
        }
        LOG.error("a record could not be published ({}); transaction aborted; recovering from the committed state and "
                + "failing network(s) {}", e.toString(), failed.stream().map(x -> x[0]).distinct().toList());
        for (HostedNetwork h : new ArrayList<>(core.networks())) {
            core.release(h.id());
        }
        for (String id : new ArrayList<>(core.building())) {
            core.release(id);
        }
        Set<TopicPartition> assignment = consumer.assignment();
        Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(assignment);
        for (TopicPartition tp : assignment) {
            OffsetAndMetadata o = committed.get(tp);
            if (o != null) {
                consumer.seek(tp, o.offset());
            } else {
                consumer.seekToBeginning(List.of(tp));
            }
        }
        awaitedInputs.clear();
        backlog.clear(); // read again from the committed offsets
        hold(assignment);
        toRecover.addAll(new Rebalance().partitionNumbers(assignment));
        recoverAssigned();
        long now = System.currentTimeMillis();
        // once the transaction is in error, the producer fails the other records in flight with the same
        // error, in no set order: name every topic a network's refused records were for
        Map<String, java.util.LinkedHashSet<String>> byNetwork = new java.util.LinkedHashMap<>();
        for (String[] x : failed) {
            byNetwork.computeIfAbsent(x[0], k -> new java.util.LinkedHashSet<>()).add(x[1]);
        }
        byNetwork.forEach((network, errors) -> core.poison(network, "records it produced could not be published ("
                + String.join("; ", errors) + "); the network stops here, at its last committed tick", now));
        lastCommitNanos = System.nanoTime();
    }

    /** At least once: a record the broker refused is lost; its network fails, the others go on. */
    private void failNetworksWhoseSendsFailed() {
        long now = System.currentTimeMillis();
        for (String[] f; (f = sendFailures.poll()) != null;) {
            core.fail(f[0], "a record it produced could not be published (" + f[1] + "); the network stops here", now);
        }
    }

    /** The first record the broker did not take within delivery.timeout.ms (topic and error), noted by the callback thread. */
    private volatile String brokerAway;

    /**
     * Kafka did not answer for as long as a client waits (the producer's {@code max.block.ms} and
     * {@code delivery.timeout.ms}, the consumer's {@code default.api.timeout.ms}): the simulator stops rather than
     * fail networks that did nothing wrong, and a restart recovers each from its last checkpoint, as after a crash.
     */
    public static final class BrokerAwayException extends KafkaException {
        BrokerAwayException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private BrokerAwayException brokerAway(Throwable cause) {
        return new BrokerAwayException("Kafka did not answer in time (" + (cause != null ? cause.getMessage() : brokerAway)
                + "; the producer waits delivery.timeout.ms " + producerTimeout(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG)
                + " ms and max.block.ms " + producerTimeout(ProducerConfig.MAX_BLOCK_MS_CONFIG) + " ms): stopping; started again "
                + "once the broker is back, it recovers every network from its last checkpoint", cause);
    }

    /** The producer's own setting (the user's, else the simulator's default), as {@link #producerConfig} gives it. */
    private Object producerTimeout(String key) {
        return producerConfig(config).get(key);
    }

    /** Sends that failed, as {network id, topic and error}, noted by the producer's callback thread. */
    private final java.util.concurrent.ConcurrentLinkedQueue<String[]> sendFailures = new java.util.concurrent.ConcurrentLinkedQueue<>();

    /** The network a record belongs to: its key, without the chunk suffix of chunked topics. */
    private String networkOf(ProducerRecord<String, byte[]> record) {
        String key = record.key() == null ? "" : record.key();
        int slash = key.lastIndexOf('/');
        boolean chunked = record.topic().equals(Topics.CHECKPOINTS.name(prefix)) || record.topic().equals(Topics.TOPOLOGY.name(prefix));
        return chunked && slash > 0 ? key.substring(0, slash) : key;
    }

    private void shutDown() {
        running = false;
        notReady = "stopped";
        if (consumerMetrics != null) {
            consumerMetrics.close(); // its meters leave the registry with it (and its refresh thread stops)
            producerMetrics.close();
        }
        for (HostedNetwork h : new ArrayList<>(core.networks())) {
            core.release(h.id());
        }
        try {
            // a clean stop leaves the group, so another instance takes the partitions at once; a crash (halt)
            // stays in it, as a killed process would, until this instance comes back or the session times out
            consumer.close(org.apache.kafka.clients.consumer.CloseOptions.timeout(Duration.ofSeconds(5))
                    .withGroupMembershipOperation(halted ? org.apache.kafka.clients.consumer.CloseOptions.GroupMembershipOperation.REMAIN_IN_GROUP
                            : org.apache.kafka.clients.consumer.CloseOptions.GroupMembershipOperation.LEAVE_GROUP));
        } catch (RuntimeException e) {
            LOG.warn("closing the consumer: {}", e.toString());
        }
        try {
            producer.close(halted ? Duration.ZERO : Duration.ofSeconds(5));
        } catch (RuntimeException e) {
            LOG.warn("closing the producer: {}", e.toString());
        }
        committer.shutdownNow();
        builder.shutdownNow();
        stopped.countDown();
    }

    /** Copies the core's rejection counts for readers on other threads (JMX). */
    private void publishRejectedCounts() {
        synchronized (rejectedSnapshot) {
            rejectedSnapshot.clear();
            rejectedSnapshot.putAll(core.rejectedByReason());
        }
    }

    /**
     * The partitions whose networks may not compute live yet: those held while their networks catch up
     * after a restart, and those whose control and input partitions have not been read up to where they
     * ended when released. A network taken over resumes at the tick of its newest committed output, and
     * inputs for the ticks just after it may already wait in its partitions (sent before the hand-over,
     * or consumed by the predecessor in a transaction that was aborted). Computing before reading them
     * would apply them late; and the consumer cannot even learn where to read until the predecessor's
     * open transaction is aborted. When a partition's backlog is read, its networks re-anchor their
     * pacing at now, so the wait is not made up in a burst. Networks of other partitions go on meanwhile.
     */
    private Set<Integer> notYetLive() {
        if (heldForCatchUp.isEmpty() && awaitedInputs.isEmpty()) {
            return Set.of();
        }
        Set<Integer> blocked = new HashSet<>();
        for (TopicPartition tp : heldForCatchUp) {
            blocked.add(tp.partition());
        }
        Set<Integer> reading = new HashSet<>();
        for (var it = awaitedInputs.entrySet().iterator(); it.hasNext();) {
            Map.Entry<TopicPartition, Long> e = it.next();
            try {
                if (consumer.position(e.getKey(), Duration.ZERO) < e.getValue()) {
                    reading.add(e.getKey().partition());
                    continue;
                }
            } catch (org.apache.kafka.common.errors.TimeoutException notYetKnown) {
                reading.add(e.getKey().partition());
                continue;
            }
            it.remove();
            readPartitions.add(e.getKey().partition());
        }
        blocked.addAll(reading);
        readPartitions.removeAll(blocked);
        if (!readPartitions.isEmpty()) {
            long now = System.nanoTime();
            int n = partitionsOf(Topics.CONTROL.name(prefix));
            int live = 0;
            for (HostedNetwork h : core.networks()) {
                if (readPartitions.contains(Topics.partitionOf(h.id(), n))) {
                    core.catchUp(h.id(), h.tick(), now);
                    live++;
                }
            }
            LOG.info("partitions {} read to where they ended when taken over; {} network(s) on them compute on",
                    readPartitions, live);
            readPartitions.clear();
        }
        return blocked;
    }

    /** Records of a backlog read but not applied yet (see {@link #runOnce}): their offsets are not committed. */
    private final List<ConsumerRecord<String, byte[]>> backlog = new ArrayList<>();

    /** The offset to commit for a partition: its position, or the first record of it still in the backlog. */
    private long consumedUpTo(TopicPartition tp) {
        long upTo = consumer.position(tp);
        for (ConsumerRecord<String, byte[]> r : backlog) {
            if (r.partition() == tp.partition() && r.topic().equals(tp.topic())) {
                upTo = Math.min(upTo, r.offset());
            }
        }
        return upTo;
    }

    /** Partitions whose awaited backlog has just been read (their networks re-anchor their pacing). */
    private final Set<Integer> readPartitions = new HashSet<>();

    /**
     * The largest record the simulator may write: {@code simulator.record.max.bytes} if set, else the
     * smaller of the producer's {@code max.request.size} and the {@code max.message.bytes} of every
     * output topic (read from the cluster; the broker's default when they cannot be read), less Kafka's
     * per-record overhead.
     */
    private int recordLimit(Admin admin) {
        if (config.recordMaxBytes() != null) {
            return config.recordMaxBytes();
        }
        Object configured = config.kafkaProperties().get(ProducerConfig.MAX_REQUEST_SIZE_CONFIG);
        long limit = configured == null ? 1024 * 1024 : Long.parseLong(String.valueOf(configured));
        List<ConfigResource> resources = new ArrayList<>();
        for (Topic<?> t : List.of(Topics.SPIKES, Topics.MEMBRANE, Topics.FRAMES, Topics.JOURNAL, Topics.TOPOLOGY,
                Topics.STATUS, Topics.CHECKPOINTS, Topics.REJECTED)) {
            resources.add(new ConfigResource(ConfigResource.Type.TOPIC, t.name(prefix)));
        }
        try {
            var configs = admin.describeConfigs(resources).all().get(15, java.util.concurrent.TimeUnit.SECONDS);
            for (var e : configs.entrySet()) {
                var entry = e.getValue().get("max.message.bytes");
                if (entry != null && entry.value() != null) {
                    long topicLimit = Long.parseLong(entry.value());
                    if (topicLimit < limit) {
                        LOG.info("topic {} accepts records of at most {} bytes (max.message.bytes)", e.getKey().name(), topicLimit);
                    }
                    limit = Math.min(limit, topicLimit);
                }
            }
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            LOG.warn("could not read max.message.bytes of the output topics ({}); assuming the broker default of 1048588 bytes",
                    e.toString());
            limit = Math.min(limit, 1048588);
        }
        return (int) Math.max(4096, limit - io.neurostream.simulator.internal.InputCheck.RECORD_OVERHEAD_BYTES);
    }

    /**
     * Whether the producer's buffer is at most a quarter full: networks running as fast as possible (or
     * stepping) compute only then, so that their output, limited by nothing else, never fills the buffer
     * and blocks the loop's sends for the real-time networks.
     */
    private boolean outputHasRoom() {
        if (bufferAvailable == null) {
            for (var e : producer.metrics().entrySet()) {
                if (e.getKey().group().equals("producer-metrics")) {
                    if (e.getKey().name().equals("buffer-available-bytes")) {
                        bufferAvailable = e.getValue();
                    } else if (e.getKey().name().equals("buffer-total-bytes")) {
                        bufferTotal = e.getValue();
                    }
                }
            }
            if (bufferAvailable == null || bufferTotal == null) {
                return true;
            }
        }
        if (bytesSinceCommit >= config.unpacedMaxBytesPerCommit()) {
            return false;
        }
        double available = ((Number) bufferAvailable.metricValue()).doubleValue();
        double total = ((Number) bufferTotal.metricValue()).doubleValue();
        return available >= 0.9 * total; // at most a tenth of the buffer in flight
    }

    private long bytesSinceCommit;

    private org.apache.kafka.common.Metric bufferAvailable;
    private org.apache.kafka.common.Metric bufferTotal;

    /**
     * Whether a record fits the record limit (its key and value; Kafka's own overhead is already taken
     * off the limit). One that does not is never sent: it would put the producer's transaction in an
     * error state and stop every network. Its network fails instead, with a reason.
     */
    private boolean fits(ProducerRecord<String, byte[]> record) {
        long size = (record.key() == null ? 0 : record.key().length() * 3L) + (record.value() == null ? 0 : record.value().length);
        if (size <= core.maxRecordBytes()) {
            return true;
        }
        String network = networkOf(record);
        String why = "a " + record.topic() + " record of " + size + " bytes is larger than the largest record the simulator "
                + "writes (" + core.maxRecordBytes() + " bytes); it was not published";
        LOG.error("network {}: {}", network, why);
        core.fail(network, why, System.currentTimeMillis());
        return false;
    }

    /** Sends a record in the open transaction, or holds it for the next one while a commit is in flight. */
    private void send(ProducerRecord<String, byte[]> record) {
        if (!fits(record)) {
            return;
        }
        boolean frame = record.topic().equals(framesTopic) && !resendingHeld;
        if (config.exactlyOnce()) {
            if (commitInFlight != null && !commitInFlight.isDone()) {
                held.add(record);
                if (frame) {
                    heldFrames.add(System.nanoTime());
                }
                return;
            }
            begin();
        }
        if (frame) {
            transactionFrames.add(System.nanoTime());
        }
        try {
            sendNow(record);
        } catch (KafkaException e) {
            throw new SimulatorOutput.PublishException(e);
        }
    }

    private void sendNow(ProducerRecord<String, byte[]> record) {
        bytesSinceCommit += record.value() == null ? 0 : record.value().length;
        boolean tracked = record.topic().equals(journalTopic) || record.topic().equals(statusTopic);
        java.util.concurrent.atomic.AtomicInteger interval = config.exactlyOnce() ? null : unacknowledged;
        if (interval != null) {
            interval.incrementAndGet();
        }
        try {
            producer.send(record, (metadata, error) -> {
                if (error == null && tracked && metadata != null && metadata.hasOffset()) {
                    nextOffsets.merge(new TopicPartition(metadata.topic(), metadata.partition()), metadata.offset() + 1, Math::max);
                }
                // records of a transaction this loop aborted fail with TransactionAbortedException: not theirs to answer for
                if (error instanceof org.apache.kafka.common.errors.TimeoutException) {
                    // not this record's fault: the broker did not take it within delivery.timeout.ms
                    if (brokerAway == null) {
                        brokerAway = record.topic() + ": " + error.getMessage();
                    }
                } else if (error != null && !(error instanceof org.apache.kafka.common.errors.TransactionAbortedException)) {
                    sendFailures.add(new String[] {networkOf(record), record.topic() + ": " + error});
                }
                if (interval != null) {
                    interval.decrementAndGet(); // after the failure is noted: the loop commits past it only then
                }
            });
        } catch (RuntimeException e) {
            if (interval != null) {
                interval.decrementAndGet(); // thrown, not called back
            }
            throw e;
        }
    }

    /** Opens the next transaction (with the records held for it), unless a commit is still in flight. */
    private void begin() {
        if (!config.exactlyOnce()) {
            return;
        }
        if (commitInFlight != null) {
            if (!commitInFlight.isDone()) {
                return;
            }
            awaitCommit();
        }
        if (!inTransaction) {
            producer.beginTransaction();
            inTransaction = true;
            List<ProducerRecord<String, byte[]>> records = new ArrayList<>(held);
            held.clear();
            transactionFrames.addAll(heldFrames);
            heldFrames.clear();
            resendingHeld = true;
            try {
                records.forEach(this::send);
            } finally {
                resendingHeld = false;
            }
        }
    }

    /** While the held records are sent into a new transaction: their frames' times are moved already. */
    private boolean resendingHeld;

    /** Waits for the commit in flight, if any; its failure (e.g. the producer was fenced) is thrown here. */
    private void awaitCommit() {
        Future<?> f = commitInFlight;
        if (f == null) {
            return;
        }
        commitInFlight = null;
        try {
            f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new org.apache.kafka.common.errors.InterruptException(e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException re ? re : new KafkaException(e.getCause());
        }
    }

    /**
     * Ends the open transaction: publishes a Status of every network it advanced, and (exactly once)
     * hands the consumed offsets and the commit to the commit thread, after waiting for the previous
     * commit; {@link #awaitCommit} waits for this one.
     */
    private void commit() {
        if (config.exactlyOnce()) {
            awaitCommit(); // at most one in flight: a slow or absent broker holds the loop here
            begin();
        }
        // every transaction that advanced a network carries its Status: the newest committed Status
        // tells a successor how far the committed output reaches
        core.onCommit(System.currentTimeMillis());
        Map<TopicPartition, OffsetAndMetadata> offsets = consumedOffsets();
        if (config.exactlyOnce()) {
            ConsumerGroupMetadata group = consumer.groupMetadata();
            inTransaction = false;
            long[] frames = transactionFrames.drain();
            commitInFlight = committer.submit(() -> {
                long start = System.nanoTime();
                if (!offsets.isEmpty()) {
                    producer.sendOffsetsToTransaction(offsets, group);
                }
                producer.commitTransaction();
                committed(start, frames);
            });
        } else {
            long start = System.nanoTime();
            long[] frames = transactionFrames.drain();
            producer.flush();
            // everything sent is acknowledged now: these offsets supersede every commit still waiting
            for (PendingCommit p; (p = pendingCommits.poll()) != null;) {
                committed(p.startNanos(), p.frames());
            }
            unacknowledged = new java.util.concurrent.atomic.AtomicInteger();
            commitOffsetsSync(offsets);
            committed(start, frames);
        }
        lastCommitNanos = System.nanoTime();
        bytesSinceCommit = 0;
    }

    /**
     * Commits consumed offsets synchronously (at least once). When {@link #close} woke the consumer while the
     * loop was not in a consumer call, the wakeup throws from the next one, often this commit of the clean
     * shutdown: the wakeup is spent then, so the commit is made again rather than skipped.
     */
    private void commitOffsetsSync(Map<TopicPartition, OffsetAndMetadata> offsets) {
        try {
            consumer.commitSync(offsets);
        } catch (WakeupException e) {
            if (running) {
                throw e;
            }
            consumer.commitSync(offsets);
        }
    }

    /**
     * The offsets a commit may cover: each assigned partition's position, less the backlog not yet applied.
     * A partition whose position is not known yet (just taken over, the predecessor's transaction not yet
     * aborted) has had nothing read and is left out, instead of holding the loop for default.api.timeout.ms
     * (60 s) until the position is known; one taken over from a simulator stopped while the broker was away
     * did that, and the restarted simulator stopped with that timeout.
     */
    private Map<TopicPartition, OffsetAndMetadata> consumedOffsets() {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (TopicPartition tp : consumer.assignment()) {
            try {
                consumer.position(tp, Duration.ZERO);
            } catch (org.apache.kafka.common.errors.TimeoutException notYetKnown) {
                continue;
            }
            offsets.put(tp, new OffsetAndMetadata(consumedUpTo(tp)));
        }
        return offsets;
    }

    /**
     * At least once, the commit that falls due in the loop: instead of flushing the producer and
     * committing (which stops the loop for a produce round trip and a coordinator round trip every
     * interval), it notes the offsets consumed so far and commits them, asynchronously, once every record
     * sent before them has been acknowledged ({@link #commitAcknowledged}). The loop computes on
     * meanwhile. While {@value #MAX_PENDING_COMMITS} intervals' offsets already wait (the broker does not
     * acknowledge), it flushes and commits as before, so a broker that has gone away holds the loop instead
     * of an ever longer queue. A rebalance and shutdown commit with {@link #commit}.
     */
    private void commitWhenAcknowledged() {
        if (pendingCommits.size() >= MAX_PENDING_COMMITS) {
            meters.commitStalled();
            commit();
            return;
        }
        core.onCommit(System.currentTimeMillis());
        pendingCommits.add(new PendingCommit(consumedOffsets(), unacknowledged, System.nanoTime(), transactionFrames.drain()));
        unacknowledged = new java.util.concurrent.atomic.AtomicInteger();
        lastCommitNanos = System.nanoTime();
        bytesSinceCommit = 0;
        commitAcknowledged();
    }

    /** At least once: commits (asynchronously) the newest waiting offsets whose records, and all before them, are acknowledged. */
    private void commitAcknowledged() {
        List<PendingCommit> ready = null;
        while (!pendingCommits.isEmpty() && pendingCommits.peek().unacknowledged().get() == 0) {
            if (ready == null) {
                ready = new ArrayList<>();
            }
            ready.add(pendingCommits.poll());
        }
        if (ready == null) {
            return;
        }
        List<PendingCommit> done = ready;
        consumer.commitAsync(done.get(done.size() - 1).offsets(), (offsets, error) -> {
            if (error != null) {
                // the next commit covers these offsets too; until then a restart reads their inputs again
                LOG.warn("committing the consumed offsets failed: {}", error.toString());
                return;
            }
            for (PendingCommit p : done) {
                committed(p.startNanos(), p.frames());
            }
        });
    }

    /** At least once: the most commit intervals whose offsets may wait for their records to be acknowledged. */
    private static final int MAX_PENDING_COMMITS = 64;

    /** At least once: offsets consumed at the end of an interval, committed when the interval's sends are all acknowledged. */
    private record PendingCommit(Map<TopicPartition, OffsetAndMetadata> offsets,
            java.util.concurrent.atomic.AtomicInteger unacknowledged, long startNanos, long[] frames) {
    }

    /** At least once: the intervals whose offsets wait, oldest first (loop thread only). */
    private final java.util.ArrayDeque<PendingCommit> pendingCommits = new java.util.ArrayDeque<>();
    /** At least once: the sends of the current interval not yet called back (incremented on the loop, decremented by callbacks). */
    private java.util.concurrent.atomic.AtomicInteger unacknowledged = new java.util.concurrent.atomic.AtomicInteger();

    /** Times a commit that began at {@code startNanos} and the publish latency of the frames it made visible. */
    private void committed(long startNanos, long[] frameNanos) {
        long end = System.nanoTime();
        meters.commitDuration().record(end - startNanos, java.util.concurrent.TimeUnit.NANOSECONDS);
        io.micrometer.core.instrument.Timer latency = meters.publishLatency();
        for (long f : frameNanos) {
            latency.record(end - f, java.util.concurrent.TimeUnit.NANOSECONDS);
        }
    }

    /** A growing list of System.nanoTime values, kept between transactions without allocating per frame. */
    private static final class NanoList {
        private long[] values = new long[256];
        private int size;

        void add(long v) {
            if (size == values.length) {
                values = java.util.Arrays.copyOf(values, size * 2);
            }
            values[size++] = v;
        }

        void addAll(NanoList other) {
            for (int i = 0; i < other.size; i++) {
                add(other.values[i]);
            }
        }

        /** The values, and empties the list. */
        long[] drain() {
            long[] out = java.util.Arrays.copyOf(values, size);
            size = 0;
            return out;
        }

        void clear() {
            size = 0;
        }
    }

    // ------------------------------------------------------------------ recovery

    private int partitionsOf(String topic) {
        return producer.partitionsFor(topic).size();
    }

    private int controlPartitions() {
        return partitionsOf(Topics.CONTROL.name(prefix));
    }

    /**
     * Takes over the networks of the partitions assigned since the last round, outside any transaction
     * (the open one is committed first), however long restoring and replaying take: reads the checkpoints
     * topic of those partitions, plans what to restore ({@link RecoveryPlan}), reads the journal and the
     * status topic from where the plan's checkpoints say, and hands it all to the core. The networks then
     * catch up to their committed output a slice at a time in the loop, their partitions held meanwhile.
     */
    private void recoverAssigned() {
        List<Integer> partitions = new ArrayList<>(toRecover);
        toRecover.clear();
        if (inTransaction) {
            commit();
        }
        awaitCommit();
        long start = System.nanoTime();
        // the catalog keeps no data: superseded checkpoints not yet compacted away cost reading, not memory
        CheckpointCatalog catalog = new CheckpointCatalog();
        String checkpointsTopic = Topics.CHECKPOINTS.name(prefix);
        long checkpoints = read(checkpointsTopic, fromStart(partitions), r -> catalog.accept(r.partition(), r.offset(), r.key(),
                r.value()));
        RecoveryPlan plan;
        List<Logged> journal;
        List<Logged> statuses;
        // the chunks of the checkpoints restored are read as each network is restored, one at a time
        try (KafkaConsumer<String, byte[]> chunks = reader()) {
            plan = RecoveryPlan.of(catalog, (partition, offset) -> valueAt(chunks, checkpointsTopic, partition, offset));
            journal = read(Topics.JOURNAL.name(prefix), plan.journalFrom());
            statuses = read(Topics.STATUS.name(prefix), plan.statusFrom());
            for (String topic : List.of(Topics.JOURNAL.name(prefix), Topics.STATUS.name(prefix))) {
                endOffsets(topic, partitions).forEach((tp, end) -> nextOffsets.merge(tp, end, Math::max));
            }
            core.recover(plan, journal, statuses, System.currentTimeMillis(), System.nanoTime());
        }
        LOG.info("took over partitions {} in {} ms: {} network(s) to recover; read {} checkpoint, {} journal and {} status "
                + "records", partitions, (System.nanoTime() - start) / 1_000_000L, plan.networks().size(), checkpoints,
                journal.size(), statuses.size());
        lastCommitNanos = System.nanoTime();
    }

    private static Map<Integer, Long> fromStart(Collection<Integer> partitions) {
        Map<Integer, Long> from = new TreeMap<>();
        partitions.forEach(p -> from.put(p, 0L));
        return from;
    }

    /** Holds assigned partitions (no records are read from them) until their networks have caught up. */
    private void hold(Collection<TopicPartition> partitions) {
        consumer.pause(partitions);
        heldForCatchUp.addAll(partitions);
    }

    /**
     * Releases the held partitions none of whose networks is still catching up; their input backlog is then
     * read before any network computes on (see {@link #notYetLive}).
     */
    private void releaseCaughtUp() {
        if (heldForCatchUp.isEmpty()) {
            return;
        }
        Set<Integer> busy = new HashSet<>();
        int n = partitionsOf(Topics.CONTROL.name(prefix));
        for (String id : core.catchingUp()) {
            busy.add(Topics.partitionOf(id, n));
        }
        List<TopicPartition> ready = new ArrayList<>();
        for (TopicPartition tp : heldForCatchUp) {
            if (!busy.contains(tp.partition())) {
                ready.add(tp);
            }
        }
        if (!ready.isEmpty()) {
            heldForCatchUp.removeAll(ready);
            awaitedInputs.putAll(consumer.endOffsets(ready));
            consumer.resume(ready);
        }
    }

    /** Every committed record of some partitions of a topic from the given offsets on, in offset order per partition. */
    private List<Logged> read(String topic, Map<Integer, Long> from) {
        List<Logged> out = new ArrayList<>();
        read(topic, from, out::add);
        return out;
    }

    /** The value of the record at one offset (the chunk of a checkpoint to restore). */
    private static byte[] valueAt(KafkaConsumer<String, byte[]> reader, String topic, int partition, long offset) {
        TopicPartition tp = new TopicPartition(topic, partition);
        reader.assign(List.of(tp));
        reader.seek(tp, offset);
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            for (ConsumerRecord<String, byte[]> r : reader.poll(Duration.ofMillis(200))) {
                if (r.offset() == offset) {
                    return r.value();
                }
                if (r.offset() > offset) {
                    throw new IllegalStateException(topic + "-" + partition + "@" + offset + " is gone (compacted while read)");
                }
            }
        }
        throw new IllegalStateException("could not read " + topic + "-" + partition + "@" + offset + " within 60 s");
    }

    /** Hands every committed record of some partitions of a topic from the given offsets on to {@code each}; returns how many. */
    private long read(String topic, Map<Integer, Long> from, java.util.function.Consumer<Logged> each) {
        long n = 0;
        if (from.isEmpty()) {
            return n;
        }
        try (KafkaConsumer<String, byte[]> reader = reader()) {
            List<TopicPartition> tps = new ArrayList<>();
            for (int p : from.keySet()) {
                tps.add(new TopicPartition(topic, p));
            }
            reader.assign(tps);
            for (TopicPartition tp : tps) {
                reader.seek(tp, from.get(tp.partition()));
            }
            Map<TopicPartition, Long> end = reader.endOffsets(tps);
            long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
            while (!caughtUp(reader, end)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("could not read " + topic + " to its end within 120 s");
                }
                for (ConsumerRecord<String, byte[]> r : reader.poll(Duration.ofMillis(200))) {
                    each.accept(new Logged(r.partition(), r.offset(), r.timestamp(), r.key(), r.value()));
                    n++;
                }
            }
        }
        return n;
    }

    private Map<TopicPartition, Long> endOffsets(String topic, Collection<Integer> partitions) {
        try (KafkaConsumer<String, byte[]> reader = reader()) {
            List<TopicPartition> tps = new ArrayList<>();
            for (int p : partitions) {
                tps.add(new TopicPartition(topic, p));
            }
            return reader.endOffsets(tps);
        }
    }

    /** A consumer without a group that reads committed records only (recovery reads the simulator's own topics). */
    private KafkaConsumer<String, byte[]> reader() {
        Map<String, Object> props = new HashMap<>(config.kafkaProperties());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        // an offset a checkpoint names may lie before what retention kept, or past the end of a re-created topic
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        props.remove(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG);
        return new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
    }

    private static boolean caughtUp(KafkaConsumer<?, ?> reader, Map<TopicPartition, Long> end) {
        for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
            if (reader.position(e.getKey()) < e.getValue()) {
                return false;
            }
        }
        return true;
    }

    private final class Rebalance implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            awaitedInputs.keySet().removeAll(partitions);
            heldForCatchUp.removeAll(partitions);
            toRecover.removeAll(partitionNumbers(partitions));
            backlog.removeIf(r -> partitions.contains(new TopicPartition(r.topic(), r.partition())));
            if (partitions.isEmpty() || !running) {
                return;
            }
            Set<Integer> lost = partitionNumbers(partitions);
            begin();
            for (HostedNetwork h : new ArrayList<>(core.networks())) {
                int p = Topics.partitionOf(h.id(), partitionsOf(Topics.CONTROL.name(prefix)));
                if (lost.contains(p)) {
                    core.checkpointNow(h.id(), System.nanoTime(), System.currentTimeMillis());
                }
            }
            commit();
            awaitCommit(); // the successor must find the checkpoints and offsets committed
            for (HostedNetwork h : new ArrayList<>(core.networks())) {
                int p = Topics.partitionOf(h.id(), partitionsOf(Topics.CONTROL.name(prefix)));
                if (lost.contains(p)) {
                    core.release(h.id());
                    LOG.info("network {} handed over (partition {} revoked)", h.id(), p);
                }
            }
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            if (partitions.isEmpty()) {
                return;
            }
            // recovered in the loop, outside any transaction (see recoverAssigned); no record of these partitions
            // is read until their networks have caught up
            toRecover.addAll(partitionNumbers(partitions));
            hold(partitions);
        }

        Set<Integer> partitionNumbers(Collection<TopicPartition> partitions) {
            Set<Integer> s = new HashSet<>();
            for (TopicPartition tp : partitions) {
                if (tp.topic().equals(Topics.CONTROL.name(prefix))) {
                    s.add(tp.partition());
                }
            }
            return s;
        }
    }

    // ------------------------------------------------------------------ output

    private final class KafkaOutput implements SimulatorOutput {
        private <V extends SpecificRecord> void send(Topic<V> topic, String key, V value, long ts) {
            SimulatorService.this.send(new ProducerRecord<>(topic.name(prefix), null, ts, key, topic.valueSerde().encode(value)));
        }

        /** Chunked compacted topics key by id/chunk but keep every chunk on the network's partition. */
        private <V extends SpecificRecord> void sendChunk(Topic<V> topic, String networkId, int chunk, V value, long ts) {
            String name = topic.name(prefix);
            int partition = Topics.partitionOf(networkId, partitionsOf(name));
            SimulatorService.this.send(new ProducerRecord<>(name, partition, ts, Topics.chunkKey(networkId, chunk),
                    topic.valueSerde().encode(value)));
        }

        @Override
        public void spikes(String networkId, SpikeBatch batch, long timestampMs) {
            send(Topics.SPIKES, networkId, batch, timestampMs);
        }

        @Override
        public void frame(String networkId, Frame frame, long timestampMs) {
            send(Topics.FRAMES, networkId, frame, timestampMs);
        }

        @Override
        public void membrane(String networkId, MembraneSample sample, long timestampMs) {
            send(Topics.MEMBRANE, networkId, sample, timestampMs);
        }

        @Override
        public void journal(String networkId, AppliedInput applied, long timestampMs) {
            send(Topics.JOURNAL, networkId, applied, timestampMs);
        }

        @Override
        public void topology(String networkId, Topology chunk, long timestampMs) {
            sendChunk(Topics.TOPOLOGY, networkId, chunk.getChunk(), chunk, timestampMs);
        }

        @Override
        public void status(String networkId, Status status, long timestampMs) {
            send(Topics.STATUS, networkId, status, timestampMs);
        }

        @Override
        public void rejected(String key, Rejected rejected, long timestampMs) {
            send(Topics.REJECTED, key, rejected, timestampMs);
        }

        @Override
        public void checkpoint(String networkId, Checkpoint chunk, long timestampMs) {
            sendChunk(Topics.CHECKPOINTS, networkId, chunk.getChunk(), chunk, timestampMs);
        }

        @Override
        public void retireCheckpoint(String networkId, int chunk, long timestampMs) {
            String name = Topics.CHECKPOINTS.name(prefix);
            SimulatorService.this.send(new ProducerRecord<String, byte[]>(name, Topics.partitionOf(networkId, partitionsOf(name)),
                    (Long) timestampMs, Topics.chunkKey(networkId, chunk), (byte[]) null));
        }

        @Override
        public long nextOffsetAtLeast(Topic<?> topic, String networkId) {
            String name = topic.name(prefix);
            return nextOffsets.getOrDefault(new TopicPartition(name, Topics.partitionOf(networkId, partitionsOf(name))), 0L);
        }
    }
}
