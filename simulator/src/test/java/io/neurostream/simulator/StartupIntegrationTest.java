package io.neurostream.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import io.neurostream.broker.EmbeddedBroker;
import io.neurostream.schemas.TopicAdmin;
import io.neurostream.schemas.Topics;
import io.neurostream.schemas.avro.Control;
import io.neurostream.schemas.avro.Status;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * The simulator's start against a cluster that does not answer: a wrong address fails within max.block.ms
 * with one error naming it (not after the 5 minutes a running simulator waits for a broker that went away),
 * a stop while waiting is prompt, and a broker that comes up late, within the wait, is simply used.
 */
class StartupIntegrationTest {

    private static Map<String, Object> settings(int port, String prefix) {
        Map<String, Object> props = new HashMap<>();
        props.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:" + port);
        props.put(SimulatorConfig.TOPIC_PREFIX, prefix);
        props.put(SimulatorConfig.INSTANCE_ID, prefix.replace(".", ""));
        props.put(SimulatorConfig.GROUP_ID, prefix + "simulator");
        return props;
    }

    private static Throwable awaitFailure(SimulatorService service, Duration within) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (service.failure() == null && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        return service.failure();
    }

    @Test
    void shouldFailNamingTheAddressWhenNoBrokerAnswersWithinMaxBlockMs() throws Exception {
        int port = EmbeddedBroker.freePort();
        Map<String, Object> props = settings(port, "startup-none.");
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "3000");
        try (SimulatorService service = new SimulatorService(new SimulatorConfig(props))) {
            service.start();
            // before, the loop waited in initTransactions() for the producer's max.block.ms and then failed with
            // "Timeout expired after 3000ms while awaiting InitProducerId", which names no address; with the
            // default of 5 minutes that was a 5-minute wait for a typo
            Throwable failure = awaitFailure(service, Duration.ofSeconds(60));
            assertThat(failure).isInstanceOf(io.neurostream.schemas.ClusterWait.UnreachableException.class)
                    .hasMessage("no Kafka broker answered at bootstrap.servers=127.0.0.1:" + port
                            + " within 3.0 s (max.block.ms): check the address and that the broker is up");
        }
    }

    @Test
    void shouldStopPromptlyWhileWaitingForTheCluster() throws Exception {
        int port = EmbeddedBroker.freePort();
        SimulatorService service = new SimulatorService(new SimulatorConfig(settings(port, "startup-stop.")));
        service.start();
        Thread.sleep(500);
        Thread closer = new Thread(service::close);
        closer.start();
        // within one describe attempt (2 s), not the 60 s of the wait: a generous bound that only a close
        // waiting for the whole wait (or for the producer's 5 minutes) fails
        closer.join(Duration.ofSeconds(30).toMillis());
        assertThat(closer.isAlive()).as("close() still waiting after 30 s").isFalse();
        assertThat(service.failure()).isNull();
    }

    @Test
    void shouldUseABrokerThatComesUpWhileItWaits() throws Exception {
        int port = EmbeddedBroker.freePort();
        String prefix = "startup-late.";
        SimulatorService service = new SimulatorService(new SimulatorConfig(settings(port, prefix)));
        EmbeddedBroker broker = null;
        try {
            service.start();
            Thread.sleep(3_000); // the simulator is waiting now (it warns once)
            assertThat(service.failure()).isNull();
            broker = EmbeddedBroker.builder().port(port).build().start();
            try (Admin admin = broker.admin()) {
                TopicAdmin.ensureTopics(admin, TopicAdmin.Options.defaults().withPrefix(prefix));
            }
            try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(broker.clientConfig(), new StringSerializer(),
                    new ByteArraySerializer())) {
                send(producer, prefix, Commands.create("late", SimulatorCoreTest.CUBA));
                send(producer, prefix, Commands.step("late", 50));
            }
            Map<String, Object> rp = new HashMap<>(broker.clientConfig());
            rp.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            rp.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            rp.put(ConsumerConfig.GROUP_ID_CONFIG, prefix + "reader");
            long tick = -1;
            try (KafkaConsumer<String, byte[]> reader = new KafkaConsumer<>(rp, new StringDeserializer(), new ByteArrayDeserializer())) {
                reader.subscribe(List.of(Topics.STATUS.name(prefix)));
                long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
                while (tick < 50 && System.nanoTime() < deadline && service.failure() == null) {
                    for (ConsumerRecord<String, byte[]> r : reader.poll(Duration.ofMillis(200))) {
                        Status s = Topics.STATUS.valueSerde().decode(r.value());
                        tick = Math.max(tick, s.getTick());
                    }
                }
            }
            assertThat(service.failure()).isNull();
            assertThat(tick).as("the network's committed tick").isEqualTo(50);
        } finally {
            service.close(); // while the broker is still up: a clean stop commits its last checkpoints
            if (broker != null) {
                broker.close();
            }
        }
    }

    private static void send(KafkaProducer<String, byte[]> producer, String prefix, Control c) {
        producer.send(new ProducerRecord<>(Topics.CONTROL.name(prefix), c.getNetworkId(), Topics.CONTROL.valueSerde().encode(c)));
        producer.flush();
    }
}
