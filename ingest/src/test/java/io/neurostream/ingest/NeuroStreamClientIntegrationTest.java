package io.neurostream.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.neurostream.schemas.avro.ControlCommand;
import io.neurostream.schemas.avro.ExternalInput;
import io.neurostream.schemas.avro.InputKind;
import io.neurostream.schemas.avro.RunState;
import io.neurostream.schemas.avro.Status;
import io.neurostream.schemas.avro.Target;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The client against a real SimulatorService on the in-JVM broker: every kind of answer, inputs, statuses. */
class NeuroStreamClientIntegrationTest {
    private static final Logger LOG = LoggerFactory.getLogger(NeuroStreamClientIntegrationTest.class);
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String SPEC = SimulatorFixture.resource("small.json");

    private SimulatorFixture sim;
    private NeuroStreamClient client;

    @BeforeEach
    void setUp() throws Exception {
        sim = new SimulatorFixture("ingest").withSimulator();
        client = new NeuroStreamClient(sim.clientSettings());
    }

    @AfterEach
    void tearDown() {
        client.close();
        sim.close();
    }

    @Test
    void shouldAnswerACreateWithTheNetworkCreatedAndItsNeuronCount() {
        Answer a = client.create("net-a", SPEC, WAIT);

        assertThat(a.kind()).as(a.toString()).isEqualTo(Answer.Kind.APPLIED);
        assertThat(a.command()).isEqualTo(ControlCommand.CREATE);
        assertThat(a.tick()).hasValue(0);
        assertThat(a.status()).map(Status::getState).hasValue(RunState.CREATED);
        assertThat(a.status()).map(Status::getRunId).hasValue(a.offset()); // the run is the CREATE's offset
        assertThat(a.neuronCount()).hasValue(400);
        assertThat(a.reasonCode()).isEmpty();
    }

    @Test
    void shouldAnswerABadSpecWithBadSpecAndTheSimulatorsSentence() {
        Answer a = client.create("net-bad", "{\"name\": \"bad\", \"populations\": 12}", WAIT);

        assertThat(a.kind()).as(a.toString()).isEqualTo(Answer.Kind.REJECTED);
        assertThat(a.reasonCode()).hasValue("BAD_SPEC");
        assertThat(a.reason()).hasValueSatisfying(r -> assertThat(r).isNotBlank().contains("populations"));
        assertThat(a.status()).isEmpty();
        assertThat(a.tick()).isEmpty();
        assertThat(client.status("net-bad")).isEmpty();
    }

    @Test
    void shouldAnswerACommandToAnUnknownNetworkWithUnknownNetwork() {
        Answer a = client.pause("nobody-here");

        assertThat(a.kind()).as(a.toString()).isEqualTo(Answer.Kind.REJECTED);
        assertThat(a.reasonCode()).hasValue("UNKNOWN_NETWORK");
        assertThat(a.reason()).hasValueSatisfying(r -> assertThat(r).contains("nobody-here"));
    }

    @Test
    void shouldApplyAStepAndTheStatusTickAdvancesByItsTicks() {
        assertThat(client.create("net-s", SPEC, WAIT).isApplied()).isTrue();
        client.step("net-s", 50);
        Status afterFirst = awaitStatus("net-s", s -> s.getTick() == 50 && s.getState() == RunState.PAUSED);

        Answer second = client.step("net-s", 120);

        assertThat(second.kind()).as(second.toString()).isEqualTo(Answer.Kind.APPLIED);
        assertThat(second.tick()).hasValue(afterFirst.getTick()); // stepping starts where the first step ended
        awaitStatus("net-s", s -> s.getTick() == 170 && s.getState() == RunState.PAUSED);
    }

