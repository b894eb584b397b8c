package io.neurostream.schemas;

import io.neurostream.schemas.BadRecordException.Reason;
import io.neurostream.schemas.avro.SpikeBatch;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.IntBuffer;
import java.util.Arrays;

/**
 * Packs spikes into a {@link SpikeBatch} and unpacks them, on primitive arrays, without boxing.
 *
 * <p>Layout (see SpikeBatch.avsc): {@code neuron_ids} holds {@code count} int32 and {@code tick_offsets}
 * {@code count} uint16, both little-endian; spike {@code i} is neuron {@code neuron_ids[i]} on tick
 * {@code first_tick + tick_offsets[i]}, ordered by tick, then by neuron id. A frame spans at most
 * {@link #MAX_TICKS} ticks.
 *
 * <pre>{@code
 * SpikeBatches.Builder b = new SpikeBatches.Builder();      // one per network, reused every frame
 * for (int k = 0; k < ticksPerFrame; k++) {
 *     net.step();
 *     b.addTick(k, net.spikes().array(), net.spikes().size());
 * }
 * SpikeBatch batch = b.build(networkId, frame, firstTick, ticksPerFrame);   // b is empty again
 *
 * int[] ids = new int[SpikeBatches.count(batch)];            // reader side
 * SpikeBatches.unpackNeuronIds(batch, ids);
 * }</pre>
 */
public final class SpikeBatches {

    /** The most ticks a frame can span: tick offsets are uint16. */
    public static final int MAX_TICKS = 65536;
    /** Bytes one spike takes in a batch: an int32 neuron id and a uint16 tick offset. */
    public static final int BYTES_PER_SPIKE = 6;

    /**
     * The most spikes one batch of {@code networkId} may carry so that its encoded record (single-object
     * header, every field, the key) stays within {@code maxRecordBytes}.
     *
     * @throws IllegalArgumentException if not even one spike fits
     */
    public static int maxSpikesPerRecord(String networkId, int maxRecordBytes) {
        // header 10; network id twice (value and key) with its length; 2 longs, 4 ints, 2 byte lengths: <= 40
        long overhead = 10 + 2L * (5 + 4L * networkId.length()) + 40;
        long spikes = (maxRecordBytes - overhead) / BYTES_PER_SPIKE;
        if (spikes < 1) {
            throw new IllegalArgumentException("a record of at most " + maxRecordBytes + " bytes cannot hold one spike of network "
                    + Rejections.cap(networkId, 64));
        }
        return (int) Math.min(Integer.MAX_VALUE, spikes);
    }

    /**
     * The batches of one frame: one when {@code count <= maxSpikesPerPart}, else consecutive parts of at
     * most {@code maxSpikesPerPart} spikes each, in spike order, numbered {@code part} 0 .. {@code parts - 1}.
     */
    public static java.util.List<SpikeBatch> packParts(String networkId, long frame, long firstTick, int ticks,
            int[] neuronIds, int[] tickOffsets, int count, int maxSpikesPerPart) {
        if (maxSpikesPerPart < 1) {
            throw new IllegalArgumentException("maxSpikesPerPart must be at least 1, got " + maxSpikesPerPart);
        }
        if (count <= maxSpikesPerPart) {
            return java.util.List.of(pack(networkId, frame, firstTick, ticks, neuronIds, tickOffsets, count));
        }
        int parts = (count + maxSpikesPerPart - 1) / maxSpikesPerPart;
        java.util.List<SpikeBatch> out = new java.util.ArrayList<>(parts);
        for (int p = 0; p < parts; p++) {
            int from = p * maxSpikesPerPart;
            int n = Math.min(maxSpikesPerPart, count - from);
            SpikeBatch b = pack(networkId, frame, firstTick, ticks, Arrays.copyOfRange(neuronIds, from, from + n),
                    Arrays.copyOfRange(tickOffsets, from, from + n), n);
            b.setPart(p);
            b.setParts(parts);
            out.add(b);
        }
        return out;
    }

    private SpikeBatches() {
    }

    /**
     * A batch of {@code count} spikes: {@code neuronIds[i]} on tick {@code firstTick + tickOffsets[i]}.
     *
     * @throws IllegalArgumentException if an offset lies outside {@code [0, ticks)}, offsets decrease,
     *                                  or {@code ticks} is outside {@code [1, MAX_TICKS]}
     */
    public static SpikeBatch pack(String networkId, long frame, long firstTick, int ticks,
            int[] neuronIds, int[] tickOffsets, int count) {
        if (ticks < 1 || ticks > MAX_TICKS) {
            throw new IllegalArgumentException("a frame spans 1 to " + MAX_TICKS + " ticks, not " + ticks);
        }
        if (count < 0 || count > neuronIds.length || count > tickOffsets.length) {
            throw new IllegalArgumentException("count " + count + " exceeds the arrays (" + neuronIds.length
                    + " ids, " + tickOffsets.length + " offsets)");
        }
        return SpikeBatch.newBuilder()
                .setNetworkId(networkId)
                .setFrame(frame)
                .setFirstTick(firstTick)
                .setTicks(ticks)
                .setCount(count)
                .setNeuronIds(packInts(neuronIds, count))
                .setTickOffsets(packOffsets(tickOffsets, count, ticks))
                .build();
    }

