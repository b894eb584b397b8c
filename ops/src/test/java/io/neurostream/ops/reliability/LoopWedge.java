package io.neurostream.ops.reliability;

import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.consumer.ConsumerInterceptor;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerInterceptor;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * A Kafka client interceptor that wedges the thread polling the first records for ever, ignoring
 * interrupts and {@code wakeup()}: given to a child simulator as {@code --property interceptor.classes=…},
 * its loop thread gets stuck as in a computation that never ends, and {@code SimulatorService.close()}
 * waits for it without a timeout. The producers get the same setting (one key for both), so it is a
 * producer interceptor too, one that changes nothing.
 */
public final class LoopWedge implements ConsumerInterceptor<Object, Object>, ProducerInterceptor<Object, Object> {
    /** Printed on the child's stderr when the loop is wedged. */
    static final String WEDGED_LINE = "loop wedged by LoopWedge";

    @Override
    public ConsumerRecords<Object, Object> onConsume(ConsumerRecords<Object, Object> records) {
        if (!records.isEmpty()) {
            System.err.println(WEDGED_LINE);
            System.err.flush();
            while (true) {
                LockSupport.park(this);
            }
        }
        return records;
    }

    @Override
    public void onCommit(Map<TopicPartition, OffsetAndMetadata> offsets) {
    }

    @Override
    public ProducerRecord<Object, Object> onSend(ProducerRecord<Object, Object> record) {
        return record;
    }

    @Override
    public void onAcknowledgement(RecordMetadata metadata, Exception exception) {
    }

    @Override
    public void close() {
    }

    @Override
    public void configure(Map<String, ?> configs) {
    }
}
