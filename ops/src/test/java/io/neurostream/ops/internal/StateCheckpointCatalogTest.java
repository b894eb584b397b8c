package io.neurostream.ops.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.neurostream.simulator.CheckpointCatalog;
import io.neurostream.simulator.CheckpointCatalog.Chunk;
import io.neurostream.simulator.CheckpointCatalog.Network;
import io.neurostream.schemas.Topics;
import org.junit.jupiter.api.Test;

/** The recovery rules {@link CheckpointCatalog} applies, record by record, without Kafka. */
class StateCheckpointCatalogTest {

    private final CheckpointCatalog catalog = new CheckpointCatalog();
    private long offset;

    private void put(String id, long run, long checkpointId, int chunk, int chunks, int format, int dataBytes) {
        catalog.accept(0, offset++, Topics.chunkKey(id, chunk), CheckpointRecords.chunk(id, run, checkpointId, chunk, chunks, format, dataBytes));
    }

    private void tombstone(String id, int chunk) {
        catalog.accept(0, offset++, Topics.chunkKey(id, chunk), null);
    }

    @Test
    void shouldRestoreTheNewestCompleteCheckpointWithItsSize() {
        put("a", 4, 0, 0, 1, 0, 0);
        put("a", 4, 1, 0, 2, 1, 300);
        put("a", 4, 1, 1, 2, 1, 20);

        Network a = catalog.network("a");

        assertThat(a.problems()).isEmpty();
        assertThat(a.restorable()).isNotNull();
        assertThat(a.restorable().checkpointId()).isEqualTo(1);
        assertThat(a.restorable().sizeBytes()).isEqualTo(320);
        assertThat(a.restorable().chunks()).isEqualTo(2);
        assertThat(a.restorable().tick()).isEqualTo(100);
        assertThat(a.restorable().marker()).isFalse();
    }

    @Test
    void shouldFallBackToAnOlderCheckpointOfTheRunOnlyWhileAllItsChunksAreLive() {
        put("a", 4, 2, 0, 1, 1, 50);     // complete: one chunk
        put("a", 4, 3, 1, 2, 1, 60);     // newest: chunk 1 of 2 only; chunk 0 key still holds checkpoint 2
        put("b", 4, 2, 0, 2, 1, 50);
        put("b", 4, 2, 1, 2, 1, 50);
        put("b", 4, 3, 0, 2, 1, 60);     // newest: chunk 0 of 2 overwrote checkpoint 2's chunk 0

        Network a = catalog.network("a");
        Network b = catalog.network("b");

        assertThat(a.restorable().checkpointId()).isEqualTo(2);
        assertThat(a.problems()).anyMatch(p -> p.startsWith("checkpoint 3 of run 4 is incomplete: chunks [1] of 2"));
        assertThat(b.restorable()).isNull();
        assertThat(b.problems()).anyMatch(p -> p.startsWith("checkpoint 3 of run 4 is incomplete: chunks [0] of 2"))
                .anyMatch(p -> p.startsWith("checkpoint 2 of run 4 is incomplete: chunks [1] of 2"))
                .anyMatch(p -> p.contains("no complete checkpoint of its current run 4"));
    }

    @Test
    void shouldTakeTheRunOfTheNewestLiveRecordAndKeepTheOlderRunsKeysForADrop() {
        put("a", 1, 5, 0, 3, 1, 10);
        put("a", 1, 5, 1, 3, 1, 10);
        put("a", 1, 5, 2, 3, 1, 10);
        put("a", 9, 0, 0, 1, 0, 0);      // a new run's start marker: chunk keys 1 and 2 are leftovers of run 1

        Network a = catalog.network("a");

        assertThat(a.restorable().runId()).isEqualTo(9);
        assertThat(a.restorable().marker()).isTrue();
        assertThat(a.restorable().sizeBytes()).isZero();
        assertThat(a.liveChunks()).extracting(Chunk::key).containsExactlyInAnyOrder("a/0", "a/1", "a/2");
    }

    @Test
    void shouldForgetATombstonedNetwork() {
        put("a", 1, 0, 0, 1, 0, 0);
        put("a", 1, 1, 0, 1, 1, 10);
        put("b", 1, 0, 0, 1, 0, 0);
        tombstone("a", 0);

        assertThat(catalog.networks()).extracting(Network::networkId).containsExactly("b");
        assertThat(catalog.network("a").liveChunks()).isEmpty();
        assertThat(catalog.network("a").restorable()).isNull();
    }

    @Test
    void shouldReportAnUnreadableRecordAndRestoreWhatIsReadable() {
        put("a", 1, 0, 0, 1, 0, 0);
        catalog.accept(0, offset++, "a/1", new byte[] {0x7b, 0x22, 0x78});
        catalog.accept(0, offset++, "c/0", new byte[] {1, 2, 3});

        Network a = catalog.network("a");
        Network c = catalog.network("c");

        assertThat(a.restorable()).isNotNull();
        assertThat(a.problems()).anyMatch(p -> p.startsWith("unreadable record a/1 at partition 0 offset 1"));
        assertThat(a.liveChunks()).hasSize(2);
        assertThat(c.restorable()).isNull();
        assertThat(c.problems()).contains("no readable checkpoint");
    }

    @Test
    void shouldTellNetworksApartWhoseIdsContainSlashes() {
        put("lab/a", 1, 0, 0, 1, 0, 0);
        put("lab", 1, 0, 0, 1, 0, 0);

        assertThat(catalog.networks()).extracting(Network::networkId).containsExactly("lab", "lab/a");
        assertThat(catalog.network("lab").liveChunks()).extracting(Chunk::key).containsExactly("lab/0");
    }
}
