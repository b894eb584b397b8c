package io.neurostream.ops.internal;

import io.neurostream.engine.spec.NetworkSpec;
import io.neurostream.engine.spec.SpecParser;
import io.neurostream.ingest.internal.PartitionReader;
import io.neurostream.ingest.recording.RecordingInfo;
import io.neurostream.ingest.recording.RecordingWriter;
import io.neurostream.schemas.BadRecordException;
import io.neurostream.schemas.Topics;
import io.neurostream.schemas.avro.AppliedInput;
import io.neurostream.schemas.avro.Control;
import io.neurostream.schemas.avro.ControlCommand;
import io.neurostream.schemas.avro.Frame;
import io.neurostream.schemas.avro.SpikeBatch;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Utils;

/**
 * Records a network's current run from the committed topics: its journal from the run's CREATE (so a run
 * still retained can be recorded after the fact), optionally its spikes and frames, then what comes live.
 *
 * <p>Which outputs are the run's: SpikeBatch and Frame carry no run id, but every epoch of a network
 * (its CREATE, and each RESET) starts again at frame 0, and a network's records share one partition, in
 * order. So the run's output is the suffix of the network's records that starts at the (R+1)-th last
 * frame 0, where R is the number of RESETs in the run's journal; end offsets of the outputs are taken
 * before the journal is read, so no RESET behind those outputs is missed.
 *
 * <p>The committed tick (a recording's progress marks) is the end of the newest committed Frame of the run:
 * every journal entry that acted before it was committed no later than that frame, and the journal is read
 * to an end offset taken after the frames.
 */
public final class RunRecorder {
    /** How often progress is marked (and flushed to the file) while following live. */
    public static final Duration MARK_EVERY = Duration.ofSeconds(1);
    private static final Duration METADATA = Duration.ofSeconds(30);

    private final PartitionReader reader;
    private final String prefix;
    private final String networkId;
    private final boolean withOutputs;
    private final String writerVersion;

    private RecordingWriter writer;
    private long runId = -1;
    private int resets;
    private boolean stopped;
    private boolean replaced;
    private long committedTick;
    private long journalEntries;
    private long frames;
    private long spikeRecords;
    private final Map<TopicPartition, Long> positions = new HashMap<>();

    /** What was recorded. */
    public record Result(long runId, long committedTick, long journalEntries, long frames, long spikeRecords,
            boolean stopped) {
    }

    public RunRecorder(Map<String, Object> kafkaSettings, String prefix, String networkId, boolean withOutputs,
            String writerVersion) {
        this.reader = new PartitionReader(kafkaSettings, true);
        this.prefix = prefix;
        this.networkId = networkId;
        this.withOutputs = withOutputs;
        this.writerVersion = writerVersion;
    }

