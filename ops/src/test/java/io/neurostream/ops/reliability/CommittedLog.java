package io.neurostream.ops.reliability;

import io.neurostream.schemas.BadRecordException;
import io.neurostream.schemas.Topic;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * What a {@code read_committed} reader sees of some topics, from their beginning, recorded as it arrives
 * with the wall-clock time of its arrival (so recovery times can be measured from the outside: from a
 * kill to the first committed record of a successor). One thread, one consumer with no group (assigned
 * every partition), so it never rebalances and outlives broker restarts.
 */
final class CommittedLog implements AutoCloseable {
    /** One committed record as read. */
    record Entry<V>(int partition, long offset, String key, long timestamp, V value, long arrivalNanos) {
    }

    private final String prefix;
    private final List<Topic<?>> topics;
    private final KafkaConsumer<String, byte[]> consumer;
    private final Map<String, List<Entry<?>>> seen = new HashMap<>();
    private final Thread thread;
    private volatile boolean running = true;
    private volatile Throwable failure;

    CommittedLog(Map<String, Object> clientConfig, String prefix, List<Topic<?>> topics) {
        this.prefix = prefix;
        this.topics = List.copyOf(topics);
        Map<String, Object> p = new HashMap<>(clientConfig);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "committed-log-" + prefix);
        p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 4 * 1024 * 1024);
        this.consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> tps = new ArrayList<>();
        for (Topic<?> t : topics) {
            seen.put(t.baseName(), new ArrayList<>());
            for (PartitionInfo pi : consumer.partitionsFor(t.name(prefix), Duration.ofSeconds(30))) {
                tps.add(new TopicPartition(pi.topic(), pi.partition()));
            }
        }
        consumer.assign(tps);
        consumer.seekToBeginning(tps);
        this.thread = new Thread(this::run, "committed-log-" + prefix);
        this.thread.setDaemon(true);
        this.thread.start();
    }

    private void run() {
        Map<String, Topic<?>> byName = new HashMap<>();
        for (Topic<?> t : topics) {
            byName.put(t.name(prefix), t);
        }
        try {
            while (running) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                    long now = System.nanoTime();
                    Topic<?> t = byName.get(r.topic());
                    if (r.value() == null) {
                        continue;
                    }
                    Object v;
                    try {
                        v = t.valueSerde().decode(r.value());
                    } catch (BadRecordException e) {
                        v = e;
                    }
                    synchronized (this) {
                        seen.get(t.baseName()).add(new Entry<>(r.partition(), r.offset(), r.key(), r.timestamp(), v, now));
                    }
                }
            }
        } catch (WakeupException e) {
            // closing
        } catch (Throwable t) {
            failure = t;
        } finally {
            consumer.close(org.apache.kafka.clients.consumer.CloseOptions.timeout(Duration.ofSeconds(2)));
        }
    }

    /** Every committed record of a topic read so far, per partition in offset order. */
    @SuppressWarnings("unchecked")
    synchronized <V extends SpecificRecord> List<Entry<V>> entries(Topic<V> topic) {
        List<Entry<V>> out = new ArrayList<>();
        for (Entry<?> e : seen.get(topic.baseName())) {
            if (!(e.value() instanceof BadRecordException)) {
                out.add((Entry<V>) e);
            }
        }
        return out;
    }

    /** The committed values of a topic keyed by one network id, in offset order. */
    <V extends SpecificRecord> List<V> values(Topic<V> topic, String networkId) {
        List<V> out = new ArrayList<>();
        for (Entry<V> e : entries(topic)) {
            if (networkId.equals(e.key())) {
                out.add(e.value());
            }
        }
        return out;
    }

    /** Records of a topic that could not be decoded (there must be none). */
    synchronized long undecodable(Topic<?> topic) {
        return seen.get(topic.baseName()).stream().filter(e -> e.value() instanceof BadRecordException).count();
    }

    /** Waits until {@code condition} holds, polling every 50 ms; fails with {@code what} after {@code timeout}. */
    void await(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (failure != null) {
                throw new IllegalStateException("the committed-log reader failed", failure);
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("waited " + timeout + " for " + what);
            }
            Thread.sleep(50);
        }
    }

    /** Waits until nothing new has arrived for {@code quiet} (the writers stopped and everything is read). */
    void awaitQuiet(Duration quiet, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        long count = -1;
        long since = System.nanoTime();
        while (System.nanoTime() < deadline) {
            long now;
            synchronized (this) {
                now = seen.values().stream().mapToLong(List::size).sum();
            }
            if (now != count) {
                count = now;
                since = System.nanoTime();
            } else if (System.nanoTime() - since >= quiet.toNanos()) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("the committed topics did not go quiet within " + timeout);
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        consumer.wakeup();
        thread.join(5000);
    }
}
