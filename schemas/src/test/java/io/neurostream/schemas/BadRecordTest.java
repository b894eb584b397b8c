package io.neurostream.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import io.neurostream.schemas.BadRecordException.Reason;
import io.neurostream.schemas.avro.ExternalInput;
import io.neurostream.schemas.avro.Frame;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Random;
import java.util.Set;
import org.apache.avro.specific.SpecificRecord;
import org.apache.avro.specific.SpecificRecordBase;
import org.junit.jupiter.api.Test;

/** Undecodable bytes raise BadRecordException with the right reason, and never anything else. */
class BadRecordTest {

    private final AvroSerde<ExternalInput> inputs = AvroSerde.of(ExternalInput.class);

    private static Reason reasonOf(AvroSerde<?> serde, byte[] bytes) {
        try {
            serde.decode(bytes);
        } catch (BadRecordException e) {
            return e.reason();
        }
        return null;
    }

    @Test
    void shouldCallAValueShorterThanTheHeaderTruncated() {
        assertThat(reasonOf(inputs, new byte[0])).isEqualTo(Reason.TRUNCATED);
        assertThat(reasonOf(inputs, new byte[] {(byte) 0xC3})).isEqualTo(Reason.TRUNCATED);
        assertThat(reasonOf(inputs, new byte[] {(byte) 0xC3, 0x01, 1, 2, 3})).isEqualTo(Reason.TRUNCATED);
    }

    @Test
    void shouldCallAnythingWithoutTheMarkerABadHeader() {
        assertThat(reasonOf(inputs, "{\"network_id\":\"n\"}".getBytes(StandardCharsets.UTF_8))).isEqualTo(Reason.BAD_HEADER);
        assertThat(reasonOf(inputs, new byte[] {0x7B})).isEqualTo(Reason.BAD_HEADER);
        assertThat(reasonOf(inputs, new byte[] {(byte) 0xC3, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0})).isEqualTo(Reason.BAD_HEADER);
    }

    @Test
    void shouldCallAnUnknownFingerprintSo() {
        byte[] bytes = inputs.encode(Samples.currentInput());
        bytes[5] ^= 0x55;
        assertThatThrownBy(() -> inputs.decode(bytes))
                .isInstanceOfSatisfying(BadRecordException.class, e -> {
                    assertThat(e.reason()).isEqualTo(Reason.UNKNOWN_FINGERPRINT);
                    assertThat(e.getMessage()).contains("newer version of ExternalInput");
                });
    }

    @Test
    void shouldCallEveryCutOfAValidRecordTruncated() {
        for (Class<? extends SpecificRecordBase> type : SchemaVersions.RECORDS) {
            byte[] whole = encode(type, Samples.full(type));
            for (int n = AvroSerde.HEADER_LENGTH; n < whole.length; n++) {
                assertThat(reasonOf(AvroSerde.of(type), Arrays.copyOf(whole, n)))
                        .as("%s cut to %d of %d bytes", type.getSimpleName(), n, whole.length)
                        .isEqualTo(Reason.TRUNCATED);
            }
        }
    }

    @Test
    void shouldCallBytesLeftOverCorrupt() {
        byte[] whole = inputs.encode(Samples.currentInput());
        byte[] longer = Arrays.copyOf(whole, whole.length + 1);
        assertThatThrownBy(() -> inputs.decode(longer))
                .isInstanceOfSatisfying(BadRecordException.class, e -> {
                    assertThat(e.reason()).isEqualTo(Reason.CORRUPT);
                    assertThat(e.getMessage()).contains("1 bytes left over");
                });
    }

    @Test
    void shouldCallAnImpossibleUnionBranchCorrupt() {
        // the second field, input_id, is a union [null, string]: its branch index is the first body byte after network_id
        ExternalInput in = Samples.currentInput();
        byte[] bytes = inputs.encode(in);
        int branch = AvroSerde.HEADER_LENGTH + 1 + in.getNetworkId().length();
        assertThat(bytes[branch]).isEqualTo((byte) 2); // zig-zag 1: the string branch
        bytes[branch] = 6; // zig-zag 3: no such branch
        assertThat(reasonOf(inputs, bytes)).isEqualTo(Reason.CORRUPT);
    }

