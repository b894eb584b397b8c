package io.neurostream.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import io.neurostream.schemas.BadRecordException.Reason;
import io.neurostream.schemas.avro.ExternalInput;
import io.neurostream.schemas.avro.Frame;
import io.neurostream.schemas.avro.MembraneSample;
import io.neurostream.schemas.avro.SpikeBatch;
import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;

/**
 * A few bytes that declare a huge string, bytes field or array are refused without the reader
 * allocating what they declare: the thread allocates well under {@link #MAX_ALLOCATED_BYTES} while
 * decoding them, measured with the JVM's per-thread allocation counter.
 */
class HostileLengthTest {

    /** Largest length Avro accepts at all for a string, bytes or collection (its VM array limit). */
    private static final long AVRO_MAX_LENGTH = Integer.MAX_VALUE - 8;
    /** What decoding one hostile record may allocate: the reader's own bookkeeping, not the claimed length. */
    private static final long MAX_ALLOCATED_BYTES = 1 << 20;

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    @Test
    void shouldRefuseAStringClaimingTwoGigabytesWithoutAllocatingIt() {
        AvroSerde<ExternalInput> serde = AvroSerde.of(ExternalInput.class);
        byte[] header = Arrays.copyOf(serde.encode(Samples.currentInput()), AvroSerde.HEADER_LENGTH);
        // network_id, the first field, claims the length; no byte of it follows
        for (long claimed : new long[] {1L << 30, AVRO_MAX_LENGTH}) {
            byte[] bytes = concat(header, varint(claimed));
            assertRefusedCheaply(serde, Samples.currentInput(), bytes, claimed + "-byte string");
        }
    }

    @Test
    void shouldRefuseBytesClaimingTwoGigabytesWithoutAllocatingThem() {
        AvroSerde<SpikeBatch> serde = AvroSerde.of(SpikeBatch.class);
        SpikeBatch empty = (SpikeBatch) Samples.minimal(SpikeBatch.class);
        byte[] whole = serde.encode(empty);
        // an empty batch ends with neuron_ids and tick_offsets, two zero lengths, then part 0 and parts 1
        // (zig-zag 2): neuron_ids claims instead
        assertThat(Arrays.copyOfRange(whole, whole.length - 4, whole.length)).containsExactly(0, 0, 0, 2);
        byte[] bytes = concat(Arrays.copyOf(whole, whole.length - 4), varint(AVRO_MAX_LENGTH));
        assertRefusedCheaply(serde, empty, bytes, "2 GB neuron_ids");
    }

    @Test
    void shouldRefuseAnArrayClaimingTwoBillionItemsWithoutAllocatingThem() {
        // Frame.areas holds records, MembraneSample.values doubles: a 0 count in each minimal record claims instead
        AvroSerde<Frame> frames = AvroSerde.of(Frame.class);
        Frame frame = (Frame) Samples.minimal(Frame.class);
        byte[] f = frames.encode(frame);
        assertThat(f[f.length - 1]).isZero();
        assertRefusedCheaply(frames, frame, concat(Arrays.copyOf(f, f.length - 1), varint(AVRO_MAX_LENGTH)),
                "2^31 areas");

        AvroSerde<MembraneSample> samples = AvroSerde.of(MembraneSample.class);
        MembraneSample sample = (MembraneSample) Samples.minimal(MembraneSample.class);
        byte[] m = samples.encode(sample);
        // values' zero count, then part 0 and parts 1 (zig-zag 2)
        assertThat(Arrays.copyOfRange(m, m.length - 3, m.length)).containsExactly(0, 0, 2);
        assertRefusedCheaply(samples, sample, concat(Arrays.copyOf(m, m.length - 3), varint(AVRO_MAX_LENGTH)),
                "2^31 values");
    }

    private static <T extends SpecificRecord> void assertRefusedCheaply(AvroSerde<T> serde, T valid, byte[] hostile,
            String what) {
        assumeThat(THREADS.isThreadAllocatedMemorySupported()).as("per-thread allocation counter").isTrue();
        THREADS.setThreadAllocatedMemoryEnabled(true);
        serde.decode(serde.encode(valid)); // class loading and Avro's resolver are not what is measured
        long thread = Thread.currentThread().getId();
        long before = THREADS.getThreadAllocatedBytes(thread);
        Reason reason = null;
        try {
            serde.decode(hostile);
        } catch (BadRecordException e) {
            reason = e.reason();
        }
        long allocated = THREADS.getThreadAllocatedBytes(thread) - before;

        assertThat(reason).as("%s in %d bytes", what, hostile.length).isIn(Reason.TRUNCATED, Reason.CORRUPT);
        assertThat(allocated).as("bytes allocated refusing a %s in %d bytes", what, hostile.length)
                .isLessThan(MAX_ALLOCATED_BYTES);
    }

    /** Avro's zig-zag varint of a long. */
    private static byte[] varint(long value) {
        long v = (value << 1) ^ (value >> 63);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        while ((v & ~0x7FL) != 0) {
            out.write((int) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        out.write((int) v);
        return out.toByteArray();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] c = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }
}
