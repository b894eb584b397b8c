package io.neurostream.ops.reliability;

import io.neurostream.broker.EmbeddedBroker;
import io.neurostream.schemas.TopicAdmin;
import io.neurostream.schemas.Topics;
import io.neurostream.schemas.avro.Control;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** What the fault tests share: a broker set up for fast takeovers, topics, the CUBA spec, service arguments. */
final class Kit {
    /**
     * The broker aborts timed-out transactions every second (Kafka's default checks every 10 s, which would
     * add up to 10 s to every takeover by another instance); everything else is EmbeddedBroker's defaults.
     */
    static final String ABORT_CHECK_MS = "1000";

    /** Settings every child simulator gets: fast failure detection, short transactions, frequent checkpoints. */
    static final Map<String, String> SIMULATOR_DEFAULTS = orderedMap(
            "simulator.checkpoint.interval.frames", "200",
            "transaction.timeout.ms", "10000",
            "session.timeout.ms", "6000",
            "heartbeat.interval.ms", "1000");

    private Kit() {
    }

    private static EmbeddedBroker shared;

    /**
     * The broker the fault tests of this JVM share (each uses its own topic prefix and groups), started on
     * first use, stopped when the JVM exits. BrokerRestartIntegrationTest, which stops its broker, has its own.
     */
    static synchronized EmbeddedBroker sharedBroker() {
        if (shared == null) {
            EmbeddedBroker b = broker().build().start();
            Runtime.getRuntime().addShutdownHook(new Thread(b::close, "reliability-broker-shutdown"));
            shared = b;
        }
        return shared;
    }

    static EmbeddedBroker.Builder broker() {
        return EmbeddedBroker.builder()
                .property("transaction.abort.timed.out.transaction.cleanup.interval.ms", ABORT_CHECK_MS);
    }

    /** A fresh topic prefix, so runs never see each other's records. */
    static String prefix(String what) {
        return "rel-" + what + "-" + UUID.randomUUID().toString().substring(0, 8) + ".";
    }

    static void topics(EmbeddedBroker broker, String prefix, int partitions) throws InterruptedException {
        try (Admin admin = broker.admin()) {
            TopicAdmin.Result r = TopicAdmin.ensureTopics(admin,
                    TopicAdmin.Options.defaults().withPrefix(prefix).withPartitions(partitions));
            if (!r.ok()) {
                throw new IllegalStateException(r.summary());
            }
        }
    }

    /** CUBA (Brette et al. 2007): 4000 LIF neurons, dt 0.1 ms, about 5 Hz; about 40x faster than real time here. */
    static String cuba() {
        try (InputStream in = Kit.class.getResourceAsStream("/io/neurostream/ops/bench/cuba.json")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static KafkaProducer<String, byte[]> producer(Map<String, Object> clientConfig) {
        Map<String, Object> p = new HashMap<>(clientConfig);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        return new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    }

    static void send(KafkaProducer<String, byte[]> producer, String prefix, Control c) {
        try {
            producer.send(new ProducerRecord<>(Topics.CONTROL.name(prefix), c.getNetworkId(),
                    Topics.CONTROL.valueSerde().encode(c))).get();
        } catch (Exception e) {
            throw new IllegalStateException("could not send " + c.getCommand() + " to " + c.getNetworkId(), e);
        }
    }

    /** {@code simulate --bootstrap-server … --property …} for one instance. */
    static List<String> simulate(String bootstrap, String prefix, String instanceId, Map<String, String> extra) {
        Map<String, String> props = new LinkedHashMap<>();
        props.put("neurostream.topic.prefix", prefix);
        props.put("simulator.group.id", prefix + "simulator");
        props.put("simulator.instance.id", instanceId);
        props.putAll(SIMULATOR_DEFAULTS);
        props.putAll(extra);
        return args("simulate", bootstrap, props);
    }

    /** {@code analytics --bootstrap-server … --property …}. */
    static List<String> analytics(String bootstrap, String prefix, Map<String, String> props) {
        Map<String, String> all = new LinkedHashMap<>();
        all.put("neurostream.topic.prefix", prefix);
        all.put("analytics.application.id", prefix + "analytics");
        all.putAll(props);
        return args("analytics", bootstrap, all);
    }

    /**
     * {@code command --bootstrap-server … --metrics-port 0 --property …}: a free port for /metrics, since the
     * tests run several simulators (and analytics) on this machine at once, where the fixed default port
     * would refuse the second one.
     */
    private static List<String> args(String command, String bootstrap, Map<String, String> props) {
        List<String> a = new ArrayList<>(List.of(command, "--bootstrap-server", bootstrap, "--metrics-port", "0"));
        props.forEach((k, v) -> {
            a.add("--property");
            a.add(k + "=" + v);
        });
        return a;
    }

    static Map<String, String> orderedMap(String... kv) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    static String ms(long nanos) {
        return String.format(Locale.ROOT, "%.0f ms", nanos / 1e6);
    }
}