    @Test
    void shouldNotAllocateWhatAHugeLengthClaims() {
        // header of ExternalInput, then network_id claiming 2^30 bytes: more than there are
        byte[] header = Arrays.copyOf(inputs.encode(Samples.currentInput()), AvroSerde.HEADER_LENGTH);
        byte[] bytes = Arrays.copyOf(header, AvroSerde.HEADER_LENGTH + 5);
        System.arraycopy(new byte[] {(byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x08}, 0, bytes,
                AvroSerde.HEADER_LENGTH, 5); // zig-zag varint of 2^30
        assertThat(reasonOf(inputs, bytes)).isEqualTo(Reason.TRUNCATED);
        // 2^31 - 1 bytes: beyond what Avro allows at all
        System.arraycopy(new byte[] {(byte) 0xFE, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x0F}, 0, bytes,
                AvroSerde.HEADER_LENGTH, 5);
        assertThat(reasonOf(inputs, bytes)).isIn(Reason.TRUNCATED, Reason.CORRUPT);

        // the same for an array's item count: Frame.areas
        AvroSerde<Frame> frames = AvroSerde.of(Frame.class);
        byte[] frame = frames.encode((Frame) Samples.minimal(Frame.class));
        byte[] huge = Arrays.copyOf(frame, frame.length + 4);
        // the minimal frame ends with an empty array (a single 0); claim 2^27 items instead
        System.arraycopy(new byte[] {(byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x01}, 0, huge, frame.length - 1, 5);
        assertThat(reasonOf(frames, huge)).isIn(Reason.TRUNCATED, Reason.CORRUPT);
    }

    @Test
    void shouldRaiseOnlyBadRecordExceptionForRandomBytes() {
        Random random = new Random(20240601);
        for (int i = 0; i < 20_000; i++) {
            byte[] bytes = new byte[random.nextInt(64)];
            random.nextBytes(bytes);
            if (random.nextBoolean() && bytes.length >= 2) {
                bytes[0] = (byte) 0xC3;
                bytes[1] = 0x01;
            }
            decodeOrRefuse(inputs, bytes);
        }
    }

    @Test
    void shouldRaiseOnlyBadRecordExceptionForDamagedRecords() {
        Random random = new Random(42);
        for (Class<? extends SpecificRecordBase> type : SchemaVersions.RECORDS) {
            byte[] whole = encode(type, Samples.full(type));
            Set<Reason> seen = EnumSet.noneOf(Reason.class);
            for (int i = 0; i < 3_000; i++) {
                byte[] bytes = whole.clone();
                int flips = 1 + random.nextInt(4);
                for (int f = 0; f < flips; f++) {
                    int at = AvroSerde.HEADER_LENGTH + random.nextInt(bytes.length - AvroSerde.HEADER_LENGTH);
                    bytes[at] = (byte) random.nextInt(256);
                }
                Reason r = decodeOrRefuse(AvroSerde.of(type), bytes);
                if (r != null) {
                    seen.add(r);
                }
            }
            assertThat(seen).as(type.getSimpleName()).doesNotContain(Reason.BAD_HEADER, Reason.UNKNOWN_FINGERPRINT);
        }
    }

    /** Decodes, returning null, or refuses with BadRecordException, returning the reason; fails on anything else. */
    private static Reason decodeOrRefuse(AvroSerde<?> serde, byte[] bytes) {
        try {
            serde.decode(bytes);
            return null;
        } catch (BadRecordException e) {
            return e.reason();
        } catch (Throwable t) {
            fail("decoding " + Arrays.toString(bytes) + " threw " + t, t);
            return null;
        }
    }

    @SuppressWarnings("unchecked")
    private static <T extends SpecificRecord> byte[] encode(Class<T> type, Object record) {
        return AvroSerde.of(type).encode((T) record);
    }
}
