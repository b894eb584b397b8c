package io.neurostream.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.neurostream.broker.EmbeddedBroker;
import io.neurostream.broker.SharedBroker;
import io.neurostream.ingest.NeuroStreamClient;
import io.neurostream.schemas.TopicAdmin;
import io.neurostream.simulator.SimulatorConfig;
import io.neurostream.simulator.SimulatorService;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the ops integration tests against a live service share: the shared in-JVM broker, fresh topics
 * under a random prefix of their own, a real {@link SimulatorService} on them, and {@code neurostream}
 * run in this JVM against that broker and prefix. One per test class: a {@code @RegisterExtension} static
 * field, or {@link #start} in a try-with-resources.
 */
final class ServiceFixture implements BeforeAllCallback, AfterAllCallback, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ServiceFixture.class);

    private final String prefixBase;
    private final int partitions;
    private EmbeddedBroker kafka;
    private String prefix;
    private SimulatorService simulator;

    /**
     * A fixture not started yet: as a {@code @RegisterExtension} static field it starts before all the class's
     * tests (and before its own {@code @BeforeAll} methods) and closes after them all.
     *
     * @param prefixBase the start of the topic prefix, before 8 random hex digits and "."
     * @param partitions partitions of each topic
     */
    ServiceFixture(String prefixBase, int partitions) {
        this.prefixBase = prefixBase;
        this.partitions = partitions;
    }

    /** A fixture started now, for a test that decides itself when (try-with-resources closes it). */
    static ServiceFixture start(String prefixBase, int partitions) throws InterruptedException {
        ServiceFixture f = new ServiceFixture(prefixBase, partitions);
        f.start();
        return f;
    }

    /**
     * Creates every topic under the prefix with the fixture's partitions, then starts a simulator on them
     * (instance {@code <prefix>sim-1}, group {@code <prefix>simulator}).
     */
    private void start() throws InterruptedException {
        kafka = SharedBroker.get();
        prefix = prefixBase + UUID.randomUUID().toString().substring(0, 8) + ".";
        try (Admin admin = kafka.admin()) {
            assertThat(TopicAdmin.ensureTopics(admin, TopicAdmin.Options.defaults().withPrefix(prefix)
                    .withPartitions(partitions)).ok()).isTrue();
        }
        Map<String, Object> props = new HashMap<>(kafka.clientConfig());
        props.put(SimulatorConfig.TOPIC_PREFIX, prefix);
        props.put(SimulatorConfig.INSTANCE_ID, prefix + "sim-1");
        props.put(SimulatorConfig.GROUP_ID, prefix + "simulator");
        simulator = new SimulatorService(new SimulatorConfig(props));
        simulator.start();
    }

    @Override
    public void beforeAll(ExtensionContext context) throws InterruptedException {
        start();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        close();
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

    /**
     * Writes {@code spec} to {@code <dir>/<id>.json} and creates network {@code id} from it with
     * {@code neurostream create}, which must succeed.
     */
    void create(Path dir, String id, String spec) throws IOException {
        Path f = dir.resolve(id + ".json");
        Files.writeString(f, spec);
        Cli c = cli("create", f.toString(), "--id", id);
        assertThat(c.exitCode()).as(c.err()).isZero();
    }

    @Override
    public void close() {
        if (simulator != null) {
            simulator.close();
        }
    }
}
