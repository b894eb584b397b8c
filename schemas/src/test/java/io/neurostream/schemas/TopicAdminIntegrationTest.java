package io.neurostream.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.neurostream.broker.EmbeddedBroker;
import io.neurostream.broker.SharedBroker;
import io.neurostream.schemas.avro.Frame;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.InvalidTimestampException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** TopicAdmin against a real broker in this JVM ({@link SharedBroker}). Each test uses its own prefix. */
class TopicAdminIntegrationTest {

    private static EmbeddedBroker kafka;

    @BeforeAll
    static void broker() {
        kafka = SharedBroker.get();
    }

    @Test
    void shouldCreateEveryTopicOnceAndFindThemAllTheSecondTime() throws Exception {
        TopicAdmin.Options options = TopicAdmin.Options.defaults().withPrefix("idem.").withPartitions(2);
        try (Admin admin = kafka.admin()) {
            TopicAdmin.Result first = TopicAdmin.ensureTopics(admin, options);
            assertThat(first.problems()).isEmpty();
            assertThat(first.created()).containsExactlyElementsOf(Topics.all().stream().map(t -> t.name("idem.")).toList());
            assertThat(first.found()).isEmpty();

            TopicAdmin.Result second = TopicAdmin.ensureTopics(admin, TopicAdmin.Options.defaults().withPrefix("idem."));
            assertThat(second.created()).isEmpty();
            assertThat(second.fixed()).isEmpty();
            assertThat(second.problems()).isEmpty();
            assertThat(second.found()).hasSize(Topics.all().size());
            assertThat(second.summary()).startsWith("created 0, found 13, fixed 0, problems 0");

            for (Topic<?> t : Topics.all()) {
                Config c = config(admin, t.name("idem."));
                assertThat(c.get("cleanup.policy").value()).as(t.name()).isEqualTo(t.compacted() ? "compact" : "delete");
                assertThat(c.get("message.timestamp.after.max.ms").value()).isEqualTo(Long.toString(Long.MAX_VALUE));
                assertThat(partitions(admin, t.name("idem."))).isEqualTo(2);
            }
            assertThat(config(admin, "idem.status").get("segment.ms").value()).isEqualTo("3600000");
            assertThat(config(admin, "idem.journal").get("retention.ms").value()).isEqualTo("-1");
            for (Topic<?> t : Topics.all()) {
                Config c = config(admin, t.name("idem."));
                for (String key : List.of("retention.bytes", "segment.bytes", "max.message.bytes")) {
                    if (t.configs().containsKey(key)) {
                        assertThat(c.get(key).value()).as(t.name() + " " + key).isEqualTo(t.configs().get(key));
                    }
                }
            }
        }
    }

    @Test
    void shouldFixConfigsThatDriftedAndReportThem() throws Exception {
        TopicAdmin.Options options = TopicAdmin.Options.defaults().withPrefix("drift.").withPartitions(1);
        try (Admin admin = kafka.admin()) {
            assertThat(TopicAdmin.ensureTopics(admin, options).created()).hasSize(13);
            alter(admin, "drift.status", "cleanup.policy", "delete");
            alter(admin, "drift.spikes", "retention.ms", "1000");

            TopicAdmin.Result dry = TopicAdmin.ensureTopics(admin, options.withDryRun(true));
            assertThat(dry.fixed()).extracting(TopicAdmin.Change::toString).containsExactlyInAnyOrder(
                    "drift.spikes: retention.ms 1000 -> 86400000", "drift.status: cleanup.policy delete -> compact");
            assertThat(config(admin, "drift.status").get("cleanup.policy").value()).isEqualTo("delete");

            TopicAdmin.Result fixed = TopicAdmin.ensureTopics(admin, options);
            assertThat(fixed.fixed()).hasSize(2);
            assertThat(fixed.ok()).isTrue();
            awaitConfig(admin, "drift.status", "cleanup.policy", "compact");
            awaitConfig(admin, "drift.spikes", "retention.ms", "86400000");
            assertThat(TopicAdmin.ensureTopics(admin, options).fixed()).isEmpty();
        }
    }

