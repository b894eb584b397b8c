package io.neurostream.ops.dashboard.internal;

import io.neurostream.ingest.OutputReader;
import io.neurostream.ingest.OutputReader.Isolation;
import io.neurostream.ingest.OutputReader.Options;
import io.neurostream.schemas.SpikeBatches;
import io.neurostream.schemas.Topic;
import io.neurostream.schemas.Topics;
import io.neurostream.schemas.avro.Alert;
import io.neurostream.schemas.avro.Balance;
import io.neurostream.schemas.avro.MembraneSample;
import io.neurostream.schemas.avro.Rate;
import io.neurostream.schemas.avro.Rejected;
import io.neurostream.schemas.avro.SpikeBatch;
import io.neurostream.schemas.avro.Status;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.avro.specific.SpecificRecord;

/**
 * The readers of one network's outputs that the dashboard shows (spikes, membrane, rates, balance, alerts,
 * and for a live feed also rejected and status), each decoded into {@link Item}s with their simulated time.
 * Outputs are read from run epoch + {@code fromMs} on (the broker's time index); rejections and statuses from
 * now on. Not thread-safe: one feed or one time-travel read.
 */
final class Readers implements AutoCloseable {
    /** How long one poll of the spike reader waits; the others are polled without waiting in between. */
    private static final Duration SPIKE_POLL = Duration.ofMillis(20);

    private final String networkId;
    private final List<OutputReader<?>> all = new ArrayList<>();
    private final OutputReader<SpikeBatch> spikes;
    private final List<OutputReader<?>> others = new ArrayList<>();
    private final SpikeBatches.Assembler assembler = new SpikeBatches.Assembler();
    private volatile long runEpochMs;
    private volatile double dtMs;
    private volatile double newestMs;

    /**
     * @param live with readers of rejected and status too (from now on)
     */
    Readers(Map<String, Object> settings, String networkId, Isolation isolation, Status status, double fromMs, boolean live) {
        this.networkId = networkId;
        this.runEpochMs = status.getRunEpochMs();
        this.dtMs = status.getDtMs();
        this.newestMs = status.getSimTimeMs();
        long from = runEpochMs + (long) Math.floor(Math.max(0.0, fromMs));
        Options at = Options.fromTimestamp(from).network(networkId).isolation(isolation);
        try {
            spikes = open(settings, Topics.SPIKES, at);
            others.add(open(settings, Topics.MEMBRANE, at));
            others.add(open(settings, Topics.RATES, at));
            others.add(open(settings, Topics.BALANCE, at));
            others.add(open(settings, Topics.ALERTS, at));
            if (live) {
                Options now = Options.fromNow().network(networkId).isolation(isolation);
                others.add(open(settings, Topics.REJECTED, now));
                others.add(open(settings, Topics.STATUS, now));
            }
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    private <T extends SpecificRecord> OutputReader<T> open(Map<String, Object> settings, Topic<T> topic, Options o) {
        OutputReader<T> r = OutputReader.open(settings, topic, o);
        all.add(r);
        return r;
    }

    /** The newest simulated time seen (status or spikes), ms. */
    double newestMs() {
        return newestMs;
    }

    /** One round: the spikes (waiting briefly for some) and whatever the other readers have; each item to {@code sink}. */
    void poll(Consumer<Item> sink) {
        spikes.poll(SPIKE_POLL).forEach(o -> accept(o, sink));
        for (OutputReader<?> r : others) {
            r.poll(Duration.ZERO).forEach(o -> accept(o, sink));
        }
    }

    /** Reads every reader to the end it has now (the catch-up of a feed, or a time-travel window). */
    void readToEnd(Consumer<Item> sink, Duration timeout) {
        for (OutputReader<?> r : all) {
            r.readToEnd(o -> accept(o, sink), timeout);
        }
    }

    /**
     * Reads every reader until its records pass simulated time {@code toMs} or it reaches the end it has now,
     * whichever comes first (a time-travel window: what lies after it is not read at all).
     *
     * @return whether every reader got there before the timeout
     */
    boolean readUntil(Consumer<Item> sink, double toMs, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (OutputReader<?> r : all) {
            Map<Integer, Long> end = r.endOffsets();
            boolean past = false;
            while (!past && !reached(r, end)) {
                if (System.nanoTime() > deadline) {
                    return false;
                }
                for (OutputReader.Output<?> o : r.poll(Duration.ofMillis(100))) {
                    if (o.timestampMs() - runEpochMs > toMs) {
                        past = true;
                    } else if (!past) {
                        accept(o, sink);
                    }
                }
            }
        }
        return true;
    }

    private static boolean reached(OutputReader<?> r, Map<Integer, Long> end) {
        Map<Integer, Long> at = r.positions();
        return end.entrySet().stream().allMatch(e -> at.get(e.getKey()) >= e.getValue());
    }

    private void accept(OutputReader.Output<?> o, Consumer<Item> sink) {
        if (o.isTombstone()) {
            return;
        }
        Object v;
        try {
            v = o.value();
        } catch (RuntimeException e) {
            return; // a record this build cannot decode: not shown
        }
        if (v instanceof SpikeBatch part) {
            SpikeBatch whole = assembler.add(part);
            if (whole != null) {
                double t = whole.getFirstTick() * dtMs;
                newestMs = Math.max(newestMs, (whole.getFirstTick() + whole.getTicks()) * dtMs);
                sink.accept(new Item(Item.Kind.SPIKES, t, new Item.Spikes(whole.getFirstTick(), whole.getTicks(),
                        SpikeBatches.neuronIds(whole), SpikeBatches.tickOffsets(whole))));
            }
        } else if (v instanceof Rate r) {
            sink.accept(new Item(Item.Kind.RATE, r.getWindowEndMs() - runEpochMs, r));
        } else if (v instanceof Balance b) {
            sink.accept(new Item(Item.Kind.BALANCE, b.getWindowEndMs() - runEpochMs, b));
        } else if (v instanceof Alert a) {
            sink.accept(new Item(Item.Kind.ALERT, a.getWindowEndMs() - runEpochMs, a));
        } else if (v instanceof MembraneSample m) {
            sink.accept(new Item(Item.Kind.MEMBRANE, (m.getTick() + 1) * dtMs, m));
        } else if (v instanceof Rejected x) {
            if (networkId.equals(x.getNetworkId())) {
                sink.accept(new Item(Item.Kind.REJECTED, newestMs, x));
            }
        } else if (v instanceof Status s) {
            runEpochMs = s.getRunEpochMs();
            dtMs = s.getDtMs();
            newestMs = s.getSimTimeMs();
            sink.accept(new Item(Item.Kind.STATUS, s.getSimTimeMs(), s));
        }
    }

    @Override
    public void close() {
        for (OutputReader<?> r : all) {
            try {
                r.close();
            } catch (RuntimeException e) {
                // closing the others matters more
            }
        }
    }
}
