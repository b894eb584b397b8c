package io.neurostream.analytics;

import io.neurostream.analytics.internal.AlertProcessor;
import io.neurostream.analytics.internal.Codecs;
import io.neurostream.analytics.internal.FrameWindowProcessor;
import io.neurostream.analytics.internal.Names;
import io.neurostream.analytics.internal.StatusProcessor;
import io.neurostream.analytics.internal.StatusTimestampExtractor;
import io.neurostream.schemas.ClusterWait;
import io.neurostream.schemas.Topics;
import io.neurostream.schemas.avro.Alert;
import io.neurostream.schemas.avro.Balance;
import io.neurostream.schemas.avro.Rate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.AutoOffsetReset;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.errors.LogAndContinueExceptionHandler;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The analytics application: a Kafka Streams topology over topic {@code frames} that publishes final
 * firing rates ({@code rates}), E-I balance ({@code balance}) and alerts ({@code alerts}), and answers
 * interactive queries of the latest values for the dashboard.
 *
 * <pre>{@code
 * AnalyticsConfig config = new AnalyticsConfig(Map.of("bootstrap.servers", "localhost:9092"));
 * AnalyticsApp app = new AnalyticsApp(config);
 * app.start();
 * List<Rate> rates = app.latestRates("net-1");   // once a window of net-1 is final
 * app.close();                                    // leaves the group: partitions move at once
 * }</pre>
 * {@link #buildTopology} and {@link #config} build the same topology and settings without running them
 * (tests pipe frames through them with {@code TopologyTestDriver}).
 *
 * <h2>Windows</h2>
 * Hopping windows of simulated time, per network: size {@link AnalyticsConfig#WINDOW_SIZE_MS} (default
 * 1000 ms), advance {@link AnalyticsConfig#WINDOW_ADVANCE_MS} (100 ms), grace
 * {@link AnalyticsConfig#WINDOW_GRACE_MS} (200 ms), aligned to the run's simulated time 0: windows
 * {@code [k·advance, k·advance + size)} of simulated ms, k ≥ 0, so each frame counts in size/advance
 * windows and no window reaches back before the run began. Rates: spikes / (neurons × size in s), for
 * every (area, E/I class), every area (e_class null) and the whole network (area and e_class null).
 * Balance: per area and for the whole network (area null), with the seed's function
 * (e_fraction = E/(E+I), i_fraction = I/(E+I), balance_ratio = E/max(I, 0.01), all 0 when E+I ≤ 0).
 * Records are keyed by network id and time-stamped with the window's last millisecond.
 *
 * <p>CAUTION: results are published only when final, i.e. once a frame of the same network at or after
 * window end + grace has arrived (the simulator's per-frame heartbeat provides it, also when nothing fires);
 * the last windows of a network that stops publishing frames are never published. Stream time is kept per
 * network, not per partition, so networks sharing a partition never close each other's windows. A frame
 * whose every window is final is dropped and counted ({@link #lateFramesDropped()}); with the default grace
 * of 200 ms a network's frames may arrive up to 200 ms of simulated time out of order without loss. The
 * simulator writes each network's frames in order, through one idempotent or transactional producer to
 * one partition, so in normal operation nothing is late; the grace covers producers that can reorder
 * batches on retry (non-idempotent, several requests in flight) at the price of 200 ms of simulated time
 * of extra latency.
 *
 * <h2>Runs and rejected frames</h2>
 * The analytics also reads topic {@code status} (which must have the partition count of {@code frames},
 * as every topic keyed by network id) to learn each network's run: its {@code run_epoch_ms}. A frame
 * counts only if its epoch (record timestamp minus simulated time) is that run's — before any Status of
 * the network, the run of its first frame — and it starts at most
 * {@link AnalyticsConfig#FRAME_MAX_JUMP_MS} (60 s) of simulated time after the run's newest frame. Other
 * frames go to topic {@code rejected} (reason FOREIGN_RUN or FRAME_TOO_FAR_AHEAD), are counted
 * ({@link #framesRejected()}) and logged at WARN (at most once a minute per network), so one frame
 * stamped a year ahead cannot make every real frame after it late. A RESET or re-CREATE is followed: its
 * Status announces the new epoch, and that run's first frame starts new windows.
 *
 * <h2>Alerts</h2>
 * EI_RATIO (per area), RUNAWAY and SILENCE (per area and network) with hysteresis over K consecutive final
 * windows: RAISED after K windows out of band, CLEARED after K windows back in band, never raised twice
 * in a row. Bounds come from {@link AnalyticsConfig}, per network where overridden.
 */
public final class AnalyticsApp implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(AnalyticsApp.class);

    private final AnalyticsConfig analyticsConfig;
    private final KafkaStreams streams;
    private final AnalyticsQueries queries;

    /** An application without meters. */
    public AnalyticsApp(AnalyticsConfig config) {
        this(config, null);
    }

    /**
     * An application that binds Micrometer's Kafka Streams metrics ({@code kafka.stream.*}, and the
     * {@code kafka.consumer.*}, {@code kafka.producer.*} and {@code kafka.admin.*} ones of its clients) to
     * {@code registry} when it starts, tagged {@code instance} = {@code application.id}, until it is closed.
     *
     * @param registry where the meters go; null: nowhere
     */
    public AnalyticsApp(AnalyticsConfig config, io.micrometer.core.instrument.MeterRegistry registry) {
        this.analyticsConfig = config;
        this.streams = new KafkaStreams(buildTopology(config), config(config));
        this.queries = AnalyticsQueries.over(this::store);
        this.registry = registry;
    }

    private final io.micrometer.core.instrument.MeterRegistry registry;
    /** Micrometer's binder of the Streams metrics, from {@link #start} to {@link #close}. */
    private volatile io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics streamsMetrics;

    /**
     * The Kafka Streams settings: every pass-through setting, then {@code application.id},
     * {@code processing.guarantee} (exactly_once_v2 or at_least_once), {@code num.standby.replicas} from the
     * analytics keys; unless set, bad frame bytes are logged and skipped
     * ({@code deserialization.exception.handler=LogAndContinueExceptionHandler}, counted by Kafka Streams'
     * {@code dropped-records} metric), and under at_least_once the consumers still read only committed
     * frames ({@code consumer.isolation.level=read_committed}).
     */
    public static Properties config(AnalyticsConfig config) {
        Properties p = new Properties();
        p.putAll(config.streamsProperties());
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, config.applicationId());
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG,
                config.exactlyOnce() ? StreamsConfig.EXACTLY_ONCE_V2 : StreamsConfig.AT_LEAST_ONCE);
        p.put(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, config.standbyReplicas());
        if (!p.containsKey(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG)
                && !p.containsKey("default.deserialization.exception.handler")) {
            p.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG,
                    LogAndContinueExceptionHandler.class.getName());
        }
        // no global stores here; opting in now silences Kafka 4's warning and matches its 5.0 default
        p.putIfAbsent(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG, true);
        String isolation = StreamsConfig.consumerPrefix(ConsumerConfig.ISOLATION_LEVEL_CONFIG);
        if (!config.exactlyOnce() && !p.containsKey(isolation)
                && !p.containsKey(StreamsConfig.mainConsumerPrefix(ConsumerConfig.ISOLATION_LEVEL_CONFIG))) {
            p.put(isolation, "read_committed");
        }
        return p;
    }

    /**
     * The topology: {@code frames} → windows (rates, balance; rejected frames) → alerts, and {@code status}
     * → the runs the windows check frames against. Six state stores, all logged to changelog topics that
     * accept record timestamps of simulated time far ahead of the wall clock.
     */
    public static Topology buildTopology(AnalyticsConfig config) {
        String prefix = config.topicPrefix();
        long size = config.windowSizeMs();
        long advance = config.windowAdvanceMs();
        long grace = config.windowGraceMs();
        long maxJump = config.frameMaxJumpMs();
        Topology t = new Topology();
        t.addSource(Names.FRAMES_SOURCE, Topics.FRAMES.keySerde().deserializer(), Topics.FRAMES.valueSerde(),
                Topics.FRAMES.name(prefix));
        // from the earliest status always: the compacted topic holds every network's latest run
        t.addSource(AutoOffsetReset.earliest(), Names.STATUS_SOURCE, new StatusTimestampExtractor(),
                Topics.STATUS.keySerde().deserializer(), Topics.STATUS.valueSerde(), Topics.STATUS.name(prefix));
        t.addProcessor(Names.RUNS, StatusProcessor::new, Names.STATUS_SOURCE);
        t.addProcessor(Names.WINDOWS, () -> new FrameWindowProcessor(size, advance, grace, maxJump),
                Names.FRAMES_SOURCE);
        t.addProcessor(Names.ALERTS, () -> new AlertProcessor(config::alertSettings), Names.WINDOWS);
        t.addSink(Names.RATES_SINK, Topics.RATES.name(prefix), Topics.RATES.keySerde().serializer(),
                Topics.RATES.valueSerde(), Names.WINDOWS);
        t.addSink(Names.BALANCE_SINK, Topics.BALANCE.name(prefix), Topics.BALANCE.keySerde().serializer(),
                Topics.BALANCE.valueSerde(), Names.WINDOWS);
        t.addSink(Names.ALERTS_SINK, Topics.ALERTS.name(prefix), Topics.ALERTS.keySerde().serializer(),
                Topics.ALERTS.valueSerde(), Names.ALERTS);
        t.addSink(Names.REJECTED_SINK, Topics.REJECTED.name(prefix), Topics.REJECTED.keySerde().serializer(),
                Topics.REJECTED.valueSerde(), Names.WINDOWS);
        t.addStateStore(store(Names.PANES_STORE, Serdes.Bytes(), Codecs.WINDOW_SUMS), Names.WINDOWS);
        t.addStateStore(store(Names.CLOCKS_STORE, Serdes.String(), Codecs.NETWORK_CLOCK), Names.WINDOWS);
        t.addStateStore(store(Names.LATEST_RATES_STORE, Serdes.String(), Codecs.recordList(Rate.class)), Names.WINDOWS);
        t.addStateStore(store(Names.LATEST_BALANCE_STORE, Serdes.String(), Codecs.recordList(Balance.class)),
                Names.WINDOWS);
        t.addStateStore(store(Names.RUNS_STORE, Serdes.String(), Codecs.KNOWN_RUN), Names.RUNS, Names.WINDOWS);
        t.addStateStore(store(Names.ALERT_STATE_STORE, Serdes.String(), Codecs.ALERT_HYSTERESIS), Names.ALERTS);
        return t;
    }

    private static <K, V> StoreBuilder<KeyValueStore<K, V>> store(String name, Serde<K> keys, Serde<V> values) {
        // records carry simulated time, which may run hours ahead of the wall clock: since Kafka 4.0 a topic
        // refuses timestamps more than an hour ahead unless told otherwise (see Topic.configs in schemas)
        Map<String, String> changelog = Map.of(TopicConfig.MESSAGE_TIMESTAMP_AFTER_MAX_MS_CONFIG,
                Long.toString(Long.MAX_VALUE));
        return Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(name), keys, values)
                .withCachingEnabled().withLoggingEnabled(changelog);
    }

    /**
     * Starts processing (returns at once; the state goes REBALANCING, then RUNNING), and checks on a thread
     * of its own that the cluster answers within {@link ClusterWait#startWaitMs} (Kafka Streams itself waits
     * for ever, unready): {@link #startFailure} says if it did not.
     */
    public void start() {
        if (registry != null && streamsMetrics == null) {
            streamsMetrics = new io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics(streams,
                    io.micrometer.core.instrument.Tags.of("instance", analyticsConfig.applicationId()));
            streamsMetrics.bindTo(registry);
        }
        streams.start();
        Thread check = new Thread(() -> {
            try (Admin admin = Admin.create(ClusterWait.adminSettings(analyticsConfig.streamsProperties()))) {
                ClusterWait.await(admin, analyticsConfig.streamsProperties(), ClusterWait.startWaitMs(analyticsConfig.streamsProperties()),
                        () -> !closing);
            } catch (ClusterWait.UnreachableException e) {
                LOG.error("the analytics cannot start: {}", e.getMessage());
                startFailure = e;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "neurostream-analytics-cluster-check");
        check.setDaemon(true);
        check.start();
    }

    private volatile boolean closing;
    private volatile ClusterWait.UnreachableException startFailure;

    /** Why the analytics cannot work: no broker answered at start within the wait, or the cluster refused it; else null. */
    public ClusterWait.UnreachableException startFailure() {
        return startFailure;
    }

    /** Closes, leaving the consumer group so the partitions move to other instances at once; waits up to 30 s. */
    @Override
    public void close() {
        close(Duration.ofSeconds(30));
    }

    /** Closes, leaving the consumer group; returns whether it finished within the timeout. */
    public boolean close(Duration timeout) {
        closing = true;
        boolean closed = streams.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
                .withTimeout(timeout));
        io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics m = streamsMetrics;
        if (m != null) {
            m.close(); // its meters leave the registry with it
            streamsMetrics = null;
        }
        return closed;
    }

    /** The Kafka Streams instance (state listeners, metrics). */
    public KafkaStreams streams() {
        return streams;
    }

    public AnalyticsConfig analyticsConfig() {
        return analyticsConfig;
    }

    public KafkaStreams.State state() {
        return streams.state();
    }

    /**
     * {@link AnalyticsQueries#latestRates}: the rates of the network's latest final window hosted here.
     *
     * @throws InvalidStateStoreException while the stores are not queryable (starting, rebalancing): retry
     */
    public List<Rate> latestRates(String networkId) {
        return queries.latestRates(networkId);
    }

    /**
     * {@link AnalyticsQueries#latestBalance}: the balances of the network's latest final window hosted here.
     *
     * @throws InvalidStateStoreException while the stores are not queryable (starting, rebalancing): retry
     */
    public List<Balance> latestBalance(String networkId) {
        return queries.latestBalance(networkId);
    }

    /**
     * {@link AnalyticsQueries#openAlerts}: the RAISED records of the network's alerts not yet cleared.
     *
     * @throws InvalidStateStoreException while the stores are not queryable (starting, rebalancing): retry
     */
    public List<Alert> openAlerts(String networkId) {
        return queries.openAlerts(networkId);
    }

    /**
     * The instance hosting a network's state: the {@code application.server} (host:port) of that instance,
     * where the dashboard can ask. Empty when {@code application.server} is not set (Kafka Streams then
     * keeps no metadata) and while unknown (rebalancing).
     */
    public Optional<HostInfo> hostOf(String networkId) {
        KeyQueryMetadata m = streams.queryMetadataForKey(Names.LATEST_RATES_STORE, networkId,
                Serdes.String().serializer());
        return m == null || m == KeyQueryMetadata.NOT_AVAILABLE ? Optional.empty() : Optional.of(m.activeHost());
    }

    /** Frames dropped because every window covering them was already final (all threads of this instance). */
    public long lateFramesDropped() {
        return lateFramesDropped(streams.metrics());
    }

    /** Frames skipped as invalid (null, negative counts, non-finite inputs); bad bytes count in dropped-records. */
    public long invalidFramesSkipped() {
        return invalidFramesSkipped(streams.metrics());
    }

    /**
     * Frames not counted because they belong to another run than their network's or jump too far ahead of
     * it, each sent to topic {@code rejected} (all threads of this instance).
     */
    public long framesRejected() {
        return framesRejected(streams.metrics());
    }

    /** {@link #framesRejected()} from a metrics map. */
    public static long framesRejected(Map<MetricName, ? extends Metric> metrics) {
        return total(metrics, Names.REJECTED_FRAMES);
    }

    /** {@link #lateFramesDropped()} from a metrics map (e.g. {@code TopologyTestDriver.metrics()}). */
    public static long lateFramesDropped(Map<MetricName, ? extends Metric> metrics) {
        return total(metrics, Names.LATE_FRAMES);
    }

    /** {@link #invalidFramesSkipped()} from a metrics map. */
    public static long invalidFramesSkipped(Map<MetricName, ? extends Metric> metrics) {
        return total(metrics, Names.INVALID_FRAMES);
    }

    private static long total(Map<MetricName, ? extends Metric> metrics, String operation) {
        double sum = 0;
        for (Map.Entry<MetricName, ? extends Metric> e : metrics.entrySet()) {
            if (e.getKey().group().equals(Names.METRICS_GROUP) && e.getKey().name().equals(operation + "-total")) {
                sum += ((Number) e.getValue().metricValue()).doubleValue();
            }
        }
        return Math.round(sum);
    }

    private <K, V> ReadOnlyKeyValueStore<K, V> store(String name) {
        return streams.store(StoreQueryParameters.fromNameAndType(name, QueryableStoreTypes.<K, V>keyValueStore()));
    }
}
