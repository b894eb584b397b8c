package io.neurostream.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.neurostream.schemas.BadRecordException.Reason;
import io.neurostream.schemas.avro.SpikeBatch;
import java.nio.ByteBuffer;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SpikeBatchesTest {

    @Test
    void shouldUnpackWhatItPacked() {
        int[] ids = {0, 7, 3, 2_000_000_000, 5};
        int[] offsets = {0, 0, 1, 1, 65535};
        SpikeBatch b = SpikeBatches.pack("n", 2, 100, 65536, ids, offsets, 5);

        assertThat(b.getNeuronIds().remaining()).isEqualTo(20);
        assertThat(b.getTickOffsets().remaining()).isEqualTo(10);
        assertThat(SpikeBatches.neuronIds(b)).containsExactly(ids);
        assertThat(SpikeBatches.tickOffsets(b)).containsExactly(offsets);
    }

    @Test
    void shouldLayOutLittleEndianAsTheSchemaSays() {
        SpikeBatch b = SpikeBatches.pack("n", 0, 0, 300, new int[] {0x01020304}, new int[] {0x0102}, 1);
        byte[] ids = new byte[4];
        b.getNeuronIds().duplicate().get(ids);
        byte[] offs = new byte[2];
        b.getTickOffsets().duplicate().get(offs);
        assertThat(ids).containsExactly(4, 3, 2, 1);
        assertThat(offs).containsExactly(2, 1);
    }

    @Test
    void shouldSurviveTheSerdeWithManySpikes() {
        Random r = new Random(1);
        int n = 100_000;
        int[] ids = new int[n];
        int[] offsets = new int[n];
        for (int i = 0; i < n; i++) {
            ids[i] = r.nextInt(1_000_000);
            offsets[i] = i * 10 / n;
        }
        SpikeBatch b = SpikeBatches.pack("n", 1, 10, 10, ids, offsets, n);
        AvroSerde<SpikeBatch> serde = AvroSerde.of(SpikeBatch.class);
        SpikeBatch back = serde.decode(serde.encode(b));

        int[] idsBack = new int[n + 3];
        assertThat(SpikeBatches.unpackNeuronIds(back, idsBack)).isEqualTo(n);
        int[] offBack = new int[n];
        SpikeBatches.unpackTickOffsets(back, offBack);
        for (int i = 0; i < n; i++) {
            assertThat(idsBack[i]).isEqualTo(ids[i]);
            assertThat(offBack[i]).isEqualTo(offsets[i]);
        }
    }

    @Test
    void shouldBuildAFrameTickByTickAndStartOverAfterwards() {
        SpikeBatches.Builder builder = new SpikeBatches.Builder();
        int[] tick0 = {1, 4, 9};
        int[] tick2 = new int[3000];
        for (int i = 0; i < tick2.length; i++) {
            tick2[i] = i;
        }
        builder.addTick(0, tick0, 3).addTick(1, new int[0], 0).addTick(2, tick2, 3000);
        SpikeBatch b = builder.build("n", 5, 50, 10);

        assertThat(b.getCount()).isEqualTo(3003);
        assertThat(b.getFirstTick()).isEqualTo(50);
        int[] offsets = SpikeBatches.tickOffsets(b);
        assertThat(offsets[2]).isZero();
        assertThat(offsets[3]).isEqualTo(2);
        assertThat(SpikeBatches.neuronIds(b)[3002]).isEqualTo(2999);

        assertThat(builder.count()).isZero();
        assertThat(builder.build("n", 6, 60, 10).getCount()).isZero();
        assertThatThrownBy(() -> builder.addTick(3, tick0, 1).addTick(2, tick0, 1))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldRefuseOffsetsOutsideTheFrameOrOutOfOrder() {
        assertThatThrownBy(() -> SpikeBatches.pack("n", 0, 0, 10, new int[] {1}, new int[] {10}, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("outside");
        assertThatThrownBy(() -> SpikeBatches.pack("n", 0, 0, 10, new int[] {1, 2}, new int[] {3, 2}, 2))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("before");
        assertThatThrownBy(() -> SpikeBatches.pack("n", 0, 0, 65537, new int[0], new int[0], 0))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldCallABatchWhosePackedArraysDisagreeWithItsCountInvalid() {
        SpikeBatch b = SpikeBatches.pack("n", 0, 0, 10, new int[] {1, 2}, new int[] {0, 1}, 2);
        b.setCount(3);
        assertThatThrownBy(() -> SpikeBatches.neuronIds(b))
                .isInstanceOfSatisfying(BadRecordException.class, e -> assertThat(e.reason()).isEqualTo(Reason.INVALID));

        SpikeBatch late = SpikeBatches.pack("n", 0, 0, 10, new int[] {1}, new int[] {0}, 1);
        late.setTickOffsets(ByteBuffer.wrap(new byte[] {20, 0}));
        assertThatThrownBy(() -> SpikeBatches.tickOffsets(late))
                .isInstanceOfSatisfying(BadRecordException.class, e -> assertThat(e.reason()).isEqualTo(Reason.INVALID));
    }

    @Test
    void shouldSplitABusyFrameIntoPartsThatEachFitTheRecordLimitAndReassembleExactly() {
        int count = 200_000;
        int[] ids = new int[count];
        int[] offsets = new int[count];
        for (int i = 0; i < count; i++) {
            ids[i] = i % 20_000;
            offsets[i] = i / 20_000;
        }
        String id = "busy-network";
        int limit = 1024 * 1024;
        int perPart = SpikeBatches.maxSpikesPerRecord(id, limit);
        java.util.List<SpikeBatch> parts = SpikeBatches.packParts(id, 5, 50, 10, ids, offsets, count, perPart);

        assertThat(parts).hasSizeGreaterThan(1);
        SpikeBatches.Assembler assembler = new SpikeBatches.Assembler();
        SpikeBatch whole = null;
        for (int p = 0; p < parts.size(); p++) {
            SpikeBatch part = parts.get(p);
            assertThat(part.getPart()).isEqualTo(p);
            assertThat(part.getParts()).isEqualTo(parts.size());
            int bytes = AvroSerde.of(SpikeBatch.class).encode(part).length + id.length();
            assertThat(bytes).as("part %d with key", p).isLessThanOrEqualTo(limit);
            whole = assembler.add(part);
            assertThat(whole == null).isEqualTo(p < parts.size() - 1);
        }
        assertThat(SpikeBatches.neuronIds(whole)).containsExactly(ids);
        assertThat(SpikeBatches.tickOffsets(whole)).containsExactly(offsets);
        assertThat(whole.getParts()).isEqualTo(1);
    }

    @Test
    void shouldKeepAFrameThatFitsInOneRecordAndDropAnUnfinishedOne() {
        int[] ids = {1, 2, 3, 4, 5};
        int[] offsets = {0, 0, 1, 1, 2};
        assertThat(SpikeBatches.packParts("n", 0, 0, 10, ids, offsets, 5, 5)).hasSize(1);
        java.util.List<SpikeBatch> parts = SpikeBatches.packParts("n", 1, 10, 10, ids, offsets, 5, 2);
        assertThat(parts).hasSize(3);

        SpikeBatches.Assembler assembler = new SpikeBatches.Assembler();
        assertThat(assembler.add(parts.get(0))).isNull();
        SpikeBatch next = SpikeBatches.pack("n", 2, 20, 10, new int[] {7}, new int[] {0}, 1);
        assertThat(assembler.add(next)).isSameAs(next);
        assertThat(assembler.dropped()).isEqualTo(1);
        assertThat(assembler.add(parts.get(2))).isNull();
    }
}
