package io.neurostream.ingest;

import io.neurostream.broker.EmbeddedBroker;
import io.neurostream.broker.SharedBroker;
import io.neurostream.schemas.TopicAdmin;
import io.neurostream.simulator.SimulatorConfig;
import io.neurostream.simulator.SimulatorService;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;

/**
 * What the ingest integration tests share: the shared in-JVM broker, fresh topics under a prefix of
 * their own (two partitions), and optionally a real {@link SimulatorService} on them.
 */
final class SimulatorFixture implements AutoCloseable {
    final EmbeddedBroker kafka;
    final String prefix;
    private SimulatorService service;

    SimulatorFixture(String prefixStart) throws InterruptedException {
        this.kafka = SharedBroker.get();
        this.prefix = prefixStart + "-" + UUID.randomUUID().toString().substring(0, 8) + ".";
        try (Admin admin = kafka.admin()) {
            TopicAdmin.ensureTopics(admin, TopicAdmin.Options.defaults().withPrefix(prefix).withPartitions(2));
        }
    }

    /** Starts a simulator service on this fixture's topics. */
    SimulatorFixture withSimulator() {
        Map<String, Object> props = new HashMap<>(kafka.clientConfig());
        props.put(SimulatorConfig.TOPIC_PREFIX, prefix);
        props.put(SimulatorConfig.INSTANCE_ID, prefix + "sim-1");
        props.put(SimulatorConfig.GROUP_ID, prefix + "simulator");
        service = new SimulatorService(new SimulatorConfig(props));
        service.start();
        return this;
    }

    /** Settings a client on this fixture's topics takes: the broker's client settings and the prefix. */
    Map<String, Object> clientSettings() {
        Map<String, Object> s = new HashMap<>(kafka.clientConfig());
        s.put(NeuroStreamClient.TOPIC_PREFIX, prefix);
        return s;
    }

    /** The service's fatal error, or null (also null when no service runs). */
    Throwable simulatorFailure() {
        return service == null ? null : service.failure();
    }

    static String resource(String name) {
        try (InputStream in = SimulatorFixture.class.getResourceAsStream("/" + name)) {
            if (in == null) {
                throw new IllegalStateException("no test resource " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        if (service != null) {
            service.close();
        }
    }
}
