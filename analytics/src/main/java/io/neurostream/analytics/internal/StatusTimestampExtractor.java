package io.neurostream.analytics.internal;

import io.neurostream.schemas.avro.Status;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.processor.TimestampExtractor;

/**
 * Orders a {@code Status} before every frame of the run it announces: its timestamp for processing is
 * {@code run_epoch_ms - 1}, where its record timestamp is the simulator's wall clock when it was
 * written, which lies up to a second after the run's first frames (record timestamp
 * {@code run_epoch_ms + simulated ms}, from {@code run_epoch_ms} on). Kafka Streams hands a task's
 * records over in timestamp order across its partitions (status and frames of a network share the
 * partition number), so after a RESET the new run's Status is processed before the new run's frames,
 * which are then accepted, and not rejected as frames of an unknown run. A record that is not a Status
 * (a tombstone) keeps its own timestamp.
 */
public final class StatusTimestampExtractor implements TimestampExtractor {
    @Override
    public long extract(ConsumerRecord<Object, Object> record, long partitionTime) {
        if (record.value() instanceof Status s && s.getRunEpochMs() > 0) {
            return s.getRunEpochMs() - 1;
        }
        return Math.max(0L, record.timestamp());
    }
}
