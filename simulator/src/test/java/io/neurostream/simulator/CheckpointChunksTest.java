package io.neurostream.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import io.neurostream.schemas.Topics;
import io.neurostream.schemas.avro.Checkpoint;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A checkpoint is written in chunks as it is produced, and the chunks are the checkpoint. */
class CheckpointChunksTest {
    static final String NET = "chunked";

    @Test
    void shouldCutAStreamIntoFullChunksAndOneShorterLast() {
        List<byte[]> got = new ArrayList<>();
        CheckpointChunks s = new CheckpointChunks(4, (i, data) -> {
            assertThat(i).isEqualTo(got.size());
            got.add(data);
        });
        s.write(1);
        s.write(new byte[] {2, 3, 4, 5, 6}, 0, 5);
        s.write(new byte[] {9, 7, 8, 9}, 1, 1);
        assertThat(got).as("full chunks go out as soon as they are full").hasSize(1);
        s.finish();
        assertThat(got).containsExactly(new byte[] {1, 2, 3, 4}, new byte[] {5, 6, 7});
        assertThat(s.chunks()).isEqualTo(2);
        assertThat(s.bytes()).isEqualTo(7);
    }

    @Test
    void shouldMakeOneEmptyChunkOfAnEmptyStreamAndNoEmptyLastOne() {
        List<byte[]> got = new ArrayList<>();
        CheckpointChunks empty = new CheckpointChunks(4, (i, data) -> got.add(data));
        empty.finish();
        assertThat(got).containsExactly(new byte[0]);
        got.clear();
        CheckpointChunks exact = new CheckpointChunks(2, (i, data) -> got.add(data));
        exact.write(new byte[] {1, 2, 3, 4}, 0, 4);
        exact.finish();
        assertThat(got).containsExactly(new byte[] {1, 2}, new byte[] {3, 4});
    }

    @Test
    void shouldWriteTheSameBytesInChunksThatRecoveryJoinsAndRestores() throws Exception {
        try (SimulatorTestDriver d = new SimulatorTestDriver()) {
            d.core().limitRecords(4096 + 10_000);   // chunks of 10,000 bytes: the CUBA checkpoint makes many
            d.pipeControl(Commands.create(NET, SimulatorCoreTest.CUBA));
            d.pipeControl(Commands.step(NET, 300));
            d.runUntilIdle();
            int before = d.checkpointLog().size();
            d.pipeControl(Commands.checkpoint(NET));
            d.runUntilIdle();
            byte[] whole = d.core().checkpoint(NET);
            List<Checkpoint> chunks = new ArrayList<>();
            for (Logged l : d.checkpointLog().subList(before, d.checkpointLog().size())) {
                chunks.add(Topics.CHECKPOINTS.valueSerde().decode(l.value()));
            }
            assertThat(chunks).hasSize((whole.length + 9_999) / 10_000).hasSizeGreaterThan(5);
            ByteArrayOutputStream joined = new ByteArrayOutputStream();
            for (int c = 0; c < chunks.size(); c++) {
                Checkpoint k = chunks.get(c);
                assertThat(k.getChunk()).isEqualTo(c);
                assertThat(k.getChunks()).isEqualTo(chunks.size());
                assertThat(k.getTick()).isEqualTo(300);
                assertThat(k.getData().remaining()).isEqualTo(c < chunks.size() - 1 ? 10_000 : whole.length - 10_000 * c);
                byte[] b = new byte[k.getData().remaining()];
                k.getData().get(b);
                joined.write(b);
            }
            assertThat(joined.toByteArray()).isEqualTo(whole);

            d.pipeControl(Commands.step(NET, 200));
            d.runUntilIdle();
            String uninterrupted = d.spikeChecksum(NET);
            // a simulator that died at tick 300 comes back from these chunks and its journal
            try (SimulatorTestDriver r = new SimulatorTestDriver()) {
                r.core().restore(NET, joined.toByteArray(), 0L, SimulatorTestDriver.START_MS);
                r.pipeControl(Commands.step(NET, 200));
                r.runUntilIdle();
                assertThat(r.core().network(NET).tick()).isEqualTo(500);
                List<long[]> all = new ArrayList<>(d.spikeList(NET).stream().filter(s -> s[0] < 300).toList());
                all.addAll(r.spikeList(NET));
                io.neurostream.engine.SpikeChecksum c = new io.neurostream.engine.SpikeChecksum();
                all.forEach(s -> c.add(s[0], (int) s[1]));
                assertThat(c.hex()).isEqualTo(uninterrupted);
            }
        }
    }

