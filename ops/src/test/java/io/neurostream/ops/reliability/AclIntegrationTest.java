package io.neurostream.ops.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.neurostream.analytics.AnalyticsApp;
import io.neurostream.analytics.AnalyticsConfig;
import io.neurostream.broker.EmbeddedBroker;
import io.neurostream.schemas.Topics;
import io.neurostream.schemas.avro.ExternalInput;
import io.neurostream.simulator.Commands;
import io.neurostream.simulator.SimulatorConfig;
import io.neurostream.simulator.SimulatorService;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ACLs of docs/reliability.md on a broker with an authorizer ({@code StandardAuthorizer}, nothing
 * allowed without an ACL) and a SASL/PLAIN listener: an input team may write {@code external-input} but
 * not {@code control}; the simulator, with only its grants, runs a network, journals the team's input and
 * recovers it after a restart (reading back checkpoints, status and journal); the analytics, with only
 * its grants, creates its changelogs and publishes rates. The broker's PLAINTEXT listener is the test's
 * own (anonymous, super user), used only to create topics and ACLs and to watch.
 */
@Timeout(120)
class AclIntegrationTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final Map<String, String> USERS = Map.of("team-a", "team-a-secret", "operator", "operator-secret",
            "neurostream-simulator", "simulator-secret", "neurostream-analytics", "analytics-secret");

    private static Map<String, Object> sasl(int port, String user) {
        Map<String, Object> c = new HashMap<>();
        c.put("bootstrap.servers", "127.0.0.1:" + port);
        c.put("security.protocol", "SASL_PLAINTEXT");
        c.put("sasl.mechanism", "PLAIN");
        c.put("sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"" + user
                + "\" password=\"" + USERS.get(user) + "\";");
        return c;
    }

    @Test
    void shouldLetAnInputTeamFeedNetworksButNotControlThem(@TempDir Path state) throws Exception {
        int port = EmbeddedBroker.freePort();
        int saslPort = EmbeddedBroker.freePort();
        int controllerPort = EmbeddedBroker.freePort();
        StringBuilder jaas = new StringBuilder("org.apache.kafka.common.security.plain.PlainLoginModule required");
        USERS.forEach((u, p) -> jaas.append(" user_").append(u).append("=\"").append(p).append('"'));
        jaas.append(';');
        String prefix = Kit.prefix("acl");
        String group = prefix + "simulator";
        String app = prefix + "analytics";
        Map<String, List<Acls.Grant>> grants = Acls.grants(prefix, "User:team-a", "User:operator",
                "User:neurostream-simulator", group, "User:neurostream-analytics", app);
        try (EmbeddedBroker broker = EmbeddedBroker.builder().port(port).controllerPort(controllerPort)
                .property("listeners", "PLAINTEXT://127.0.0.1:" + port + ",SASL_PLAINTEXT://127.0.0.1:" + saslPort
                        + ",CONTROLLER://127.0.0.1:" + controllerPort)
                .property("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port + ",SASL_PLAINTEXT://127.0.0.1:" + saslPort)
                .property("listener.security.protocol.map",
                        "PLAINTEXT:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT,CONTROLLER:PLAINTEXT")
                .property("sasl.enabled.mechanisms", "PLAIN")
                .property("listener.name.sasl_plaintext.plain.sasl.jaas.config", jaas.toString())
                .property("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer")
                .property("super.users", "User:ANONYMOUS")
                .build().start()) {
            Kit.topics(broker, prefix, 1);
            List<AclBinding> bindings = new ArrayList<>();
            grants.values().forEach(list -> list.forEach(g -> bindings.addAll(g.bindings())));
            try (Admin admin = broker.admin()) {
                admin.createAcls(bindings).all().get();
            }
            System.out.print(Acls.commands(grants));

            Map<String, Object> sim = sasl(saslPort, "neurostream-simulator");
            sim.put(SimulatorConfig.TOPIC_PREFIX, prefix);
            sim.put(SimulatorConfig.GROUP_ID, group);
            sim.put(SimulatorConfig.INSTANCE_ID, "sim-1");
            sim.put(SimulatorConfig.CHECKPOINT_INTERVAL_FRAMES, "100");
            Map<String, Object> an = sasl(saslPort, "neurostream-analytics");
            an.putAll(Map.of(AnalyticsConfig.TOPIC_PREFIX, prefix, AnalyticsConfig.APPLICATION_ID, app,
                    AnalyticsConfig.WINDOW_SIZE_MS, "200", AnalyticsConfig.WINDOW_ADVANCE_MS, "100",
                    AnalyticsConfig.WINDOW_GRACE_MS, "50", "state.dir", state.toString(), "commit.interval.ms", "100"));
            String id = "net-a";
            ExternalInput in = Commands.current(id, List.of("E"), 2.0, 1000L, 200);
            try (CommittedLog log = new CommittedLog(broker.clientConfig(), prefix,
                        List.of(Topics.FRAMES, Topics.SPIKES, Topics.JOURNAL, Topics.STATUS, Topics.RATES, Topics.REJECTED));
                    KafkaProducer<String, byte[]> operator = Kit.producer(sasl(saslPort, "operator"));
                    KafkaProducer<String, byte[]> team = Kit.producer(sasl(saslPort, "team-a"));
                    AnalyticsApp analytics = new AnalyticsApp(new AnalyticsConfig(an))) {
                analytics.start();
                SimulatorService simulator = new SimulatorService(new SimulatorConfig(sim));
                try {
                    simulator.start();
                    Kit.send(operator, prefix, Commands.create(id, Kit.cuba()));
                    team.send(new ProducerRecord<>(Topics.EXTERNAL_INPUT.name(prefix), id,
                            Topics.EXTERNAL_INPUT.valueSerde().encode(in))).get();
                    assertThatThrownBy(() -> team.send(new ProducerRecord<>(Topics.CONTROL.name(prefix), id,
                            Topics.CONTROL.valueSerde().encode(Commands.stop(id)))).get())
                            .as("team-a writing to control").hasCauseInstanceOf(TopicAuthorizationException.class);
                    Kit.send(operator, prefix, Commands.step(id, 3000));
                    log.await("300 frames from the simulator with its own grants (failed: " + simulator.failure() + ")",
                            WAIT, () -> Reference.newestFrame(log, id) >= 299);
                    assertThat(log.values(Topics.JOURNAL, id)).as("team-a's input journaled at its tick")
                            .anyMatch(a -> a.getPayload() instanceof ExternalInput && a.getTick() == 1000);
                } finally {
                    simulator.close();
                }
                assertThat(simulator.failure()).isNull();

                // a restart recovers from what the simulator may read back: checkpoints, status, journal
                SimulatorService again = new SimulatorService(new SimulatorConfig(sim));
                try {
                    again.start();
                    Kit.send(operator, prefix, Commands.step(id, 2000));
                    log.await("500 frames after a restart (failed: " + again.failure() + ")", WAIT,
                            () -> Reference.newestFrame(log, id) >= 499);
                } finally {
                    again.close();
                }
                assertThat(again.failure()).isNull();
                log.await("rates from the analytics with its own grants (state " + analytics.state() + ")", WAIT,
                        () -> !log.values(Topics.RATES, id).isEmpty());
                assertThat(log.values(Topics.REJECTED, id)).isEmpty();
                Reference.run(Kit.cuba(), id, List.of(in), 5000).verify(log);
            }
        }
        // the commands documented are the ones checked here (with the default prefix and ids)
        String documented = Files.readString(Path.of("..", "docs", "reliability.md"), StandardCharsets.UTF_8);
        String commands = Acls.commands(Acls.grants("neurostream.", "User:team-a", "User:operator",
                "User:neurostream-simulator", "neurostream.simulator", "User:neurostream-analytics",
                "neurostream.analytics"));
        assertThat(documented).as("docs/reliability.md quotes the ACL commands this test checks").contains(commands);
    }
}
