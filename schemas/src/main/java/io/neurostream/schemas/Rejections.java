package io.neurostream.schemas;

import io.neurostream.schemas.avro.Rejected;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.errors.RecordDeserializationException;

/**
 * Builds {@link Rejected} records the way Rejected.avsc documents them: the key as UTF-8 text of at most
 * {@value #MAX_KEY_CHARS} characters, the first {@value #MAX_RAW_BYTES} bytes of the value, its full
 * size, and the network id taken from the key (records are keyed by network id).
 *
 * <pre>{@code
 * try {
 *     records = consumer.poll(timeout);                          // value deserializer: an AvroSerde
 * } catch (RecordDeserializationException e) {
 *     producer.send(new ProducerRecord<>(Topics.REJECTED.name(prefix), networkIdOrNull,
 *             Rejections.of(e, System.currentTimeMillis())));
 *     consumer.seek(e.topicPartition(), e.offset() + 1);         // and go on
 * }
 * }</pre>
 */
public final class Rejections {

    /** The most bytes of a bad value kept in {@code raw}. */
    public static final int MAX_RAW_BYTES = 1024;
    /** The most characters of a bad record's key kept in {@code key}. */
    public static final int MAX_KEY_CHARS = 256;

    private Rejections() {
    }

    /** A rejection of a record Kafka could not deserialize; the reason code is the BadRecordException's if it was one. */
    public static Rejected of(RecordDeserializationException e, long atMs) {
        Throwable cause = e.getCause();
        String code = cause instanceof BadRecordException b ? b.reason().name() : "UNDESERIALIZABLE";
        String reason = cause != null && cause.getMessage() != null ? cause.getMessage() : String.valueOf(e.getMessage());
        return of(e.topicPartition().topic(), e.topicPartition().partition(), e.offset(), bytes(e.keyBuffer()),
                bytes(e.valueBuffer()), null, code, reason, atMs);
    }

    /** A rejection of a raw record whose value did not decode. */
    public static Rejected of(ConsumerRecord<byte[], byte[]> record, BadRecordException e, long atMs) {
        return of(record.topic(), record.partition(), record.offset(), record.key(), record.value(), null,
                e.reason().name(), e.getMessage(), atMs);
    }

    /**
     * A rejection of any record.
     *
     * @param networkId the network, if known better than from the key (else null: the key is used)
     * @param reasonCode a {@link BadRecordException.Reason} name or a simulator code such as UNKNOWN_NETWORK
     */
    public static Rejected of(String topic, int partition, long offset, byte[] key, byte[] value, String networkId,
            String reasonCode, String reason, long atMs) {
        String keyText = key == null ? null : new String(key, StandardCharsets.UTF_8);
        if (keyText != null && keyText.length() > MAX_KEY_CHARS) {
            keyText = keyText.substring(0, MAX_KEY_CHARS);
        }
        String network = networkId != null ? networkId : keyText == null || keyText.isEmpty() ? null : keyText;
        byte[] raw = value == null ? new byte[0] : Arrays.copyOf(value, Math.min(value.length, MAX_RAW_BYTES));
        return Rejected.newBuilder()
                .setSourceTopic(topic).setSourcePartition(partition).setSourceOffset(offset)
                .setKey(keyText).setNetworkId(network)
                .setReasonCode(reasonCode).setReason(reason)
                .setRaw(ByteBuffer.wrap(raw)).setRawSize(value == null ? -1 : value.length)
                .setAtMs(atMs)
                .build();
    }

    private static byte[] bytes(ByteBuffer b) {
        if (b == null) {
            return null;
        }
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }
}