    /**
     * Records to {@code file}: the run so far, then live until {@code followUntilNanos} ({@link System#nanoTime()},
     * or {@link Long#MIN_VALUE} for no following) or, with {@code untilStopped}, until the run is stopped.
     *
     * @throws IllegalStateException if the journal holds no run of the network
     */
    public Result record(Path file, long followUntilNanos, boolean untilStopped) throws IOException {
        TopicPartition journal = partitionOf(Topics.JOURNAL.name(prefix));
        TopicPartition framesTp = partitionOf(Topics.FRAMES.name(prefix));
        TopicPartition spikesTp = partitionOf(Topics.SPIKES.name(prefix));
        Map<TopicPartition, Long> outputEnds = reader.endOffsets(List.of(framesTp, spikesTp), METADATA);
        long journalEnd = reader.endOffsets(List.of(journal), METADATA).get(journal);

        List<AppliedInput> entries = new ArrayList<>();
        readAll(Map.of(journal, 0L), Map.of(journal, journalEnd), r -> {
            if (!networkId.equals(r.key())) {
                return; // another network whose records share the partition
            }
            AppliedInput a = decode(r, Topics.JOURNAL.valueSerde()::decode);
            if (a != null) {
                entries.add(a);
            }
        });
        int create = -1;
        for (int i = 0; i < entries.size(); i++) {
            if (isCreate(entries.get(i))) {
                create = i;
            }
        }
        if (create < 0) {
            throw new IllegalStateException("the journal (" + journal + ") holds no CREATE of network '" + networkId
                    + "': it was never created, or its run is no longer retained");
        }
        AppliedInput createEntry = entries.get(create);
        runId = createEntry.getRunId();
        String spec = ((Control) createEntry.getPayload()).getSpecJson();
        NetworkSpec parsed = SpecParser.parse(spec, "spec of " + networkId);
        writer = RecordingWriter.create(file, RecordingInfo.of(writerVersion, Instant.now(), networkId, runId, spec,
                parsed.seed(), parsed.dtMs()));
        try {
            for (AppliedInput a : entries.subList(create, entries.size())) {
                journal(a);
            }
            positions.put(journal, journalEnd);
            long framesStart = runStart(framesTp, outputEnds.get(framesTp), false);
            long spikesStart = runStart(spikesTp, outputEnds.get(spikesTp), true);
            readAll(Map.of(framesTp, framesStart), Map.of(framesTp, outputEnds.get(framesTp)), this::output);
            if (withOutputs) {
                readAll(Map.of(spikesTp, spikesStart), Map.of(spikesTp, outputEnds.get(spikesTp)), this::output);
            }
            positions.put(framesTp, outputEnds.get(framesTp));
            positions.put(spikesTp, outputEnds.get(spikesTp));
            writer.mark(committedTick);

            if (!stopped && !replaced && (untilStopped || followUntilNanos != Long.MIN_VALUE)) {
                follow(journal, framesTp, spikesTp, untilStopped ? Long.MAX_VALUE : followUntilNanos);
            }
            // the end: outputs first, then the journal to an end taken after them
            Map<TopicPartition, Long> ends = reader.endOffsets(withOutputs ? List.of(framesTp, spikesTp) : List.of(framesTp),
                    METADATA);
            readAll(Map.copyOf(positionsOf(ends.keySet())), ends, this::output);
            Map<TopicPartition, Long> jEnd = reader.endOffsets(List.of(journal), METADATA);
            readAll(Map.of(journal, positions.get(journal)), jEnd, this::journalRecord);
            writer.finish(committedTick);
        } finally {
            writer.close();
        }
        return new Result(runId, committedTick, journalEntries, frames, spikeRecords, stopped);
    }

    private Map<TopicPartition, Long> positionsOf(java.util.Set<TopicPartition> tps) {
        Map<TopicPartition, Long> m = new HashMap<>();
        for (TopicPartition tp : tps) {
            m.put(tp, positions.getOrDefault(tp, 0L));
        }
        return m;
    }

    private void follow(TopicPartition journal, TopicPartition framesTp, TopicPartition spikesTp, long untilNanos) {
        Map<TopicPartition, Long> from = new HashMap<>();
        from.put(journal, positions.get(journal));
        from.put(framesTp, positions.get(framesTp));
        if (withOutputs) {
            from.put(spikesTp, positions.get(spikesTp));
        }
        long[] nextMark = {System.nanoTime() + MARK_EVERY.toNanos()};
        reader.readUntil(from, r -> {
            if (r.topic().equals(journal.topic())) {
                journalRecord(r);
            } else {
                output(r);
            }
        }, () -> {
            if (System.nanoTime() >= nextMark[0]) {
                nextMark[0] = System.nanoTime() + MARK_EVERY.toNanos();
                io(() -> writer.mark(committedTick));
            }
            return stopped || replaced;
        }, untilNanos);
    }

