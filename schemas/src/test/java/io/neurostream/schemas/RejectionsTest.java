package io.neurostream.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import io.neurostream.schemas.avro.ExternalInput;
import io.neurostream.schemas.avro.Rejected;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordDeserializationException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

class RejectionsTest {

    @Test
    void shouldKeepTheFirstKibibyteAndTheSizeOfABadValue() {
        byte[] value = new byte[5000];
        value[0] = 0x7B;
        ConsumerRecord<byte[], byte[]> r = new ConsumerRecord<>("neurostream.external-input", 2, 77,
                "net-1".getBytes(StandardCharsets.UTF_8), value);
        BadRecordException e = catchBad(value);

        Rejected rej = Rejections.of(r, e, 123L);

        assertThat(rej.getReasonCode()).isEqualTo("BAD_HEADER");
        assertThat(rej.getRaw().remaining()).isEqualTo(1024);
        assertThat(rej.getRawSize()).isEqualTo(5000);
        assertThat(rej.getNetworkId()).isEqualTo("net-1");
        assertThat(rej.getKey()).isEqualTo("net-1");
        assertThat(rej.getSourceOffset()).isEqualTo(77);
        AvroSerde<Rejected> serde = AvroSerde.of(Rejected.class);
        assertThat(serde.decode(serde.encode(rej))).isEqualTo(rej);
    }

    @Test
    void shouldTakeTheReasonOfTheBadRecordExceptionKafkaWrapped() {
        byte[] value = {(byte) 0xC3, 0x01, 1};
        RecordDeserializationException e = new RecordDeserializationException(
                RecordDeserializationException.DeserializationExceptionOrigin.VALUE,
                new TopicPartition("t", 0), 5, 0L, TimestampType.CREATE_TIME, null, ByteBuffer.wrap(value),
                new RecordHeaders(), "boom", catchBad(value));

        Rejected rej = Rejections.of(e, 9L);

        assertThat(rej.getReasonCode()).isEqualTo("TRUNCATED");
        assertThat(rej.getKey()).isNull();
        assertThat(rej.getNetworkId()).isNull();
        assertThat(rej.getRawSize()).isEqualTo(3);
        assertThat(Optional.ofNullable(rej.getReason())).get().asString().contains("header");
    }

    private static BadRecordException catchBad(byte[] value) {
        try {
            AvroSerde.of(ExternalInput.class).decode(value);
        } catch (BadRecordException e) {
            return e;
        }
        throw new AssertionError("decoded");
    }

    @Test
    void shouldCapTheKeyNetworkIdAndReasonOfAHugeRecordSoTheRejectionStaysSmall() {
        String huge = "n".repeat(350_000);
        Rejected r = Rejections.of("t", 0, 7L, huge, new byte[2_000_000], huge, "UNKNOWN_NETWORK",
                "no network '" + huge + "' is hosted here", 1L);

        assertThat(r.getKey()).hasSize(Rejections.MAX_KEY_CHARS);
        assertThat(r.getNetworkId()).hasSize(Rejections.MAX_KEY_CHARS);
        assertThat(r.getReason()).hasSize(Rejections.MAX_REASON_CHARS).endsWith("...");
        assertThat(r.getRawSize()).isEqualTo(2_000_000);
        assertThat(AvroSerde.of(Rejected.class).encode(r).length).isLessThan(4096);
    }
}