    @Test
    void shouldMatchThePartitionsOfExistingTopicsAndReportMismatches() throws Exception {
        try (Admin admin = kafka.admin()) {
            admin.createTopics(List.of(new NewTopic("parts.spikes", 3, (short) 1))).all().get();
            awaitListed(admin, "parts.spikes");

            TopicAdmin.Result r = TopicAdmin.ensureTopics(admin, TopicAdmin.Options.defaults().withPrefix("parts."));
            assertThat(r.created()).hasSize(12);
            assertThat(r.found()).containsExactly("parts.spikes");
            assertThat(r.problems()).isEmpty();
            assertThat(partitions(admin, "parts.status")).isEqualTo(3);

            TopicAdmin.Result asked = TopicAdmin.ensureTopics(admin,
                    TopicAdmin.Options.defaults().withPrefix("parts.").withPartitions(6));
            assertThat(asked.problems()).singleElement().asString().contains("3 partitions, not the 6 asked for");
        }
    }

    @Test
    void shouldAcceptSimulatedTimestampsHoursAheadOfTheWallClock() throws Exception {
        long twoHoursAhead = System.currentTimeMillis() + Duration.ofHours(2).toMillis();
        try (Admin admin = kafka.admin()) {
            TopicAdmin.ensureTopics(admin, TopicAdmin.Options.defaults().withPrefix("ts.").withPartitions(1));
            admin.createTopics(List.of(new NewTopic("ts.plain", Optional.of(1), Optional.empty()))).all().get();
        }
        Frame frame = (Frame) Samples.full(Frame.class);
        Map<String, Object> pc = kafka.clientConfig();
        pc.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 10_000);
        pc.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
        pc.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        try (KafkaProducer<String, Frame> producer = new KafkaProducer<>(pc, new StringSerializer(), Topics.FRAMES.valueSerde())) {
            producer.send(new ProducerRecord<>(Topics.FRAMES.name("ts."), null, twoHoursAhead, Samples.NET, frame))
                    .get(10, TimeUnit.SECONDS);
            // a topic with the broker's defaults (Kafka 4: at most one hour ahead) refuses the same record
            assertThatThrownBy(() -> producer.send(new ProducerRecord<>("ts.plain", null, twoHoursAhead, Samples.NET, frame))
                    .get(10, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(InvalidTimestampException.class);
        }

        Map<String, Object> cc = kafka.clientConfig();
        cc.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        try (KafkaConsumer<String, Frame> consumer = new KafkaConsumer<>(cc,
                Topics.FRAMES.keySerde().deserializer(), Topics.FRAMES.valueSerde())) {
            TopicPartition tp = new TopicPartition(Topics.FRAMES.name("ts."), 0);
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            List<ConsumerRecord<String, Frame>> got = new java.util.ArrayList<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (got.isEmpty() && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(got::add);
            }
            assertThat(got).singleElement().satisfies(r -> {
                assertThat(r.key()).isEqualTo(Samples.NET);
                assertThat(r.timestamp()).isEqualTo(twoHoursAhead);
                assertThat(r.value()).isEqualTo(frame);
            });
        }
    }

    /** A topic's partition count, asking again while the broker does not know the just-created topic yet. */
    private static int partitions(Admin admin, String topic) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            try {
                return admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions().size();
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException) || System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(20);
            }
        }
    }

    /**
     * Waits until the topic listing shows a just-created topic: the precondition "an existing topic". (The
     * listing lags the creation a moment; on a loaded machine ensureTopics once missed the topic, created it
     * with the default count and found it existing meanwhile.)
     */
    private static void awaitListed(Admin admin, String topic) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!admin.listTopics().names().get().contains(topic)) {
            assertThat(System.nanoTime()).as("%s never listed", topic).isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    private static Config config(Admin admin, String topic) throws Exception {
        ConfigResource r = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        return admin.describeConfigs(List.of(r)).all().get().get(r);
    }

    private static void alter(Admin admin, String topic, String key, String value) throws Exception {
        ConfigResource r = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        admin.incrementalAlterConfigs(Map.of(r, List.of(new AlterConfigOp(new ConfigEntry(key, value),
                AlterConfigOp.OpType.SET)))).all().get();
        awaitConfig(admin, topic, key, value);
    }

    /** Waits until the broker's view of a topic config shows the value: changes reach it a moment after the call. */
    private static void awaitConfig(Admin admin, String topic, String key, String value) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!value.equals(config(admin, topic).get(key).value())) {
            assertThat(System.nanoTime()).as("%s %s never became %s", topic, key, value).isLessThan(deadline);
            Thread.sleep(20);
        }
    }
}