    private void journalRecord(ConsumerRecord<String, byte[]> r) {
        positions.put(new TopicPartition(r.topic(), r.partition()), r.offset() + 1);
        if (!networkId.equals(r.key()) || replaced) {
            return;
        }
        AppliedInput a = decode(r, Topics.JOURNAL.valueSerde()::decode);
        if (a == null) {
            return;
        }
        if (a.getRunId() != runId) {
            replaced = isCreate(a) || replaced; // a new run of the id: this one is over
            return;
        }
        io(() -> journal(a));
    }

    private void journal(AppliedInput a) throws IOException {
        writer.journal(a);
        journalEntries++;
        if (a.getTick() >= 0 && a.getPayload() instanceof Control c) {
            if (c.getCommand() == ControlCommand.RESET) {
                resets++;
            } else if (c.getCommand() == ControlCommand.STOP) {
                stopped = true;
            }
        }
    }

    private void output(ConsumerRecord<String, byte[]> r) {
        positions.put(new TopicPartition(r.topic(), r.partition()), r.offset() + 1);
        if (!networkId.equals(r.key()) || replaced) {
            return;
        }
        if (r.topic().equals(Topics.FRAMES.name(prefix))) {
            Frame f = decode(r, Topics.FRAMES.valueSerde()::decode);
            if (f != null) {
                committedTick = f.getFirstTick() + f.getTicks();
                frames++;
                if (withOutputs) {
                    io(() -> writer.frame(f));
                }
            }
        } else if (withOutputs) {
            SpikeBatch b = decode(r, Topics.SPIKES.valueSerde()::decode);
            if (b != null) {
                spikeRecords++;
                io(() -> writer.spikes(b));
            }
        }
    }

    /** The offset where the run's records of an output topic begin: the (R+1)-th last frame 0 of the network. */
    private long runStart(TopicPartition tp, long end, boolean spikes) {
        List<Long> frameZero = new ArrayList<>();
        readAll(Map.of(tp, 0L), Map.of(tp, end), r -> {
            if (!networkId.equals(r.key())) {
                return;
            }
            if (spikes) {
                SpikeBatch b = decode(r, Topics.SPIKES.valueSerde()::decode);
                if (b != null && b.getFrame() == 0 && b.getPart() == 0) {
                    frameZero.add(r.offset());
                }
            } else {
                Frame f = decode(r, Topics.FRAMES.valueSerde()::decode);
                if (f != null && f.getFrame() == 0) {
                    frameZero.add(r.offset());
                }
            }
        });
        int epochs = resets + 1;
        if (frameZero.size() < epochs) {
            // the run has not published frames of every epoch yet: its output starts after what was read
            return frameZero.isEmpty() ? end : frameZero.get(0);
        }
        return frameZero.get(frameZero.size() - epochs);
    }

    private void readAll(Map<TopicPartition, Long> from, Map<TopicPartition, Long> to,
            java.util.function.Consumer<ConsumerRecord<String, byte[]>> sink) {
        if (!reader.readRange(from, to, sink, System.nanoTime() + Duration.ofMinutes(10).toNanos())) {
            throw new IllegalStateException("could not read " + from.keySet() + " to its end within 10 minutes");
        }
    }

    private boolean isCreate(AppliedInput a) {
        return a.getTick() >= 0 && a.getPayload() instanceof Control c && c.getCommand() == ControlCommand.CREATE;
    }

    private TopicPartition partitionOf(String topic) {
        int n = reader.partitions(topic, METADATA);
        return new TopicPartition(topic, Utils.toPositive(Utils.murmur2(networkId.getBytes(StandardCharsets.UTF_8))) % n);
    }

    private interface Decoder<T> {
        T decode(byte[] bytes);
    }

    private static <T> T decode(ConsumerRecord<String, byte[]> r, Decoder<T> d) {
        try {
            return r.value() == null ? null : d.decode(r.value());
        } catch (BadRecordException e) {
            return null; // a record this version cannot read is no part of a run it wrote
        }
    }

    private interface Io {
        void run() throws IOException;
    }

    private static void io(Io io) {
        try {
            io.run();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public void close() {
        reader.close();
    }
}
