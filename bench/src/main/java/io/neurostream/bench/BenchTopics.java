package io.neurostream.bench;

import io.neurostream.broker.EmbeddedBroker;
import io.neurostream.schemas.TopicAdmin;
import io.neurostream.simulator.SimulatorConfig;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;

/** The service benchmarks' common start: every topic under a prefix, one partition each, on the in-JVM broker. */
final class BenchTopics {
    private BenchTopics() {
    }

    /** Creates the topics under {@code prefix} and returns a simulator's settings for them. */
    static Map<String, Object> simulatorSettings(EmbeddedBroker broker, String prefix) throws Exception {
        try (Admin admin = broker.admin()) {
            TopicAdmin.ensureTopics(admin, TopicAdmin.Options.defaults().withPrefix(prefix).withPartitions(1));
        }
        Map<String, Object> sim = new HashMap<>(broker.clientConfig());
        sim.put(SimulatorConfig.TOPIC_PREFIX, prefix);
        return sim;
    }
}
