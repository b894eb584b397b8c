package io.neurostream.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.neurostream.schemas.avro.SpikeBatch;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.junit.jupiter.api.Test;

class TopicsTest {

    @Test
    void shouldNameEveryTopicWithTheDefaultPrefix() {
        assertThat(Topics.all()).extracting(t -> t.name()).containsExactly(
                "neurostream.external-input", "neurostream.control", "neurostream.spikes", "neurostream.membrane",
                "neurostream.frames", "neurostream.journal", "neurostream.topology", "neurostream.status",
                "neurostream.checkpoints", "neurostream.rejected", "neurostream.rates", "neurostream.balance",
                "neurostream.alerts");
    }

    @Test
    void shouldNameTopicsWithAnyLegalPrefix() {
        assertThat(Topics.SPIKES.name("lab1.")).isEqualTo("lab1.spikes");
        assertThat(Topics.SPIKES.name("")).isEqualTo("spikes");
        assertThatThrownBy(() -> Topics.SPIKES.name("lab 1.")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("' '");
        assertThatThrownBy(() -> Topics.checkPrefix("x".repeat(240))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldCompactExactlyTopologyStatusAndCheckpoints() {
        assertThat(Topics.all().stream().filter(Topic::compacted).map(Topic::baseName))
                .containsExactlyInAnyOrder("topology", "status", "checkpoints");
        for (Topic<?> t : Topics.all()) {
            assertThat(t.configs()).containsEntry("cleanup.policy", t.compacted() ? "compact" : "delete");
            assertThat(t.configs().containsKey("retention.ms")).isEqualTo(!t.compacted());
        }
    }

    @Test
    void shouldKeepTheJournalWithoutTimeLimitAndAllowFutureTimestampsEverywhere() {
        assertThat(Topics.JOURNAL.configs()).containsEntry("retention.ms", "-1");
        assertThat(Topics.JOURNAL.retention()).isEmpty();
        for (Topic<?> t : Topics.all()) {
            assertThat(t.configs()).containsEntry("message.timestamp.after.max.ms", Long.toString(Long.MAX_VALUE));
        }
    }

    @Test
    void shouldBoundEveryDeletingTopicBySizeAsWellAsTime() {
        for (Topic<?> t : Topics.all().stream().filter(t -> !t.compacted()).toList()) {
            long bytes = Long.parseLong(t.configs().get("retention.bytes"));
            long segment = Long.parseLong(t.configs().get("segment.bytes"));
            assertThat(bytes).as(t.baseName()).isPositive().isEqualTo(t.retentionBytes().getAsLong());
            // retention deletes whole closed segments only: with 1 GiB segments (Kafka's default) a 256 MiB
            // bound would never delete anything
            assertThat(segment).as(t.baseName() + " segment.bytes").isLessThanOrEqualTo(bytes / 4);
        }
        // the journal keeps far more than recovery needs: its entries since the newest checkpoint
        assertThat(Topics.JOURNAL.retentionBytes().getAsLong()).isGreaterThanOrEqualTo(1L << 30);
    }

    @Test
    void shouldNeverDeleteTheLatestRecordOfACompactedTopic() {
        for (Topic<?> t : Topics.all().stream().filter(Topic::compacted).toList()) {
            assertThat(t.configs()).as(t.baseName()).containsEntry("cleanup.policy", "compact")
                    .doesNotContainKeys("retention.ms", "retention.bytes");
            assertThat(t.retentionBytes()).isEmpty();
            assertThat(t.configs()).containsKey("segment.bytes");
        }
    }

    @Test
    void shouldTakeOnEveryTopicWhatAProducerWithDefaultSettingsMaySend() {
        int maxRequestSize = 1024 * 1024; // the producers' default max.request.size
        int checkpointChunk = 512 * 1024;
        for (Topic<?> t : Topics.all()) {
            int max = Integer.parseInt(t.configs().get("max.message.bytes"));
            assertThat(max).as(t.baseName()).isGreaterThanOrEqualTo(maxRequestSize).isGreaterThan(checkpointChunk);
            assertThat(t.segmentBytes()).as(t.baseName() + " segment.bytes holds the largest batch")
                    .isGreaterThanOrEqualTo(max);
        }
    }

    @Test
    void shouldRefuseATopicWithoutASizeBoundOrWithSegmentsTooBigToDelete() {
        assertThatThrownBy(() -> new Topic<>("x", SpikeBatch.class, Topic.Keys.NETWORK_ID, Topic.Cleanup.DELETE,
                java.time.Duration.ofDays(1), -1, 16L << 20, "no size bound")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Topic<>("x", SpikeBatch.class, Topic.Keys.NETWORK_ID, Topic.Cleanup.DELETE,
                java.time.Duration.ofDays(1), 64L << 20, 1L << 30, "segments of 1 GiB")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Topic<>("x", SpikeBatch.class, Topic.Keys.NETWORK_ID, Topic.Cleanup.COMPACT,
                null, 64L << 20, 16L << 20, "compacted with a size bound")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldGiveEveryRecordTypeOneTopicWithItsSerde() {
        assertThat(Topics.all().stream().map(t -> (Object) t.valueType()).toList())
                .containsExactlyInAnyOrderElementsOf(List.copyOf(SchemaVersions.RECORDS));
        assertThat(Topics.byValueType(SpikeBatch.class)).contains(Topics.SPIKES);
        assertThat(Topics.SPIKES.valueSerde().type()).isEqualTo(SpikeBatch.class);
        assertThat(Topics.byBaseName("frames")).contains(Topics.FRAMES);
        assertThat(Topics.SPIKES.keySerde().serializer().serialize("t", "net-1"))
                .isEqualTo("net-1".getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void shouldPickThePartitionKafkaPicksForTheNetworkId() {
        for (String id : List.of("net-1", "a", "brain/base", "ünïcode", "x".repeat(100))) {
            for (int partitions : new int[] {1, 6, 7, 64}) {
                assertThat(Topics.partitionOf(id, partitions)).isEqualTo(
                        BuiltInPartitioner.partitionForKey(id.getBytes(StandardCharsets.UTF_8), partitions));
            }
        }
    }

    @Test
    void shouldKeyChunksByNetworkAndChunk() {
        assertThat(Topics.chunkKey("net-1", 3)).isEqualTo("net-1/3");
        assertThat(Topics.networkIdOfChunkKey("lab/net-1/3")).isEqualTo("lab/net-1");
        assertThat(Topics.TOPOLOGY.keys()).isEqualTo(Topic.Keys.NETWORK_ID_AND_CHUNK);
        assertThat(Topics.STATUS.keys()).isEqualTo(Topic.Keys.NETWORK_ID);
    }

    @Test
    void shouldPlanOverriddenConfigs() {
        TopicAdmin.Options o = TopicAdmin.Options.defaults().withPrefix("x.")
                .withConfigOverrides(Map.of("spikes", Map.of("retention.ms", "60000")));
        TopicAdmin.Plan spikes = TopicAdmin.plan(o).stream().filter(p -> p.topic() == Topics.SPIKES).findFirst().orElseThrow();
        assertThat(spikes.name()).isEqualTo("x.spikes");
        assertThat(spikes.configs()).containsEntry("retention.ms", "60000").containsEntry("cleanup.policy", "delete");
        assertThatThrownBy(() -> TopicAdmin.Options.defaults().withConfigOverrides(Map.of("spikez", Map.of())))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("spikez");
    }
}