    @Test
    void shouldAnswerEveryCommandOfASessionInTurn() {
        assertThat(client.create("net-c", SPEC, WAIT).isApplied()).isTrue();
        long t0 = System.nanoTime();
        Answer started = client.start("net-c", 0.0);
        Answer paused = client.pause("net-c");
        Answer resumed = client.resume("net-c");
        Answer stepped = client.step("net-c", 10); // STEP while RUNNING is not allowed
        LOG.info("4 commands answered one after another in {} ms", (System.nanoTime() - t0) / 1_000_000L);

        assertThat(List.of(started, paused, resumed)).allSatisfy(a -> assertThat(a.isApplied()).as(a.toString()).isTrue());
        assertThat(paused.status()).map(Status::getState).hasValue(RunState.PAUSED);
        assertThat(stepped.reasonCode()).as(stepped.toString()).hasValue("WRONG_STATE");
        assertThat(client.stop("net-c").status()).map(Status::getState).hasValue(RunState.STOPPED);
    }

    @Test
    void shouldDeliverInputsKeyedByNetworkToTheSimulator() {
        assertThat(client.create("net-i", SPEC, WAIT).isApplied()).isTrue();
        ExternalInput toNowhere = ExternalInput.newBuilder().setNetworkId("net-i").setKind(InputKind.CURRENT)
                .setCurrent(5.0).setTarget(Target.newBuilder().setPopulations(List.of("nowhere")).build()).build();

        RecordMetadata stored = client.sendAndFlush(toNowhere);
        client.step("net-i", 10);

        assertThat(stored.topic()).isEqualTo(sim.prefix + "external-input");
        // the input reached the simulator, which counted it against the network as rejected
        awaitStatus("net-i", s -> s.getRejectedCount() == 1 && s.getTick() == 10);
    }

    @Test
    void shouldListTheNewestStatusOfEveryNetwork() {
        assertThat(client.create("net-x", SPEC, WAIT).isApplied()).isTrue();
        assertThat(client.create("net-y", SPEC, WAIT).isApplied()).isTrue();
        assertThat(client.stop("net-y").isApplied()).isTrue();

        List<Status> all = client.statuses();

        assertThat(all).extracting(Status::getNetworkId).containsExactly("net-x", "net-y");
        assertThat(all).extracting(Status::getState).containsExactly(RunState.CREATED, RunState.STOPPED);
    }

    @Test
    void shouldAnswerTimedOutWhenNoSimulatorRuns() throws Exception {
        try (SimulatorFixture idle = new SimulatorFixture("ingest-idle");
                NeuroStreamClient alone = new NeuroStreamClient(idle.clientSettings())) {
            long start = System.nanoTime();

            Answer a = alone.create("net-t", SPEC, Duration.ofSeconds(2));

            long tookMs = (System.nanoTime() - start) / 1_000_000L;
            assertThat(a.kind()).as(a.toString()).isEqualTo(Answer.Kind.TIMED_OUT);
            assertThat(a.offset()).isEqualTo(0L); // it was sent: the first record of its control partition
            assertThat(a.reason()).hasValueSatisfying(r -> assertThat(r).contains("journal").contains("rejected")
                    .contains("is a simulator running"));
            assertThat(tookMs).isBetween(2_000L, 10_000L);
        }
    }

    @Test
    void shouldRefuseAnUnusableTopicPrefix() {
        Map<String, Object> s = new HashMap<>(sim.clientSettings());
        s.put(NeuroStreamClient.TOPIC_PREFIX, "bad prefix/");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new NeuroStreamClient(s))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bad prefix/");
    }

    private Status awaitStatus(String id, Predicate<Status> done) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        Optional<Status> s = client.status(id);
        while (!(s.isPresent() && done.test(s.get())) && System.nanoTime() < deadline) {
            assertThat(sim.simulatorFailure()).as("the simulator's fatal error").isNull();
            sleep(50);
            s = client.status(id);
        }
        assertThat(s).as("status of %s after %s", id, WAIT).hasValueSatisfying(x -> assertThat(done.test(x)).as(x.toString()).isTrue());
        return s.get();
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
