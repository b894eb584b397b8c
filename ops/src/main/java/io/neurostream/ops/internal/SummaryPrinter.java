package io.neurostream.ops.internal;

import io.neurostream.schemas.AvroSerde;
import io.neurostream.schemas.Topics;
import io.neurostream.schemas.avro.Alert;
import io.neurostream.schemas.avro.AlertKind;
import io.neurostream.schemas.avro.Balance;
import io.neurostream.schemas.avro.EClass;
import io.neurostream.schemas.avro.Rate;
import io.neurostream.schemas.avro.Status;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The demo's terminal view of one network: reads {@code rates}, {@code balance}, {@code alerts} and
 * {@code status} and prints, at most once per {@code interval} of wall time, a block with the newest
 * final window of every area:
 *
 * <pre>
 * t =    12.0 s   window [11.0, 12.0) s   speed 1.00x
 *   V1_like     E   14.2 Hz   I   15.0 Hz   E/I 1.32
 *   A1_like     E    5.1 Hz   I    5.6 Hz   E/I 0.70
 * </pre>
 *
 * and every alert as soon as it arrives:
 *
 * <pre>
 * ALERT RAISED  RUNAWAY  V1_like    t =     6.4 s   rate 12.01 Hz, threshold 10.00 Hz
 * ALERT CLEARED RUNAWAY  V1_like    t =     9.1 s   rate 8.08 Hz, threshold 10.00 Hz
 * </pre>
 *
 * Times are
 * simulated seconds since the run's epoch (from the network's Status). Rates: spikes per neuron per
 * second of the window; E/I: the area's balance_ratio E/max(I, 0.01) over the same window.
 *
 * <p>It starts at the end of rates, balance and alerts (news only) and reads status from the beginning
 * (compacted: the latest status per network). Undecodable records are skipped.
 */