    @Test
    void shouldHoldNoMoreThanAFewChunksOfABigCheckpointWhenItsFirstChunkGoesOut() throws Exception {
        String big = "{\"name\": \"big\", \"dt_ms\": 0.1, \"populations\": [{\"name\": \"n\", \"count\": 200000}]}";
        byte[] whole;
        SimulatorConfig config;
        try (SimulatorTestDriver d = new SimulatorTestDriver()) {
            d.pipeControl(Commands.create(NET, big));
            d.pipeControl(Commands.step(NET, 10));
            d.runUntilIdle();
            whole = d.core().checkpoint(NET);
            config = d.config();
        }
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long[] start = new long[1];
        List<Long> allocatedAtChunk = new ArrayList<>();
        SimulatorCore core = new SimulatorCore(config, new SimulatorOutput.Discarding() {
            @Override
            public void checkpoint(String networkId, Checkpoint chunk, long timestampMs) {
                allocatedAtChunk.add(threads.getCurrentThreadAllocatedBytes() - start[0]);
            }
        });
        core.limitRecords(4096 + 65_536);
        core.restore(NET, whole, 0L, SimulatorTestDriver.START_MS);
        start[0] = threads.getCurrentThreadAllocatedBytes();
        assertThat(core.checkpointNow(NET, 0L, SimulatorTestDriver.START_MS)).isTrue();
        assertThat(whole.length).as("five arrays of neuron state").isGreaterThan(200_000 * 36);
        assertThat(allocatedAtChunk).hasSize((whole.length + 65_535) / 65_536);
        // assembling the checkpoint first would have allocated all of it (and more, growing) before chunk 0
        assertThat(allocatedAtChunk.get(0)).as("bytes allocated when the first chunk goes out").isLessThan(whole.length / 8);
        core.network(NET).network().close();
    }

    @Test
    void shouldReadTheChunksOfACheckpointToRestoreOnlyAsTheRestoreReachesThem() throws Exception {
        SimulatorTestDriver original = new SimulatorTestDriver();
        original.core().limitRecords(4096 + 10_000);
        original.pipeControl(Commands.create(NET, SimulatorCoreTest.CUBA));
        original.pipeControl(Commands.step(NET, 300));
        original.runUntilIdle();
        original.pipeControl(Commands.checkpoint(NET));
        original.runUntilIdle();
        byte[] whole = original.core().checkpoint(NET);
        CheckpointCatalog catalog = new CheckpointCatalog();
        java.util.Map<Long, byte[]> values = new java.util.HashMap<>();
        for (Logged l : original.checkpointLog()) {
            catalog.accept(l.partition(), l.offset(), l.key(), l.value());
            values.put(l.offset(), l.value());
        }
        List<Long> read = new ArrayList<>();
        RecoveryPlan plan = RecoveryPlan.of(catalog, (partition, offset) -> {
            read.add(offset);
            return values.get(offset);
        });
        RecoveryPlan.CheckpointBytes data = plan.networks().get(NET).data();
        assertThat(read).as("planning reads no chunk").isEmpty();
        assertThat(data.size()).isEqualTo(whole.length);
        try (java.io.InputStream in = data.open()) {
            assertThat(in.readNBytes(10_000)).isEqualTo(java.util.Arrays.copyOf(whole, 10_000));
            assertThat(read).as("the first chunk only").hasSize(1);
            assertThat(in.readAllBytes()).isEqualTo(java.util.Arrays.copyOfRange(whole, 10_000, whole.length));
        }
        assertThat(read).hasSize((whole.length + 9_999) / 10_000);
        // and a restart recovers the network from those chunks, at the checkpoint's tick
        try (original; SimulatorTestDriver recovered = original.restart()) {
            recovered.runUntilIdle();
            assertThat(recovered.core().network(NET).tick()).isEqualTo(300);
            assertThat(recovered.core().checkpoint(NET)).isEqualTo(whole);
        }
    }
}
