package io.neurostream.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real brokers in this JVM: a temporary one, a persistent one restarted, the shared one. */
class EmbeddedBrokerIntegrationTest {

    @Test
    void shouldServeProduceAndConsumeAndDeleteItsTemporaryFilesOnClose() throws Exception {
        Path dir;
        try (EmbeddedBroker kafka = EmbeddedBroker.builder().build().start()) {
            dir = kafka.dataDir();
            assertThat(kafka.bootstrapServers()).startsWith("127.0.0.1:");
            createTopic(kafka, "t");
            send(kafka, "t", "k", "hello");
            assertThat(readAll(kafka, "t", 1)).containsExactly("hello");
        }
        assertThat(Files.exists(dir)).isFalse();
    }

    @Test
    void shouldFindItsTopicsAndRecordsAgainAfterARestartOnTheSameDataDir(@TempDir Path dir) throws Exception {
        try (EmbeddedBroker first = EmbeddedBroker.builder().dataDir(dir).build().start()) {
            createTopic(first, "kept");
            send(first, "kept", "k", "before restart");
        }
        assertThat(dir.resolve("logs").resolve("meta.properties")).exists();
        String clusterId = Files.readString(dir.resolve("logs").resolve("meta.properties"));

        // other ports this time: the storage is not formatted again, the cluster id stays
        try (EmbeddedBroker second = EmbeddedBroker.builder().dataDir(dir).build().start()) {
            send(second, "kept", "k", "after restart");
            assertThat(readAll(second, "kept", 2)).containsExactly("before restart", "after restart");
            try (Admin admin = second.admin()) {
                assertThat(admin.listTopics().names().get(10, TimeUnit.SECONDS)).contains("kept");
            }
        }
        assertThat(Files.readString(dir.resolve("logs").resolve("meta.properties"))).isEqualTo(clusterId);
        assertThat(dir).exists();
    }

    @Test
    void shouldStartTheSharedBrokerOnceAndRefuseToCloseIt() {
        EmbeddedBroker a = SharedBroker.get();
        EmbeddedBroker b = SharedBroker.get();
        assertThat(a).isSameAs(b);
        assertThatThrownBy(a::close).isInstanceOf(IllegalStateException.class).hasMessageContaining("do not close it");
        assertThat(a.bootstrapServers()).startsWith("127.0.0.1:");
    }

    @Test
    void shouldRefuseTheClientPortOfARunningBroker() {
        EmbeddedBroker running = SharedBroker.get();
        assertThatThrownBy(() -> EmbeddedBroker.builder().port(running.port()).build().start())
                .isInstanceOf(PortInUseException.class);
    }

    private static void createTopic(EmbeddedBroker kafka, String name) throws Exception {
        try (Admin admin = kafka.admin()) {
            admin.createTopics(List.of(new NewTopic(name, Optional.of(1), Optional.empty()))).all().get(30, TimeUnit.SECONDS);
        }
    }

    private static void send(EmbeddedBroker kafka, String topic, String key, String value) throws Exception {
        Map<String, Object> c = kafka.clientConfig();
        c.put("delivery.timeout.ms", 20_000);
        c.put("request.timeout.ms", 10_000);
        try (KafkaProducer<String, String> p = new KafkaProducer<>(c, new StringSerializer(), new StringSerializer())) {
            p.send(new ProducerRecord<>(topic, key, value)).get(30, TimeUnit.SECONDS);
        }
    }

    private static List<String> readAll(EmbeddedBroker kafka, String topic, int expected) {
        List<String> got = new ArrayList<>();
        try (KafkaConsumer<String, String> c = new KafkaConsumer<>(kafka.clientConfig(), new StringDeserializer(),
                new StringDeserializer())) {
            TopicPartition tp = new TopicPartition(topic, 0);
            c.assign(List.of(tp));
            c.seekToBeginning(List.of(tp));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (got.size() < expected && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(200))) {
                    got.add(r.value());
                }
            }
        }
        return got;
    }
}
