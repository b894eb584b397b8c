package io.neurostream.ingest;

import io.neurostream.ingest.internal.PartitionReader;
import io.neurostream.schemas.Rejections;
import io.neurostream.schemas.Topics;
import io.neurostream.schemas.avro.AppliedInput;
import io.neurostream.schemas.avro.Control;
import io.neurostream.schemas.avro.ControlCommand;
import io.neurostream.schemas.avro.ExternalInput;
import io.neurostream.schemas.avro.Rejected;
import io.neurostream.schemas.avro.Status;
import io.neurostream.schemas.avro.Topology;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Drives a running NeuroStream simulator service from another Java program: creates networks, sends
 * control commands and waits for each one's answer, sends inputs, and reads every network's status,
 * with no Kafka or Avro code on the caller's side.
 *
 * <pre>{@code
 * Map<String, Object> settings = Map.of("bootstrap.servers", "localhost:9092");
 * try (NeuroStreamClient client = new NeuroStreamClient(settings)) {
 *     Answer created = client.create("v1", Files.readString(Path.of("v1.json")), Duration.ofSeconds(30));
 *     if (!created.isApplied()) {
 *         throw new IllegalStateException(created.toString()); // e.g. "... rejected BAD_SPEC: ..."
 *     }
 *     client.step("v1", 1000);                         // answered once the simulator journaled it
 *     client.send(input);                              // an ExternalInput for v1, not answered one by one
 *     for (Status s : client.statuses()) {
 *         System.out.println(s.getNetworkId() + " " + s.getState() + " at tick " + s.getTick());
 *     }
 * }
 * }</pre>
 * A complete program, compiled and run by the module's tests, is in docs/ingest.md.
 *
 * <p><b>How a command is answered.</b> The simulator journals every command it applies on topic
 * {@code journal} (an {@code AppliedInput} naming the command's topic, partition and offset) and sends
 * every command it cannot apply to topic {@code rejected} (a {@code Rejected} naming the same), both
 * in its transactions. The client takes the committed end offsets of the network's partitions of both
 * topics before it sends, learns the command's partition and offset from the broker's acknowledgement,
 * and reads both topics {@code read_committed} from those offsets until one names the command or the
 * timeout passes. A command sent while its network is still BUILDING is journaled twice: first as
 * deferred, then when applied (or rejected) after the build; the client waits for the second. A CREATE
 * counts as applied when journaled, which for a large network is when its build begins (state BUILDING).
 *
 * <p>One client is safe to use from several threads; commands are answered one at a time.
 */
public final class NeuroStreamClient implements AutoCloseable {

    /**
     * Setting: the prefix of the topic names the simulator uses (default {@value Topics#DEFAULT_PREFIX}),
     * the same key the simulator reads, so one settings file serves both.
     */
    public static final String TOPIC_PREFIX = "neurostream.topic.prefix";
    /**
     * Setting: how long the conveniences ({@link #start}, {@link #step}, ...) wait for a command's answer,
     * ms (default {@value #DEFAULT_ANSWER_TIMEOUT_MS}); {@link #control(Control, Duration)} takes its own.
     */
    public static final String ANSWER_TIMEOUT_MS = "ingest.answer.timeout.ms";
    /** The default of {@link #ANSWER_TIMEOUT_MS}, ms. */
    public static final long DEFAULT_ANSWER_TIMEOUT_MS = 30_000L;

    /** Journal entries with this tick say a record waits for its network's build (the simulator's DEFERRED_TICK). */
    private static final long DEFERRED_TICK = -1L;
    /** Journal entries with this tick say a record that waited for a build was rejected (REJECTED_AFTER_BUILD_TICK). */
    private static final long REJECTED_AFTER_BUILD_TICK = -2L;
    /** {@code fetch.max.wait.ms} of the answer reader unless the caller sets it, ms. */
    private static final int FETCH_MAX_WAIT_MS = 20;
    /** How long metadata look-ups and end offsets may take, whatever the answer timeout. */
    private static final Duration METADATA_TIMEOUT = Duration.ofSeconds(30);
    /** How long a topic may take to appear in the metadata before it counts as missing. */
    private static final Duration TOPIC_APPEAR_TIMEOUT = Duration.ofSeconds(5);

    private final String prefix;
    private final Duration answerTimeout;
    private final KafkaProducer<String, byte[]> producer;
    private final PartitionReader reader;

    /** A client with Kafka client settings (e.g. {@code bootstrap.servers}) and optionally {@link #TOPIC_PREFIX}, {@link #ANSWER_TIMEOUT_MS}. */
    public NeuroStreamClient(Map<String, ?> settings) {
        Map<String, Object> kafka = new HashMap<>(settings);
        Object p = kafka.remove(TOPIC_PREFIX);
        this.prefix = Topics.checkPrefix(p == null ? Topics.DEFAULT_PREFIX : p.toString());
        Object t = kafka.remove(ANSWER_TIMEOUT_MS);
        long timeoutMs = t == null ? DEFAULT_ANSWER_TIMEOUT_MS : Long.parseLong(t.toString());
        if (timeoutMs < 0) {
            throw new IllegalArgumentException(ANSWER_TIMEOUT_MS + " must be >= 0, got " + timeoutMs);
        }
        this.answerTimeout = Duration.ofMillis(timeoutMs);
        this.producer = new KafkaProducer<>(kafka, new StringSerializer(), new ByteArraySerializer());
        try {
            Map<String, Object> readerSettings = new HashMap<>(kafka);
            // an answer is awaited on partitions that are mostly idle: with Kafka's default of 500 ms the
            // broker holds each empty fetch that long: 4 commands took 3.4 s to answer on the in-JVM broker, 1.4 s with 20 ms
            readerSettings.putIfAbsent(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, FETCH_MAX_WAIT_MS);
            this.reader = new PartitionReader(readerSettings, true);
        } catch (RuntimeException e) {
            producer.close();
            throw e;
        }
    }

    /** The topic prefix in use. */
    public String topicPrefix() {
        return prefix;
    }

    // ------------------------------------------------------------------ commands

    /** CREATE network {@code networkId} from a spec (JSON, docs/spec-format.md) and wait for the answer. */
    public Answer create(String networkId, String specJson, Duration timeout) {
        return control(command(networkId, ControlCommand.CREATE).setSpecJson(specJson).build(), timeout);
    }

    /** START at {@code speed} times real time (0 = as fast as possible). */
    public Answer start(String networkId, double speed) {
        return control(command(networkId, ControlCommand.START).setSpeed(speed).build(), answerTimeout);
    }

    /** PAUSE: stop advancing, keep the state. */
    public Answer pause(String networkId) {
        return control(command(networkId, ControlCommand.PAUSE).build(), answerTimeout);
    }

    /** RESUME after a PAUSE. */
    public Answer resume(String networkId) {
        return control(command(networkId, ControlCommand.RESUME).build(), answerTimeout);
    }

    /**
     * STEP {@code ticks} ticks, then pause. Answered when the simulator accepts it, before the ticks are
     * computed: the answer's tick is where stepping starts; {@link #status(String)} shows the progress.
     */
    public Answer step(String networkId, long ticks) {
        return control(command(networkId, ControlCommand.STEP).setSteps(ticks).build(), answerTimeout);
    }

    /** SPEED: a factor of real time, 0 = as fast as possible. */
    public Answer speed(String networkId, double speed) {
        return control(command(networkId, ControlCommand.SPEED).setSpeed(speed).build(), answerTimeout);
    }

    /** RESET: back to tick 0 with the same spec and seed, CREATED, with a new run epoch. */
    public Answer reset(String networkId) {
        return control(command(networkId, ControlCommand.RESET).build(), answerTimeout);
    }

    /** CHECKPOINT now. */
    public Answer checkpoint(String networkId) {
        return control(command(networkId, ControlCommand.CHECKPOINT).build(), answerTimeout);
    }

    /** STOP the network, release it and retire its checkpoint (a later CREATE of the id begins a new run). */
    public Answer stop(String networkId) {
        return control(command(networkId, ControlCommand.STOP).build(), answerTimeout);
    }

    /**
     * PROBE: sample {@code variables} ({@code v}, {@code u}, {@code ge}, {@code gi}) of {@code neurons} every
     * {@code everyTicks} ticks to topic {@code membrane}; an empty neuron list removes every probe.
     */
    public Answer probe(String networkId, List<Integer> neurons, List<String> variables, int everyTicks) {
        return control(command(networkId, ControlCommand.PROBE).setProbeNeurons(neurons).setProbeVariables(variables)
                .setProbeEveryTicks(everyTicks).build(), answerTimeout);
    }

    /** SET parameter {@code parameter} of population {@code population} to {@code value} (in the spec's unit). */
    public Answer set(String networkId, String population, String parameter, double value) {
        return control(command(networkId, ControlCommand.SET).setSetPopulation(population).setSetParameter(parameter)
                .setSetValue(value).build(), answerTimeout);
    }

    private static Control.Builder command(String networkId, ControlCommand command) {
        return Control.newBuilder().setNetworkId(networkId).setCommand(command).setIssuedAtMs(System.currentTimeMillis());
    }

    /**
     * Sends a command, keyed by its network id, and waits up to {@code timeout} for the simulator's answer.
     * Never throws for a missing answer: that is a {@link Answer.Kind#TIMED_OUT} answer.
     *
     * @throws KafkaException if the command could not be sent (the broker refused it), or a topic is missing
     */
    public synchronized Answer control(Control command, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        String id = command.getNetworkId();
        String controlTopic = Topics.CONTROL.name(prefix);
        TopicPartition journal = partitionOf(Topics.JOURNAL.name(prefix), id);
        // the simulator keys a rejection by the command's key, capped as Rejections caps it
        TopicPartition rejected = partitionOf(Topics.REJECTED.name(prefix), Rejections.cap(id, Rejections.MAX_KEY_CHARS));
        TopicPartition status = partitionOf(Topics.STATUS.name(prefix), id);
        TopicPartition topology = command.getCommand() == ControlCommand.CREATE
                ? partitionOf(Topics.TOPOLOGY.name(prefix), id) : null;
        List<TopicPartition> answerPartitions = new ArrayList<>(List.of(journal, rejected, status));
        if (topology != null) {
            answerPartitions.add(topology);
        }
        // before sending: whatever answers the command is committed after these
        Map<TopicPartition, Long> before = reader.endOffsets(answerPartitions, METADATA_TIMEOUT);

        RecordMetadata sent;
        try {
            sent = await(producer.send(new ProducerRecord<>(controlTopic, id, Topics.CONTROL.valueSerde().encode(command))),
                    deadline);
        } catch (TimeoutException e) {
            return Answer.timedOut(id, command.getCommand(), -1, -1, "waited " + timeout
                    + " for the broker to acknowledge the command on " + controlTopic + "; it may still be sent and applied");
        }
        int partition = sent.partition();
        long offset = sent.offset();

        AppliedInput[] appliedBox = new AppliedInput[1];
        Rejected[] rejectedBox = new Rejected[1];
        boolean[] deferred = new boolean[1];
        Map<TopicPartition, Long> from = Map.of(journal, before.get(journal), rejected, before.get(rejected));
        boolean answered = reader.readUntil(from, r -> {
            if (r.value() == null) {
                return;
            }
            if (r.topic().equals(journal.topic())) {
                AppliedInput a = Topics.JOURNAL.valueSerde().decode(r.value());
                if (names(a.getSourceTopic(), a.getSourcePartition(), a.getSourceOffset(), controlTopic, partition, offset)) {
                    if (a.getTick() == DEFERRED_TICK) {
                        deferred[0] = true; // waits for the network's build; what becomes of it comes later
                    } else if (a.getTick() != REJECTED_AFTER_BUILD_TICK) {
                        appliedBox[0] = a; // (a rejection after the build comes with its Rejected record)
                    }
                }
            } else {
                Rejected x = Topics.REJECTED.valueSerde().decode(r.value());
                if (names(x.getSourceTopic(), x.getSourcePartition(), x.getSourceOffset(), controlTopic, partition, offset)) {
                    rejectedBox[0] = x;
                }
            }
        }, () -> appliedBox[0] != null || rejectedBox[0] != null, deadline);

        if (!answered) {
            return Answer.timedOut(id, command.getCommand(), partition, offset, "waited " + timeout + " for a journal entry on "
                    + journal + " or a rejection on " + rejected + " naming " + controlTopic + "-" + partition + "@" + offset
                    + (deferred[0] ? "; the simulator holds the command until network '" + id + "' is built"
                            : "; is a simulator running on topic prefix '" + prefix + "'?"));
        }
        if (rejectedBox[0] != null) {
            return Answer.rejected(id, command.getCommand(), partition, offset, rejectedBox[0].getReasonCode(),
                    rejectedBox[0].getReason());
        }
        // the status (and a CREATE's topology) were written in the journal entry's transaction or after it
        Map<TopicPartition, Long> end = reader.endOffsets(topology == null ? List.of(status) : List.of(status, topology),
                METADATA_TIMEOUT);
        Status[] newest = new Status[1];
        int[] neurons = {-1};
        Map<TopicPartition, Long> statusFrom = new HashMap<>();
        statusFrom.put(status, before.get(status));
        if (topology != null) {
            statusFrom.put(topology, before.get(topology));
        }
        long readDeadline = Math.max(deadline, System.nanoTime() + METADATA_TIMEOUT.toNanos());
        reader.readRange(statusFrom, end, r -> {
            if (r.topic().equals(status.topic())) {
                if (id.equals(r.key())) {
                    newest[0] = r.value() == null ? null : Topics.STATUS.valueSerde().decode(r.value());
                }
            } else if (r.value() != null && neurons[0] < 0 && r.key() != null && r.key().startsWith(id + "/")
                    && Topics.networkIdOfChunkKey(r.key()).equals(id)) {
                Topology chunk = Topics.TOPOLOGY.valueSerde().decode(r.value());
                neurons[0] = chunk.getNeuronCount();
            }
        }, readDeadline);
        return Answer.applied(id, command.getCommand(), partition, offset, appliedBox[0].getTick(), newest[0], neurons[0]);
    }

    private static boolean names(String topic, int partition, long offset, String wantTopic, int wantPartition,
            long wantOffset) {
        return offset == wantOffset && partition == wantPartition && topic.equals(wantTopic);
    }

    // ------------------------------------------------------------------ inputs

    /**
     * Sends an input for a running network, keyed by its network id, without waiting: inputs are many and
     * the simulator journals or rejects each as it does commands. See {@link #flush()}.
     *
     * @return the broker's acknowledgement to come: where the input was stored, or why it could not be
     */
    public Future<RecordMetadata> send(ExternalInput input) {
        return producer.send(new ProducerRecord<>(Topics.EXTERNAL_INPUT.name(prefix), input.getNetworkId(),
                Topics.EXTERNAL_INPUT.valueSerde().encode(input)));
    }

    /**
     * Sends an input and waits for the broker to store it.
     *
     * @return where it was stored on topic {@code external-input}
     * @throws KafkaException if it could not be sent
     */
    public RecordMetadata sendAndFlush(ExternalInput input) {
        Future<RecordMetadata> f = producer.send(new ProducerRecord<>(Topics.EXTERNAL_INPUT.name(prefix),
                input.getNetworkId(), Topics.EXTERNAL_INPUT.valueSerde().encode(input)));
        producer.flush();
        try {
            return await(f, Long.MAX_VALUE);
        } catch (TimeoutException e) {
            throw new KafkaException("the broker did not acknowledge the input", e);
        }
    }

    /**
     * Fetches now what the first {@link #send} would otherwise wait for (the metadata of topic
     * {@code external-input}, the producer's id). A client that stamps inputs with ticks shortly ahead of a
     * running network calls it before it reads the network's tick: a first send on a cold producer can take
     * a second, by which time a real-time network has passed the ticks it was aimed at.
     *
     * @throws KafkaException if Kafka cannot be reached or refuses
     */
    public void prepareToSend() {
        producer.partitionsFor(Topics.EXTERNAL_INPUT.name(prefix));
    }

    /** Waits until every input sent so far is stored by the broker. */
    public void flush() {
        producer.flush();
    }

    // ------------------------------------------------------------------ status

    /** The newest status of every network (topic {@code status} read to its end), by network id; deleted ones left out. */
    public synchronized List<Status> statuses() {
        String topic = Topics.STATUS.name(prefix);
        int n = reader.partitions(topic, TOPIC_APPEAR_TIMEOUT);
        List<TopicPartition> all = new ArrayList<>();
        for (int p = 0; p < n; p++) {
            all.add(new TopicPartition(topic, p));
        }
        Map<String, Status> byId = readStatuses(all, null);
        List<Status> out = new ArrayList<>(byId.values());
        out.sort(Comparator.comparing(Status::getNetworkId));
        return out;
    }

    /** The newest status of one network, or empty if it has none (never created, or stopped and deleted). */
    public synchronized Optional<Status> status(String networkId) {
        TopicPartition tp = partitionOf(Topics.STATUS.name(prefix), networkId);
        return Optional.ofNullable(readStatuses(List.of(tp), networkId).get(networkId));
    }

    private Map<String, Status> readStatuses(List<TopicPartition> partitions, String onlyId) {
        Map<TopicPartition, Long> end = reader.endOffsets(partitions, METADATA_TIMEOUT);
        Map<TopicPartition, Long> from = new HashMap<>();
        partitions.forEach(tp -> from.put(tp, 0L));
        Map<String, Status> byId = new TreeMap<>();
        boolean complete = reader.readRange(from, end, r -> {
            if (r.key() == null || (onlyId != null && !onlyId.equals(r.key()))) {
                return;
            }
            if (r.value() == null) {
                byId.remove(r.key()); // tombstone: the network is gone
            } else {
                byId.put(r.key(), Topics.STATUS.valueSerde().decode(r.value()));
            }
        }, System.nanoTime() + METADATA_TIMEOUT.toNanos());
        if (!complete) {
            throw new KafkaException("could not read " + partitions + " to their end within " + METADATA_TIMEOUT);
        }
        return byId;
    }

    // ------------------------------------------------------------------ plumbing

    private TopicPartition partitionOf(String topic, String key) {
        return new TopicPartition(topic, Topics.partitionOf(key, reader.partitions(topic, TOPIC_APPEAR_TIMEOUT)));
    }

    private static RecordMetadata await(Future<RecordMetadata> f, long deadlineNanos) throws TimeoutException {
        try {
            if (deadlineNanos == Long.MAX_VALUE) {
                return f.get();
            }
            return f.get(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptException(e);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            throw c instanceof KafkaException k ? k : new KafkaException("could not send to the broker", c);
        }
    }

    /** Sends what is buffered, then closes the producer and the reader. */
    @Override
    public void close() {
        try {
            producer.close();
        } finally {
            reader.close();
        }
    }
}
