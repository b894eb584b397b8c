package io.neurostream.ops.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.neurostream.broker.EmbeddedBroker;
import io.neurostream.schemas.Topics;
import io.neurostream.schemas.avro.Status;
import io.neurostream.simulator.Commands;
import io.neurostream.simulator.SimulatorConfig;
import io.neurostream.simulator.SimulatorService;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The smallest hand-over, in this JVM and without a fault: a second simulator instance joins the group
 * while the first runs two networks (one per partition) that have checkpoints. The eager rebalance
 * revokes both partitions from the first instance (it checkpoints and commits), then assigns one to each;
 * each network must go on where it stopped, on whichever instance owns it, with nothing lost or
 * duplicated. Every fault test depends on this path (a restarted or surviving instance restores from a
 * checkpoint in {@code onPartitionsAssigned}).
 */
@Timeout(90)
class SimulatorRebalanceIntegrationTest {
    private static final Duration WAIT = Duration.ofSeconds(40);
    private static EmbeddedBroker broker;

    @BeforeAll
    static void broker() {
        broker = Kit.sharedBroker();
    }

    private static SimulatorService service(String prefix, String instance) {
        Map<String, Object> p = new HashMap<>(broker.clientConfig());
        p.put(SimulatorConfig.TOPIC_PREFIX, prefix);
        p.put(SimulatorConfig.GROUP_ID, prefix + "simulator");
        p.put(SimulatorConfig.INSTANCE_ID, instance);
        p.put(SimulatorConfig.CHECKPOINT_INTERVAL_FRAMES, "200");
        SimulatorService s = new SimulatorService(new SimulatorConfig(p));
        s.start();
        return s;
    }

    /** The instance of each network's newest committed Status. */
    static List<String> owners(CommittedLog log, List<String> ids) {
        return ids.stream().map(id -> {
            List<Status> st = log.values(Topics.STATUS, id);
            return st.isEmpty() ? "" : String.valueOf(st.get(st.size() - 1).getInstanceId());
        }).toList();
    }

    @Test
    void shouldContinueEveryNetworkExactlyWhenASecondInstanceJoins() throws Exception {
        String prefix = Kit.prefix("join");
        Kit.topics(broker, prefix, 2);
        List<String> ids = Networks.onEachPartition(2, 1);
        String spec = Kit.cuba();
        try (CommittedLog log = new CommittedLog(broker.clientConfig(), prefix,
                    List.of(Topics.FRAMES, Topics.SPIKES, Topics.STATUS, Topics.JOURNAL, Topics.REJECTED));
                KafkaProducer<String, byte[]> control = Kit.producer(broker.clientConfig());
                SimulatorService a = service(prefix, "a")) {
            for (String id : ids) {
                Kit.send(control, prefix, Commands.create(id, spec));
                Kit.send(control, prefix, Commands.start(id, 1.0));
            }
            for (String id : ids) {
                log.await("frame 300 of " + id + " (a checkpoint at 200)", WAIT, () -> Reference.newestFrame(log, id) >= 300);
            }
            try (SimulatorService b = service(prefix, "b")) {
                log.await("each instance hosting one network (a failed: " + a.failure() + "; b failed: " + b.failure()
                        + ")", WAIT, () -> owners(log, ids).containsAll(List.of("a", "b")));
                Map<String, Long> handedOver = new HashMap<>();
                for (String id : ids) {
                    handedOver.put(id, Reference.newestFrame(log, id));
                }
                for (String id : ids) {
                    log.await(id + " 500 frames on after the hand-over (a failed: " + a.failure() + "; b failed: "
                            + b.failure() + ")", WAIT, () -> Reference.newestFrame(log, id) >= handedOver.get(id) + 500);
                }
                assertThat(a.failure()).as("instance a's failure").isNull();
                assertThat(b.failure()).as("instance b's failure").isNull();
            }
            for (String id : ids) {
                long ticks = (Reference.newestFrame(log, id) + 1) * 10;
                Reference.run(spec, id, List.of(), ticks).verify(log);
            }
        }
    }
}
