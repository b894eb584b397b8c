package io.neurostream.ingest.sense;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Sensor records of your own on a Kafka topic of your own (the IoT case), one sample per record: the
 * record's value is JSON, and {@code pointer} (RFC 6901, e.g. {@code /values} or {@code /sensor/grid})
 * points at its numbers, either flat ({@code rows x cols} numbers, row-major: entry {@code k} on
 * {@code [k / cols][k % cols]}) or nested ({@code rows} arrays of {@code cols} numbers, outer index x).
 * Values are taken as they are.
 *
 * <p>The topic is read without a consumer group (every partition assigned, no offsets committed), from
 * its end (records written from now on) or from its beginning, in arrival order per partition. A record
 * that does not fit — not JSON, nothing at the pointer, the wrong count or shape, a value that is not
 * a finite number — is reported as one line naming topic, partition, offset and what is wrong, skipped
 * and counted ({@link #skipped()}).
 */
public final class KafkaJsonSource implements Source {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration POLL = Duration.ofMillis(200);

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final String topic;
    private final JsonPointer pointer;
    private final int rows;
    private final int cols;
    private final double rateHz;
    private final Consumer<String> warn;
    private final Deque<ConsumerRecord<byte[], byte[]>> buffered = new ArrayDeque<>();
    private volatile boolean closed;
    private long index;
    private long skipped;

    /**
     * @param kafkaSettings  Kafka consumer settings (at least {@code bootstrap.servers})
     * @param pointer        where the values are in each record, RFC 6901 ({@code ""} = the whole value)
     * @param fromBeginning  read what the topic already holds first, else only records written from now on
     * @param warn           where a skipped record's line goes
     * @throws IllegalArgumentException if the pointer is not a JSON pointer or the topic does not exist
     */
    public KafkaJsonSource(Map<String, ?> kafkaSettings, String topic, String pointer, int rows, int cols, double rateHz,
            boolean fromBeginning, Consumer<String> warn) {
        if (rows < 1 || cols < 1) {
            throw new IllegalArgumentException("the shape must be at least 1x1, got " + rows + "x" + cols);
        }
        this.pointer = JsonPointer.compile(pointer);
        this.topic = topic;
        this.rows = rows;
        this.cols = cols;
        this.rateHz = rateHz;
        this.warn = warn;
        Map<String, Object> s = new HashMap<>(kafkaSettings);
        s.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        s.remove(ConsumerConfig.GROUP_ID_CONFIG);
        this.consumer = new KafkaConsumer<>(s, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        try {
            List<PartitionInfo> parts = consumer.partitionsFor(topic, Duration.ofSeconds(30));
            if (parts == null || parts.isEmpty()) {
                throw new IllegalArgumentException("topic '" + topic + "' does not exist");
            }
            List<TopicPartition> tps = new ArrayList<>();
            parts.forEach(p -> tps.add(new TopicPartition(topic, p.partition())));
            consumer.assign(tps);
            if (fromBeginning) {
                consumer.seekToBeginning(tps);
            } else {
                consumer.seekToEnd(tps);
                tps.forEach(consumer::position); // fix "now" before anything is written
            }
        } catch (RuntimeException e) {
            consumer.close();
            throw e;
        }
    }

    @Override
    public double rateHz() {
        return rateHz;
    }

    /** The next good record's sample; blocks until one comes; null once {@link #close()} was called. */
    @Override
    public Sample next() throws IOException {
        while (!closed) {
            if (buffered.isEmpty()) {
                try {
                    consumer.poll(POLL).forEach(buffered::add);
                } catch (org.apache.kafka.common.errors.WakeupException e) {
                    return null;
                }
                continue;
            }
            ConsumerRecord<byte[], byte[]> r = buffered.poll();
            float[][] m;
            try {
                m = values(r);
            } catch (BadSampleException e) {
                skipped++;
                warn.accept(topic + "/" + r.partition() + "@" + r.offset() + ": " + e.getMessage() + "; skipped");
                continue;
            }
            long k = index++;
            return new Sample(k, k / rateHz, m);
        }
        return null;
    }

    /** The matrix of one record, or a {@link BadSampleException} saying what is wrong (without where). */
    float[][] values(ConsumerRecord<byte[], byte[]> r) {
        if (r.value() == null) {
            throw new BadSampleException("no value (a tombstone)");
        }
        JsonNode doc;
        try {
            doc = JSON.readTree(r.value());
        } catch (IOException e) {
            throw new BadSampleException("not JSON (" + e.getMessage().lines().findFirst().orElse("") + ")");
        }
        return fromJson(doc, pointer, rows, cols);
    }

    /** The {@code rows x cols} matrix at {@code pointer} in {@code doc}, flat or nested. */
    public static float[][] fromJson(JsonNode doc, JsonPointer pointer, int rows, int cols) {
        JsonNode v = doc == null ? null : doc.at(pointer);
        if (v == null || v.isMissingNode()) {
            throw new BadSampleException("nothing at " + (pointer.toString().isEmpty() ? "the root" : pointer));
        }
        if (!v.isArray()) {
            throw new BadSampleException(pointer + " is " + v.getNodeType().toString().toLowerCase(java.util.Locale.ROOT)
                    + ", not an array");
        }
        float[][] m = new float[rows][cols];
        if (v.size() > 0 && v.get(0).isArray()) {
            if (v.size() != rows) {
                throw new BadSampleException(pointer + " has " + v.size() + " rows, the shape " + rows + "x" + cols + " needs "
                        + rows);
            }
            for (int i = 0; i < rows; i++) {
                JsonNode row = v.get(i);
                if (!row.isArray() || row.size() != cols) {
                    throw new BadSampleException(pointer + "/" + i + " has " + (row.isArray() ? row.size() : 0)
                            + " values, the shape " + rows + "x" + cols + " needs " + cols);
                }
                for (int j = 0; j < cols; j++) {
                    m[i][j] = number(row.get(j), pointer + "/" + i + "/" + j);
                }
            }
            return m;
        }
        if (v.size() != rows * cols) {
            throw new BadSampleException(pointer + " has " + v.size() + " values, the shape " + rows + "x" + cols + " needs "
                    + rows * cols);
        }
        for (int k = 0; k < v.size(); k++) {
            m[k / cols][k % cols] = number(v.get(k), pointer + "/" + k);
        }
        return m;
    }

    private static float number(JsonNode v, String at) {
        if (!v.isNumber() || !Float.isFinite((float) v.asDouble())) {
            throw new BadSampleException(at + " is " + v + ", not a finite number");
        }
        return (float) v.asDouble();
    }

    @Override
    public long skipped() {
        return skipped;
    }

    @Override
    public String describe() {
        return "kafka:" + topic + " (" + pointer + " as " + rows + "x" + cols + ")";
    }

    /** Stops a {@link #next()} waiting in another thread, then (from the reading thread) releases the consumer. */
    public void stop() {
        closed = true;
        consumer.wakeup();
    }

    @Override
    public void close() {
        closed = true;
        consumer.close();
    }
}