    /** {@code count} int32 values, little-endian, in a buffer positioned at 0. */
    public static ByteBuffer packInts(int[] values, int count) {
        ByteBuffer b = ByteBuffer.allocate(4 * count).order(ByteOrder.LITTLE_ENDIAN);
        b.asIntBuffer().put(values, 0, count);
        return b;
    }

    private static ByteBuffer packOffsets(int[] offsets, int count, int ticks) {
        ByteBuffer b = ByteBuffer.allocate(2 * count).order(ByteOrder.LITTLE_ENDIAN);
        int previous = 0;
        for (int i = 0; i < count; i++) {
            int o = offsets[i];
            if (o < previous || o >= ticks) {
                throw new IllegalArgumentException("tick offset " + o + " at spike " + i
                        + (o >= ticks ? " is outside the frame's " + ticks + " ticks" : " is before the previous " + previous));
            }
            b.putShort(2 * i, (short) o);
            previous = o;
        }
        return b;
    }

    /**
     * The number of spikes, after checking the packed arrays agree with it.
     *
     * @throws BadRecordException ({@link Reason#INVALID}) if they do not
     */
    public static int count(SpikeBatch batch) {
        int count = batch.getCount();
        int ids = batch.getNeuronIds().remaining();
        int offsets = batch.getTickOffsets().remaining();
        if (count < 0 || ids != 4L * count || offsets != 2L * count) {
            throw new BadRecordException(Reason.INVALID, "SpikeBatch of network " + batch.getNetworkId() + " frame "
                    + batch.getFrame() + " says " + count + " spikes but carries " + ids + " bytes of neuron ids and "
                    + offsets + " bytes of tick offsets (want " + 4L * count + " and " + 2L * count + ")");
        }
        if (batch.getTicks() < 1 || batch.getTicks() > MAX_TICKS) {
            throw new BadRecordException(Reason.INVALID, "SpikeBatch of network " + batch.getNetworkId() + " frame "
                    + batch.getFrame() + " spans " + batch.getTicks() + " ticks, not 1 to " + MAX_TICKS);
        }
        return count;
    }

    /**
     * Copies the neuron ids into {@code dst[0 .. count)} and returns count.
     *
     * @throws BadRecordException        ({@link Reason#INVALID}) if the batch is inconsistent
     * @throws IndexOutOfBoundsException if {@code dst} is shorter than the count
     */
    public static int unpackNeuronIds(SpikeBatch batch, int[] dst) {
        int n = count(batch);
        IntBuffer ids = batch.getNeuronIds().duplicate().order(ByteOrder.LITTLE_ENDIAN).asIntBuffer();
        ids.get(dst, 0, n);
        return n;
    }

