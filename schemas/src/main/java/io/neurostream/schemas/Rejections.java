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
    /** The most characters of a bad record's key kept in {@code key}, and of the network id kept in {@code network_id}. */
    public static final int MAX_KEY_CHARS = 256;
    /** The most characters of the reason kept in {@code reason}; a longer one is cut and ends with "...". */
    public static final int MAX_REASON_CHARS = 2048;

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
        return of(topic, partition, offset, key == null ? null : new String(key, StandardCharsets.UTF_8), value, networkId,
                reasonCode, reason, atMs);
    }

    /**
     * A rejection of any record whose key is already text (a Kafka string key). Whatever it echoes is
     * capped, so a rejection is always a small record however large the bad one was: key and network id
     * at {@value #MAX_KEY_CHARS} characters, reason at {@value #MAX_REASON_CHARS}, raw at
     * {@value #MAX_RAW_BYTES} bytes.
     */
    public static Rejected of(String topic, int partition, long offset, String key, byte[] value, String networkId,
            String reasonCode, String reason, long atMs) {
        String keyText = cap(key, MAX_KEY_CHARS);
        String network = networkId != null ? cap(networkId, MAX_KEY_CHARS)
                : keyText == null || keyText.isEmpty() ? null : keyText;
        byte[] raw = value == null ? new byte[0] : Arrays.copyOf(value, Math.min(value.length, MAX_RAW_BYTES));
        return Rejected.newBuilder()
                .setSourceTopic(topic).setSourcePartition(partition).setSourceOffset(offset)
                .setKey(keyText).setNetworkId(network)
                .setReasonCode(cap(reasonCode, MAX_KEY_CHARS)).setReason(capReason(reason))
                .setRaw(ByteBuffer.wrap(raw)).setRawSize(value == null ? -1 : value.length)
                .setAtMs(atMs)
                .build();
    }

    /** {@code text} cut to at most {@code max} characters (never splitting a surrogate pair); null stays null. */
    public static String cap(String text, int max) {
        if (text == null || text.length() <= max) {
            return text;
        }
        int end = Character.isHighSurrogate(text.charAt(max - 1)) ? max - 1 : max;
        return text.substring(0, end);
    }

    private static String capReason(String reason) {
        String r = reason == null ? "" : reason;
        return r.length() <= MAX_REASON_CHARS ? r : cap(r, MAX_REASON_CHARS - 3) + "...";
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
