package io.neurostream.ops.internal;

import io.neurostream.engine.SpikeChecksum;
import io.neurostream.ingest.Answer;
import io.neurostream.ingest.NeuroStreamClient;
import io.neurostream.ingest.internal.PartitionReader;
import io.neurostream.schemas.BadRecordException;
import io.neurostream.schemas.SpikeBatches;
import io.neurostream.schemas.Topics;
import io.neurostream.schemas.avro.AppliedInput;
import io.neurostream.schemas.avro.Control;
import io.neurostream.schemas.avro.ControlCommand;
import io.neurostream.schemas.avro.ExternalInput;
import io.neurostream.schemas.avro.SpikeBatch;
import io.neurostream.schemas.avro.Status;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Utils;

/**
 * A replay on the service ({@link ReplayDriver.Target}): creates the network, sends inputs with their
 * explicit ticks and commands through the ingest client, advances the network by STEP and waits for the
 * committed Status that says it got there, and knows an input is accepted when its journal entry is
 * committed. At the end it reads the replay's committed journal and spikes.
 */
public final class LiveReplay implements ReplayDriver.Target, AutoCloseable {
    private static final Duration METADATA = Duration.ofSeconds(30);
    private static final long POLL_NANOS = 5_000_000L;

    /** A replay that could not go on: one line. */
    public static final class ReplayException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public ReplayException(String message) {
            super(message);
        }
    }

    /** What the replay did: its run, its journal (inputs and commands with their ticks), its spikes' checksum. */
    public record Outcome(long runId, List<AppliedInput> journal, SpikeChecksum spikes) {
    }

    private final NeuroStreamClient client;
    private final PartitionReader reader;
    private final String networkId;
    private final List<io.neurostream.ops.ReplayCommand.ParamSet> changes;
    private final Duration timeout;
    private final TopicPartition journalTp;
    private final TopicPartition spikesTp;
    private final List<AppliedInput> journal = new ArrayList<>();
    private long journalPosition;
    private long spikesStart;
    private long runId = -1;
    private long tick;
    private long inputsSent;
    private long inputsJournaled;

    public LiveReplay(NeuroStreamClient client, Map<String, Object> kafkaSettings, String prefix, String networkId,
            List<io.neurostream.ops.ReplayCommand.ParamSet> changes, int timeoutS) {
        this.client = client;
        this.reader = new PartitionReader(kafkaSettings, true);
        this.networkId = networkId;
        this.changes = changes;
        this.timeout = Duration.ofSeconds(timeoutS);
        this.journalTp = partitionOf(Topics.JOURNAL.name(prefix));
        this.spikesTp = partitionOf(Topics.SPIKES.name(prefix));
    }

    /** CREATEs the network from the spec (it must not exist), then applies the --set changes. */
    public void create(String specJson) {
        List<TopicPartition> tps = List.of(journalTp, spikesTp);
        Map<TopicPartition, Long> ends = reader.endOffsets(tps, METADATA);
        journalPosition = ends.get(journalTp);
        spikesStart = ends.get(spikesTp);
        Answer a = client.create(networkId, specJson, timeout);
        if (!a.isApplied()) {
            throw new ReplayException("CREATE " + networkId + " " + describe(a)
                    + (a.reasonCode().orElse("").equals("NETWORK_EXISTS") ? " (replay it --as another id)" : ""));
        }
        runId = a.offset();
        tick = 0;
        afterReset();
    }

    @Override
    public long tick() {
        return tick;
    }

    @Override
    public void input(ExternalInput in) {
        client.send(ExternalInput.newBuilder(in).setNetworkId(networkId).build());
        inputsSent++;
    }

    @Override
    public void awaitInputsAccepted() {
        if (inputsJournaled >= inputsSent) {
            return;
        }
        client.flush();
        readJournal(() -> inputsJournaled >= inputsSent);
        if (inputsJournaled < inputsSent) {
            throw new ReplayException((inputsSent - inputsJournaled) + " of " + inputsSent + " inputs sent were not accepted "
                    + "within " + timeout.toSeconds() + " s (rejected? see 'neurostream tail rejected --network " + networkId + "')");
        }
    }

    @Override
    public void command(Control c) {
        Answer a = client.control(Control.newBuilder(c).setNetworkId(networkId).setIssuedAtMs(System.currentTimeMillis())
                .build(), timeout);
        if (!a.isApplied()) {
            throw new ReplayException(c.getCommand() + " " + networkId + " at tick " + tick + " " + describe(a));
        }
        if (c.getCommand() == ControlCommand.RESET) {
            tick = 0;
        }
    }

    @Override
    public void stepTo(long target) {
        if (target <= tick) {
            return;
        }
        Answer a = client.step(networkId, target - tick);
        if (!a.isApplied()) {
            throw new ReplayException("STEP " + networkId + " to tick " + target + " " + describe(a));
        }
        tick = target;
    }

    @Override
    public void awaitTick() {
        long target = tick;
        long seen = -1;
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Optional<Status> s = client.status(networkId);
            long at = s.isPresent() && s.get().getRunId() == runId ? s.get().getTick() : -1;
            if (at >= target) {
                return;
            }
            if (s.isPresent() && (s.get().getState().name().equals("FAILED") || s.get().getState().name().equals("NUMERIC_FAULT"))) {
                throw new ReplayException("network " + networkId + " is " + s.get().getState() + " at tick " + s.get().getTick()
                        + ": " + s.get().getMessage());
            }
            if (at > seen) {
                seen = at;
                deadline = System.nanoTime() + timeout.toNanos(); // it advances: a long step may take long
            } else if (System.nanoTime() > deadline) {
                throw new ReplayException("network " + networkId + " did not get from tick " + seen + " to tick " + target
                        + " within " + timeout.toSeconds() + " s");
            }
            LockSupport.parkNanos(POLL_NANOS);
        }
    }

    @Override
    public void afterReset() {
        for (io.neurostream.ops.ReplayCommand.ParamSet p : changes) {
            Answer a = client.set(networkId, p.population(), p.parameter(), p.value());
            if (!a.isApplied()) {
                throw new ReplayException("--set " + p.population() + "." + p.parameter() + "=" + p.value() + ": " + describe(a));
            }
        }
    }

    /**
     * Reads the replay's committed journal to its end and its spikes up to {@code endTick} of the last of
     * {@code epochs} epochs.
     */
    public Outcome finish(long endTick, int epochs) {
        awaitInputsAccepted();
        Map<TopicPartition, Long> end = reader.endOffsets(List.of(journalTp), METADATA);
        reader.readRange(Map.of(journalTp, journalPosition), end, r -> journalRecord(r.key(), r.value(), r.offset()),
                System.nanoTime() + timeout.toNanos());
        SpikeChecksum sum = new SpikeChecksum();
        int[] epochsSeen = {0};
        boolean[] done = {endTick == 0};
        boolean ok = reader.readUntil(Map.of(spikesTp, spikesStart), r -> {
            if (done[0] || !networkId.equals(r.key()) || r.value() == null) {
                return;
            }
            SpikeBatch b;
            try {
                b = Topics.SPIKES.valueSerde().decode(r.value());
            } catch (BadRecordException e) {
                return;
            }
            if (b.getFrame() == 0 && b.getPart() == 0) {
                epochsSeen[0]++;
            }
            int[] ids = SpikeBatches.neuronIds(b);
            int[] offs = SpikeBatches.tickOffsets(b);
            for (int i = 0; i < ids.length; i++) {
                sum.add(b.getFirstTick() + offs[i], ids[i]);
            }
            if (epochsSeen[0] >= epochs && b.getFirstTick() + b.getTicks() >= endTick && b.getPart() == b.getParts() - 1) {
                done[0] = true;
            }
        }, () -> done[0], System.nanoTime() + timeout.toNanos());
        if (!ok) {
            throw new ReplayException("the spikes of " + networkId + " up to tick " + endTick + " were not all committed within "
                    + timeout.toSeconds() + " s");
        }
        return new Outcome(runId, List.copyOf(journal), sum);
    }

    private void readJournal(java.util.function.BooleanSupplier done) {
        reader.readUntil(Map.of(journalTp, journalPosition), r -> journalRecord(r.key(), r.value(), r.offset()), done,
                System.nanoTime() + timeout.toNanos());
    }

    private void journalRecord(String key, byte[] value, long offset) {
        journalPosition = offset + 1;
        if (!networkId.equals(key) || value == null) {
            return;
        }
        AppliedInput a;
        try {
            a = Topics.JOURNAL.valueSerde().decode(value);
        } catch (BadRecordException e) {
            return;
        }
        if (a.getRunId() != runId) {
            return;
        }
        journal.add(a);
        if (a.getTick() >= 0 && a.getPayload() instanceof ExternalInput) {
            inputsJournaled++;
        }
    }

    /** Paces the steps of a replay at {@code speed} times real time from tick {@code from} on; as fast as possible before. */
    public static ReplayDriver.Pacer pacer(long from, double speed, double dtMs) {
        // a STEP per 200 ms of wall time: its answer (about one commit interval) comes well before the next is due
        long chunk = Math.max(1, Math.round(200.0 * speed / dtMs));
        return new ReplayDriver.Pacer() {
            long anchorNanos = -1;
            long anchorTick;

            @Override
            public long allow(long now, long want) {
                if (want <= from) {
                    return want;
                }
                if (now < from) {
                    return from;
                }
                if (anchorNanos < 0 || now < anchorTick) {
                    anchorNanos = System.nanoTime();
                    anchorTick = now;
                }
                long due = anchorNanos + (long) ((now - anchorTick) * dtMs * 1e6 / speed);
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                }
                return Math.min(want, now + chunk);
            }
        };
    }

    private static String describe(Answer a) {
        if (a.isRejected()) {
            return "was rejected: " + a.reasonCode().orElse("?") + ": " + a.reason().orElse("");
        }
        return "timed out: " + a.reason().orElse("no answer");
    }

    private TopicPartition partitionOf(String topic) {
        int n = reader.partitions(topic, METADATA);
        return new TopicPartition(topic, Utils.toPositive(Utils.murmur2(networkId.getBytes(StandardCharsets.UTF_8))) % n);
    }

    @Override
    public void close() {
        reader.close();
    }
}