    /**
     * Copies the tick offsets (0 .. ticks - 1) into {@code dst[0 .. count)} and returns count.
     *
     * @throws BadRecordException        ({@link Reason#INVALID}) if the batch is inconsistent or an offset
     *                                   lies outside the frame
     * @throws IndexOutOfBoundsException if {@code dst} is shorter than the count
     */
    public static int unpackTickOffsets(SpikeBatch batch, int[] dst) {
        int n = count(batch);
        ByteBuffer b = batch.getTickOffsets();
        int base = b.position();
        int ticks = batch.getTicks();
        ByteBuffer le = b.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) {
            int o = le.getShort(base + 2 * i) & 0xFFFF;
            if (o >= ticks) {
                throw new BadRecordException(Reason.INVALID, "SpikeBatch of network " + batch.getNetworkId()
                        + " frame " + batch.getFrame() + ": tick offset " + o + " of spike " + i
                        + " is outside its " + ticks + " ticks");
            }
            dst[i] = o;
        }
        return n;
    }

    /** The neuron ids in a new array. */
    public static int[] neuronIds(SpikeBatch batch) {
        int[] ids = new int[count(batch)];
        unpackNeuronIds(batch, ids);
        return ids;
    }

    /** The tick offsets in a new array. */
    public static int[] tickOffsets(SpikeBatch batch) {
        int[] offsets = new int[count(batch)];
        unpackTickOffsets(batch, offsets);
        return offsets;
    }

    /**
     * Collects one frame's spikes tick by tick, then packs them. Reusable: {@link #build} empties it.
     * Its arrays grow as needed and are kept, so a steady stream of frames allocates only the packed
     * buffers of each batch.
     */
    public static final class Builder {
        private int[] ids = new int[1024];
        private int[] offsets = new int[1024];
        private int count;
        private int lastOffset;

        /** Adds the {@code n} spikes {@code neuronIds[0 .. n)} of the tick at {@code tickOffset} in the frame. */
        public Builder addTick(int tickOffset, int[] neuronIds, int n) {
            if (tickOffset < lastOffset || tickOffset >= MAX_TICKS) {
                throw new IllegalArgumentException("tick offset " + tickOffset + " after " + lastOffset
                        + ": ticks are added in order, within " + MAX_TICKS);
            }
            lastOffset = tickOffset;
            if (n == 0) {
                return this;
            }
            int need = count + n;
            if (need > ids.length) {
                int cap = Math.max(need, ids.length * 2);
                ids = Arrays.copyOf(ids, cap);
                offsets = Arrays.copyOf(offsets, cap);
            }
            System.arraycopy(neuronIds, 0, ids, count, n);
            Arrays.fill(offsets, count, need, tickOffset);
            count = need;
            return this;
        }

        /** The spikes added since the last build. */
        public int count() {
            return count;
        }

        /**
         * Packs the spikes added so far into the batches of one frame spanning {@code ticks} ticks, split
         * into parts of at most {@code maxSpikesPerPart} spikes (see {@link SpikeBatches#packParts}), and
         * empties the builder.
         */
        public java.util.List<SpikeBatch> buildParts(String networkId, long frame, long firstTick, int ticks,
                int maxSpikesPerPart) {
            try {
                return packParts(networkId, frame, firstTick, ticks, ids, offsets, count, maxSpikesPerPart);
            } finally {
                count = 0;
                lastOffset = 0;
            }
        }

        /** Empties the builder (the open frame is dropped). */
        public void clear() {
            count = 0;
            lastOffset = 0;
        }

        /** Packs the spikes added so far into a batch spanning {@code ticks} ticks and empties the builder. */
        public SpikeBatch build(String networkId, long frame, long firstTick, int ticks) {
            try {
                return pack(networkId, frame, firstTick, ticks, ids, offsets, count);
            } finally {
                count = 0;
                lastOffset = 0;
            }
        }
    }

    /**
     * Reassembles frames split into parts, for readers of one network's batches in offset order: hands
     * back each frame whole (as one batch, part 0 of 1) once its last part has arrived. A part that
     * does not continue the frame being assembled (another frame, or a part out of order) drops the
     * unfinished frame; {@link #dropped()} counts such frames.
     */
    public static final class Assembler {
        private SpikeBatch first;
        private int nextPart;
        private final java.io.ByteArrayOutputStream ids = new java.io.ByteArrayOutputStream();
        private final java.io.ByteArrayOutputStream offsets = new java.io.ByteArrayOutputStream();
        private int count;
        private long dropped;

        /** The whole frame when {@code part} completes it (a one-part frame at once), else null. */
        public SpikeBatch add(SpikeBatch part) {
            int parts = Math.max(1, part.getParts());
            if (parts == 1 && part.getPart() == 0) {
                if (first != null) {
                    reset(true);
                }
                return part;
            }
            if (part.getPart() == 0) {
                if (first != null) {
                    reset(true);
                }
                first = part;
            } else if (first == null || part.getFrame() != first.getFrame() || part.getPart() != nextPart
                    || part.getParts() != first.getParts()) {
                reset(first != null);
                return null;
            }
            int n = count(part);
            append(ids, part.getNeuronIds());
            append(offsets, part.getTickOffsets());
            count += n;
            nextPart = part.getPart() + 1;
            if (nextPart < parts) {
                return null;
            }
            SpikeBatch whole = SpikeBatch.newBuilder(first).setCount(count)
                    .setNeuronIds(ByteBuffer.wrap(ids.toByteArray())).setTickOffsets(ByteBuffer.wrap(offsets.toByteArray()))
                    .setPart(0).setParts(1).build();
            reset(false);
            return whole;
        }

        /** Frames dropped unfinished (a part missing or out of order). */
        public long dropped() {
            return dropped;
        }

        private void reset(boolean drop) {
            if (drop) {
                dropped++;
            }
            first = null;
            nextPart = 0;
            count = 0;
            ids.reset();
            offsets.reset();
        }

        private static void append(java.io.ByteArrayOutputStream out, ByteBuffer b) {
            ByteBuffer d = b.duplicate();
            byte[] bytes = new byte[d.remaining()];
            d.get(bytes);
            out.write(bytes, 0, bytes.length);
        }
    }
}
