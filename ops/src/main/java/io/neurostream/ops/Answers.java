package io.neurostream.ops;

import io.neurostream.ingest.Answer;
import io.neurostream.ingest.NeuroStreamClient;
import io.neurostream.ops.internal.Settings;
import io.neurostream.schemas.Topics;
import io.neurostream.schemas.avro.Status;
import io.neurostream.simulator.SimulatorConfig;
import java.io.PrintWriter;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What {@code create} and {@code control} share: the ingest client's settings from the command's
 * options, and an answer as one line on stdout with its exit code. Public for the dashboard, which shows an
 * answer in the same words ({@link #line}).
 */
public final class Answers {
    /** The default of {@code --timeout-s}: how long a command waits for the simulator's answer, s. */
    static final int DEFAULT_TIMEOUT_S = 30;

    private Answers() {
    }

    /**
     * The client's settings: every Kafka key of the merged settings, the topic prefix, and the answer
     * timeout.
     *
     * @throws Settings.SettingsException on an unknown NeuroStream key or an unreadable source
     * @throws IllegalArgumentException   on a bad topic prefix
     */
    /**
     * Runs {@code work} with a client on the settings of {@code kafka}: a bad setting is a usage error
     * (exit 2), a Kafka failure one line naming the cluster (exit 1); else {@code work}'s exit code.
     */
    static int withClient(KafkaOptions kafka, int timeoutS, PrintWriter err,
            java.util.function.ToIntFunction<NeuroStreamClient> work) {
        return withClient(kafka, timeoutS, Map.of(), err, work);
    }

    /** As {@link #withClient(KafkaOptions, int, PrintWriter, java.util.function.ToIntFunction)}, with {@code fixed} settings over the user's. */
    static int withClient(KafkaOptions kafka, int timeoutS, Map<String, Object> fixed, PrintWriter err,
            java.util.function.ToIntFunction<NeuroStreamClient> work) {
        Map<String, Object> settings;
        try {
            settings = clientSettings(kafka, timeoutS);
            settings.putAll(fixed);
        } catch (Settings.SettingsException | IllegalArgumentException e) {
            return Main.fail(err, e.getMessage(), Main.EXIT_USAGE);
        }
        try (NeuroStreamClient client = new NeuroStreamClient(settings)) {
            return work.applyAsInt(client);
        } catch (org.apache.kafka.common.KafkaException e) {
            return Main.fail(err, "Kafka at " + settings.get("bootstrap.servers") + ": " + Main.describe(e), Main.EXIT_FAILURE);
        }
    }

    static Map<String, Object> clientSettings(KafkaOptions kafka, int timeoutS) {
        Settings settings = kafka.resolve(Map.of("bootstrap.servers", KafkaOptions.DEFAULT_BOOTSTRAP_SERVERS));
        Map<String, Object> c = new HashMap<>();
        settings.asMap().forEach((k, v) -> {
            if (!Settings.isOwn(k)) {
                c.put(k, v);
            }
        });
        c.put(NeuroStreamClient.TOPIC_PREFIX,
                Topics.checkPrefix(settings.get(SimulatorConfig.TOPIC_PREFIX, Topics.DEFAULT_PREFIX)));
        c.put(NeuroStreamClient.ANSWER_TIMEOUT_MS, Long.toString(timeoutS * 1000L));
        return c;
    }

    /**
     * One line for an answer, the outcome first so that scripts can match it:
     * {@code applied CREATE v1 at tick 0: CREATED at tick 0, 400 neurons, run 0},
     * {@code rejected BAD_SPEC: <the simulator's sentence>}, or {@code timed out: <what was waited for>}.
     */
    public static String line(Answer a) {
        if (a.isRejected()) {
            return "rejected " + a.reasonCode().orElse("?") + ": " + a.reason().orElse("");
        }
        if (a.isTimedOut()) {
            return "timed out " + a.command() + " " + a.networkId() + ": " + a.reason().orElse("");
        }
        StringBuilder b = new StringBuilder("applied ").append(a.command()).append(' ').append(a.networkId())
                .append(" at tick ").append(a.tick().orElse(-1)).append(": ");
        Optional<Status> status = a.status();
        if (status.isPresent()) {
            b.append(status.get().getState()).append(" at tick ").append(status.get().getTick());
        } else {
            b.append("no status yet");
        }
        a.neuronCount().ifPresent(n -> b.append(", ").append(n).append(" neurons"));
        long runId = status.map(Status::getRunId).orElse(-1L);
        if (runId >= 0) {
            b.append(", run ").append(runId);
        }
        return b.toString();
    }

    /** Prints the answer's line on {@code out}; returns 0 if applied, else 1. */
    static int print(Answer a, PrintWriter out) {
        out.println(line(a));
        out.flush();
        return a.isApplied() ? Main.EXIT_OK : Main.EXIT_FAILURE;
    }
}
