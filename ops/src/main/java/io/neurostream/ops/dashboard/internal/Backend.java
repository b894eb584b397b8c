package io.neurostream.ops.dashboard.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.neurostream.engine.spec.NetworkSpec;
import io.neurostream.engine.spec.SpecException;
import io.neurostream.engine.spec.SpecParser;
import io.neurostream.ingest.NeuroStreamClient;
import io.neurostream.ingest.sense.NetworkLookup;
import io.neurostream.schemas.Topics;
import io.neurostream.schemas.avro.Status;
import io.neurostream.schemas.avro.Topology;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The dashboard's connection to the service: one client for commands and inputs (a command holds it while
 * its answer is awaited), one for reading statuses, and the network look-up (topology, spec) with a
 * layout cache per network and run. Thread-safe.
 */
public final class Backend implements AutoCloseable {
    private final Map<String, Object> settings;
    private final Map<String, Object> kafka;
    private final String prefix;
    private final NeuroStreamClient commands;
    private final NeuroStreamClient reads;
    private final NetworkLookup lookup;
    private final Map<String, Layout> layouts = new ConcurrentHashMap<>();
    private final Map<String, Long> layoutRuns = new ConcurrentHashMap<>();
    /** How old the list of statuses may be when it is asked for, ms. */
    static final long STATUSES_MAX_AGE_MS = 250;
    private List<Status> statuses;
    private long statusesAtNanos;

    /** @param settings Kafka client settings and optionally {@link NeuroStreamClient#TOPIC_PREFIX}, {@link NeuroStreamClient#ANSWER_TIMEOUT_MS} */
    public Backend(Map<String, Object> settings) {
        this.settings = Map.copyOf(settings);
        Map<String, Object> k = new HashMap<>(settings);
        Object p = k.remove(NeuroStreamClient.TOPIC_PREFIX);
        k.remove(NeuroStreamClient.ANSWER_TIMEOUT_MS);
        this.kafka = Map.copyOf(k);
        this.prefix = Topics.checkPrefix(p == null ? Topics.DEFAULT_PREFIX : p.toString());
        this.commands = new NeuroStreamClient(settings);
        NeuroStreamClient r = null;
        try {
            r = new NeuroStreamClient(settings);
            this.lookup = new NetworkLookup(new HashMap<>(kafka), prefix);
        } catch (RuntimeException e) {
            commands.close();
            if (r != null) {
                r.close();
            }
            throw e;
        }
        this.reads = r;
    }

    /** The settings an {@code OutputReader} takes (Kafka settings and the topic prefix). */
    public Map<String, Object> readerSettings() {
        return settings;
    }

    /** Kafka client settings only. */
    public Map<String, Object> kafkaSettings() {
        return kafka;
    }

    public String prefix() {
        return prefix;
    }

    /** The client commands and inputs go through. */
    public NeuroStreamClient commands() {
        return commands;
    }

    /**
     * The newest status of every network, read at most every {@value #STATUSES_MAX_AGE_MS} ms: each read goes
     * through the status topic from its start, and many viewers asking at once share one read.
     */
    public synchronized List<Status> statuses() {
        long now = System.nanoTime();
        if (statuses == null || now - statusesAtNanos > STATUSES_MAX_AGE_MS * 1_000_000L) {
            statuses = List.copyOf(reads.statuses());
            statusesAtNanos = System.nanoTime();
        }
        return statuses;
    }

    /** The newest status of one network. */
    public Optional<Status> status(String networkId) {
        return reads.status(networkId);
    }

    /**
     * The network's layout, read once per run (topology and the run's CREATE spec); empty if the network has
     * no status or no topology.
     */
    public Optional<Layout> layout(String networkId) {
        Optional<Status> st = status(networkId);
        if (st.isEmpty()) {
            return Optional.empty();
        }
        return layout(st.get());
    }

    /** The layout of the network whose status this is (see {@link #layout(String)}). */
    public Optional<Layout> layout(Status st) {
        String id = st.getNetworkId();
        Layout cached = layouts.get(id);
        if (cached != null && layoutRuns.get(id) == st.getRunId()) {
            return Optional.of(cached);
        }
        List<Topology> chunks;
        NetworkSpec spec = null;
        synchronized (lookup) {
            chunks = lookup.topology(id);
            Optional<String> json = lookup.createSpec(id, st.getRunId());
            if (json.isPresent()) {
                try {
                    spec = SpecParser.parse(json.get(), "network " + id);
                } catch (SpecException e) {
                    spec = null; // the simulator built it, so this does not happen; without it, boxes come from the neurons
                }
            }
        }
        if (chunks.isEmpty() || chunks.size() != chunks.get(0).getChunks()) {
            return Optional.empty();
        }
        Layout l = Layout.of(id, st.getDtMs(), chunks, spec);
        layouts.put(id, l);
        layoutRuns.put(id, st.getRunId());
        return Optional.of(l);
    }

    /** One entry of {@code /api/networks}, and the data of a {@code status} event. */
    public static ObjectNode statusJson(Status s) {
        ObjectNode o = Http.object();
        o.put("id", s.getNetworkId());
        o.put("state", s.getState().name());
        o.put("mode", s.getMode().name());
        o.put("tick", s.getTick());
        o.put("t_ms", s.getSimTimeMs());
        o.put("rt_factor", s.getRealtimeFactor());
        o.put("rejected", s.getRejectedCount());
        o.put("stalled_ms", s.getStalledMs());
        o.put("dt_ms", s.getDtMs());
        return o;
    }

    @Override
    public void close() {
        try {
            commands.close();
        } finally {
            try {
                reads.close();
            } finally {
                synchronized (lookup) {
                    lookup.close();
                }
            }
        }
    }
}
