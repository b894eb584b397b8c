package io.neurostream.analytics.internal;

import io.neurostream.schemas.avro.Status;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Learns each network's current run from topic {@code status} into the {@link KnownRun} store that
 * {@link FrameWindowProcessor} checks frames against. The latest Status wins: a RESET or a re-CREATE
 * announces a new {@code run_epoch_ms}, and the windows follow it from that run's first frame. A
 * tombstone (the network is gone) changes nothing: the last run stays known until a new Status
 * announces the next one.
 */
public final class StatusProcessor implements Processor<String, Status, Void, Void> {
    private static final Logger LOG = LoggerFactory.getLogger(StatusProcessor.class);

    private KeyValueStore<String, KnownRun> runs;

    @Override
    public void init(ProcessorContext<Void, Void> context) {
        runs = context.getStateStore(Names.RUNS_STORE);
    }

    @Override
    public void process(Record<String, Status> record) {
        Status s = record.value();
        if (s == null) {
            return;
        }
        String network = record.key() != null ? record.key() : s.getNetworkId();
        double sim = s.getSimTimeMs();
        long simMs = Double.isFinite(sim) && sim > 0 ? (long) Math.floor(sim) : 0L;
        KnownRun before = runs.get(network);
        if (before == null || before.runEpochMs() != s.getRunEpochMs()) {
            runs.put(network, new KnownRun(s.getRunEpochMs(), simMs));
            LOG.info("network {}: status announces run epoch {} (before: {})", network, s.getRunEpochMs(),
                    before == null ? "none" : before.runEpochMs());
        } else if (simMs > before.simTimeMs()) {
            runs.put(network, new KnownRun(before.runEpochMs(), simMs));
        }
    }
}