public final class SummaryPrinter implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SummaryPrinter.class);

    private final KafkaConsumer<String, byte[]> consumer;
    private final String networkId;
    private final PrintWriter out;
    private final long intervalNanos;
    private final String ratesTopic;
    private final String balanceTopic;
    private final String alertsTopic;
    private final String statusTopic;
    private final AvroSerde<Rate> rateSerde = Topics.RATES.valueSerde();
    private final AvroSerde<Balance> balanceSerde = Topics.BALANCE.valueSerde();
    private final AvroSerde<Alert> alertSerde = Topics.ALERTS.valueSerde();
    private final AvroSerde<Status> statusSerde = Topics.STATUS.valueSerde();
    private final Thread thread;
    private volatile boolean running = true;

    /** area -> class ("E", "I") -> newest final window's rate. */
    private final Map<String, Map<String, Rate>> rates = new LinkedHashMap<>();
    private final Map<String, Balance> balances = new HashMap<>();
    private Status status;
    private long printedWindowEnd = Long.MIN_VALUE;
    private long blocks;

    /**
     * @param clientConfig Kafka settings (bootstrap servers, security); a consumer without a group is made
     * @param prefix       topic prefix
     * @param networkId    the network to show
     * @param out          where the blocks go (flushed after each)
     * @param interval     at most one block per interval
     */
    public SummaryPrinter(Map<String, Object> clientConfig, String prefix, String networkId, PrintWriter out,
            Duration interval) {
        Map<String, Object> c = new HashMap<>(clientConfig);
        c.remove(ConsumerConfig.GROUP_ID_CONFIG);
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        c.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "neurostream-demo-printer");
        this.consumer = new KafkaConsumer<>(c, new StringDeserializer(), new ByteArrayDeserializer());
        this.networkId = networkId;
        this.out = out;
        this.intervalNanos = interval.toNanos();
        this.ratesTopic = Topics.RATES.name(prefix);
        this.balanceTopic = Topics.BALANCE.name(prefix);
        this.alertsTopic = Topics.ALERTS.name(prefix);
        this.statusTopic = Topics.STATUS.name(prefix);
        this.thread = new Thread(this::loop, "neurostream-demo-printer");
    }

    /** Starts reading and printing on its own thread. */
    public void start() {
        thread.start();
    }

    /** Blocks printed so far. */
    public synchronized long blocks() {
        return blocks;
    }

    private void loop() {
        try {
            List<TopicPartition> news = partitions(ratesTopic, balanceTopic, alertsTopic);
            List<TopicPartition> state = partitions(statusTopic);
            List<TopicPartition> all = new ArrayList<>(news);
            all.addAll(state);
            consumer.assign(all);
            consumer.seekToEnd(news);
            consumer.seekToBeginning(state);
            long nextPrint = System.nanoTime() + intervalNanos;
            while (running) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (networkId.equals(r.key()) && r.value() != null) {
                        handle(r);
                    }
                }
                long now = System.nanoTime();
                if (now >= nextPrint) {
                    printBlock();
                    nextPrint = now + intervalNanos;
                }
            }
        } catch (WakeupException e) {
            // close() asked us to stop
        } catch (RuntimeException e) {
            LOG.warn("the demo's summary stopped: {}", e.toString());
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    private List<TopicPartition> partitions(String... topics) {
        List<TopicPartition> tps = new ArrayList<>();
        for (String t : topics) {
            List<PartitionInfo> infos = consumer.partitionsFor(t, Duration.ofSeconds(30));
            if (infos == null || infos.isEmpty()) {
                throw new IllegalStateException("topic " + t + " does not exist");
            }
            infos.forEach(p -> tps.add(new TopicPartition(t, p.partition())));
        }
        return tps;
    }

    private void handle(ConsumerRecord<String, byte[]> r) {
        try {
            if (r.topic().equals(ratesTopic)) {
                Rate rate = rateSerde.decode(r.value());
                if (rate.getArea() != null && rate.getEClass() != null) {
                    synchronized (this) {
                        Map<String, Rate> byClass = rates.computeIfAbsent(rate.getArea(), a -> new HashMap<>());
                        Rate old = byClass.get(rate.getEClass().name());
                        if (old == null || old.getWindowEndMs() <= rate.getWindowEndMs()) {
                            byClass.put(rate.getEClass().name(), rate);
                        }
                    }
                }
            } else if (r.topic().equals(balanceTopic)) {
                Balance b = balanceSerde.decode(r.value());
                if (b.getArea() != null) {
                    synchronized (this) {
                        Balance old = balances.get(b.getArea());
                        if (old == null || old.getWindowEndMs() <= b.getWindowEndMs()) {
                            balances.put(b.getArea(), b);
                        }
                    }
                }
            } else if (r.topic().equals(alertsTopic)) {
                printAlert(alertSerde.decode(r.value()));
            } else if (r.topic().equals(statusTopic)) {
                Status s = statusSerde.decode(r.value());
                synchronized (this) {
                    status = s;
                }
            }
        } catch (RuntimeException e) {
            LOG.debug("skipping an unreadable record at {}-{}@{}: {}", r.topic(), r.partition(), r.offset(), e.toString());
        }
    }

    private synchronized void printAlert(Alert a) {
        String unit = a.getAlert() == AlertKind.EI_RATIO ? "" : " Hz";
        out.println(String.format(Locale.ROOT, "ALERT %-7s %-8s %-10s t = %7.1f s   %s %.2f%s, threshold %.2f%s",
                a.getState(), a.getAlert(), a.getArea() == null ? "network" : a.getArea(), seconds(a.getWindowEndMs()),
                a.getAlert() == AlertKind.EI_RATIO ? "E/I" : "rate", a.getValue(), unit, a.getThreshold(), unit));
        out.flush();
    }

    /** Prints the newest windows if any is newer than the last block's. */
    synchronized void printBlock() {
        long newest = Long.MIN_VALUE;
        long start = 0;
        for (Map<String, Rate> byClass : rates.values()) {
            for (Rate r : byClass.values()) {
                if (r.getWindowEndMs() > newest) {
                    newest = r.getWindowEndMs();
                    start = r.getWindowStartMs();
                }
            }
        }
        if (newest == Long.MIN_VALUE || newest <= printedWindowEnd) {
            return;
        }
        printedWindowEnd = newest;
        blocks++;
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "t = %7.1f s   window [%.1f, %.1f) s", seconds(newest), seconds(start),
                seconds(newest)));
        if (status != null) {
            b.append("   ").append(status.getState());
            if (status.getRealtimeFactor() > 0) {
                b.append(String.format(Locale.ROOT, ", %.2fx real time", status.getRealtimeFactor()));
            }
        }
        b.append('\n');
        for (Map.Entry<String, Map<String, Rate>> e : rates.entrySet()) {
            Rate ex = e.getValue().get(EClass.E.name());
            Rate in = e.getValue().get(EClass.I.name());
            Balance bal = balances.get(e.getKey());
            b.append(String.format(Locale.ROOT, "  %-10s  E %6.1f Hz   I %6.1f Hz   E/I %s%n", e.getKey(),
                    ex == null ? Double.NaN : ex.getRateHz(), in == null ? Double.NaN : in.getRateHz(),
                    bal == null ? "  -" : String.format(Locale.ROOT, "%.2f", bal.getBalanceRatio())));
        }
        out.print(b);
        out.flush();
    }

    /** Simulated seconds of a record timestamp, from the run's epoch (0 until a Status is known). */
    private double seconds(long timestampMs) {
        long epoch = status == null ? 0 : status.getRunEpochMs();
        return (timestampMs - epoch) / 1000.0;
    }

    /** Stops reading (prints nothing more) and closes the consumer. */
    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
