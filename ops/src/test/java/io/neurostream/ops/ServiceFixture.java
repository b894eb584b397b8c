package io.neurostream.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.neurostream.broker.EmbeddedBroker;
import io.neurostream.broker.SharedBroker;
import io.neurostream.ingest.NeuroStreamClient;
import io.neurostream.schemas.TopicAdmin;
import io.neurostream.simulator.SimulatorConfig;
import io.neurostream.simulator.SimulatorService;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the ops integration tests against a live service share: the shared in-JVM broker, fresh topics
 * under a random prefix of their own, a real {@link SimulatorService} on them, and {@code neurostream}
 * run in this JVM against that broker and prefix. One per test class: start it before all, close it after.
 */
final class ServiceFixture implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ServiceFixture.class);

    private final EmbeddedBroker kafka;
    private final String prefix;
    private final SimulatorService simulator;

    private ServiceFixture(EmbeddedBroker kafka, String prefix, SimulatorService simulator) {
        this.kafka = kafka;
        this.prefix = prefix;
        this.simulator = simulator;
    }

    /**
     * Creates every topic under {@code prefixBase} + 8 random hex digits + "." with {@code partitions}
     * partitions each, then starts a simulator on them (instance {@code <prefix>sim-1}, group
     * {@code <prefix>simulator}).
     */
    static ServiceFixture start(String prefixBase, int partitions) throws InterruptedException {
        EmbeddedBroker kafka = SharedBroker.get();
        String prefix = prefixBase + UUID.randomUUID().toString().substring(0, 8) + ".";
        try (Admin admin = kafka.admin()) {
            assertThat(TopicAdmin.ensureTopics(admin, TopicAdmin.Options.defaults().withPrefix(prefix)
                    .withPartitions(partitions)).ok()).isTrue();
        }
        Map<String, Object> props = new HashMap<>(kafka.clientConfig());
        props.put(SimulatorConfig.TOPIC_PREFIX, prefix);
        props.put(SimulatorConfig.INSTANCE_ID, prefix + "sim-1");
        props.put(SimulatorConfig.GROUP_ID, prefix + "simulator");
        SimulatorService simulator = new SimulatorService(new SimulatorConfig(props));
        simulator.start();
        return new ServiceFixture(kafka, prefix, simulator);
    }

    /** The broker the topics and the simulator are on. */
    EmbeddedBroker kafka() {
        return kafka;
    }

    /** The topic prefix, ending in ".". */
    String prefix() {
        return prefix;
    }

    String bootstrap() {
        return kafka.bootstrapServers();
    }

    SimulatorService simulator() {
        return simulator;
    }

    /**
     * Runs {@code neurostream args...} in this JVM with {@code --bootstrap-server} and the topic prefix
     * appended, and logs how it ended (so that a failing test's log shows what each command said).
     */
    Cli cli(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--bootstrap-server", bootstrap(), "--property", "neurostream.topic.prefix=" + prefix));
        Cli c = Cli.run(all.toArray(String[]::new));
        LOG.info("neurostream {} -> exit {}, out: {} err: {}", String.join(" ", args), c.exitCode(), c.out().strip(),
                c.err().strip());
        return c;
    }

    /** Settings a {@link NeuroStreamClient} on these topics takes: the broker's client settings and the prefix. */
    Map<String, Object> clientSettings() {
        Map<String, Object> s = new HashMap<>(kafka.clientConfig());
        s.put(NeuroStreamClient.TOPIC_PREFIX, prefix);
        return s;
    }

    @Override
    public void close() {
        simulator.close();
    }
}
