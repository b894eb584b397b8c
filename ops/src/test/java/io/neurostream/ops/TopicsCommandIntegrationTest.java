package io.neurostream.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.neurostream.broker.EmbeddedBroker;
import io.neurostream.broker.SharedBroker;
import io.neurostream.schemas.Topics;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;

/** {@code neurostream topics} against a real broker in this JVM. */
class TopicsCommandIntegrationTest {

    private static Cli neurostream(Map<String, String> env, String... args) {
        return Cli.run(env, args);
    }

    @Test
    void shouldCreateEveryTopicThenFindThemAll() throws Exception {
        EmbeddedBroker kafka = SharedBroker.get();

        Cli first = neurostream(Map.of(), "topics", "--bootstrap-server", kafka.bootstrapServers(),
                "--property", "neurostream.topic.prefix=cli1.", "--partitions", "2");

        assertThat(first.exitCode()).as(first.err()).isEqualTo(0);
        assertThat(first.out()).startsWith("created 13, found 0, fixed 0, problems 0").contains("  + cli1.spikes");
        try (Admin admin = kafka.admin()) {
            Set<String> names = admin.listTopics().names().get(10, TimeUnit.SECONDS);
            Topics.all().forEach(t -> assertThat(names).contains(t.name("cli1.")));
        }

        // the prefix from the environment this time; nothing to do
        Cli second = neurostream(Map.of("NEUROSTREAM_NEUROSTREAM_TOPIC_PREFIX", "cli1.",
                "NEUROSTREAM_BOOTSTRAP_SERVERS", kafka.bootstrapServers()), "topics");

        assertThat(second.exitCode()).as(second.err()).isEqualTo(0);
        assertThat(second.out()).startsWith("created 0, found 13, fixed 0, problems 0").contains("  = cli1.status");
    }

    @Test
    void shouldSayWhatItWouldDoInADryRunAndChangeNothing() throws Exception {
        EmbeddedBroker kafka = SharedBroker.get();

        Cli r = neurostream(Map.of(), "topics", "--bootstrap-server", kafka.bootstrapServers(),
                "--property", "neurostream.topic.prefix=dry.", "--dry-run");

        assertThat(r.exitCode()).isEqualTo(0);
        assertThat(r.out()).startsWith("dry run: would create 13, found 0, would fix 0, problems 0");
        try (Admin admin = kafka.admin()) {
            assertThat(admin.listTopics().names().get(10, TimeUnit.SECONDS)).noneMatch(n -> n.startsWith("dry."));
        }
    }

    @Test
    void shouldFailWithinItsTimeoutWhenNoKafkaAnswers() throws Exception {
        int nobody = EmbeddedBroker.freePort();
        long t0 = System.nanoTime();

        Cli r = neurostream(Map.of(), "topics", "--bootstrap-server", "127.0.0.1:" + nobody, "--timeout-s", "2");

        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).startsWith("neurostream: Kafka at 127.0.0.1:" + nobody + ": cannot list the topics");
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(20));
    }
}
