package io.neurostream.ops.dashboard.internal;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.neurostream.schemas.avro.Alert;
import io.neurostream.schemas.avro.Balance;
import io.neurostream.schemas.avro.MembraneSample;
import io.neurostream.schemas.avro.Rate;
import io.neurostream.schemas.avro.Rejected;
import io.neurostream.schemas.avro.Status;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Turns one viewer's items into its events, down-sampled to its pixels: the raster as bitsets of row bins per
 * column (rows ordered by the {@link Layout}), sent once a column's time has been read entirely and at most
 * {@value #RASTER_PER_S} times a second; lattice counts per area and z-layer every
 * {@value #LATTICE_EVERY_MS} ms of wall time; membrane samples batched per neuron every
 * {@value #MEMBRANE_EVERY_MS} ms; a status when it changed, at most every {@value #STATUS_EVERY_MS} ms;
 * rates, balance, alerts and rejections as they come. The viewer's bandwidth is thus bounded by its pixels,
 * not by the network's spike rate. Not thread-safe: one viewer's thread.
 */
final class Renderer {
    static final int RASTER_PER_S = 30;
    static final long LATTICE_EVERY_MS = 250;
    static final long MEMBRANE_EVERY_MS = 100;
    static final long STATUS_EVERY_MS = 250;

    /** Where events go. */
    interface Sink {
        void event(String type, ObjectNode data) throws IOException;
    }

    private final Layout layout;
    private final Sink sink;
    private final int rows;
    private final int cols;
    private final double msPerCol;
    private final int bytesPerCol;
    private final int[] binOfNeuron;
    private final double startMs;
    private final double limitMs;
    private final boolean throttled;
    private final TreeMap<Long, byte[]> pending = new TreeMap<>();
    private long nextCol;
    private long completeCol = Long.MIN_VALUE; // the newest column whose time was read entirely
    private long lastRasterNanos;
    // lattice: per area and z-layer, nx * ny counts
    private final int[] slotOfNeuron; // index into counts, or -1
    private final List<int[]> layers = new ArrayList<>(); // area index, z, w, nx, ny, x0, y0, offset
    private final int[] counts;
    private final boolean[] layerWasQuiet; // by layer: whether its last event (or none yet) had no spike
    private boolean latticeDirty;
    private double latticeT0 = Double.NaN;
    private double latticeT1 = Double.NaN;
    private long lastLatticeNanos;
    // membrane: per neuron and variable
    private final Map<String, Trace> membrane = new LinkedHashMap<>();
    private long lastMembraneNanos;
    // status
    private ObjectNode statusPending;
    private String statusSent;
    private long lastStatusNanos;

    /**
     * @param startMs   simulated time of the window's start: earlier spikes are not drawn
     * @param limitMs   simulated time after which nothing is drawn (time travel's T), or +infinity
     * @param throttled whether to keep to the per-second limits (live), or send as fast as read (a time-travel window)
     */
    Renderer(Layout layout, int rows, int cols, double windowMs, double startMs, double limitMs, boolean throttled, Sink sink) {
        this.layout = layout;
        this.sink = sink;
        this.rows = rows;
        this.cols = cols;
        this.msPerCol = windowMs / cols;
        this.bytesPerCol = (rows + 7) / 8;
        this.startMs = startMs;
        this.limitMs = limitMs;
        this.throttled = throttled;
        int n = layout.neuronCount();
        binOfNeuron = new int[n];
        for (int id = 0; id < n; id++) {
            binOfNeuron[id] = binOf(layout.rowOf(id), rows, n);
        }
        nextCol = columnOf(Math.max(0.0, startMs), msPerCol);
        slotOfNeuron = new int[n];
        int offset = 0;
        for (int a = 0; a < layout.areaNames().size(); a++) {
            int[] b = layout.bounds(a);
            if (b == null) {
                continue;
            }
            int nx = b[4] - b[0] + 1;
            int ny = b[5] - b[1] + 1;
            for (int z = b[2]; z <= b[6]; z++) {
                layers.add(new int[] {a, z, b[3], nx, ny, b[0], b[1], offset});
                offset += nx * ny;
            }
        }
        counts = new int[offset];
        layerWasQuiet = new boolean[layers.size()];
        java.util.Arrays.fill(layerWasQuiet, true);
        for (int id = 0; id < n; id++) {
            slotOfNeuron[id] = -1;
            int a = layout.areaOf(id);
            if (a == Layout.NO_AREA) {
                continue;
            }
            int[] b = layout.bounds(a);
            if (b == null) {
                continue;
            }
            int x = layout.coord(id, 0) - b[0];
            int y = layout.coord(id, 1) - b[1];
            int z = layout.coord(id, 2) - b[2];
            int nx = b[4] - b[0] + 1;
            int ny = b[5] - b[1] + 1;
            if (x < 0 || y < 0 || z < 0 || x >= nx || y >= ny || z > b[6] - b[2]) {
                continue;
            }
            int layerOffset = -1;
            for (int[] l : layers) {
                if (l[0] == a && l[1] == layout.coord(id, 2)) {
                    layerOffset = l[7];
                    break;
                }
            }
            slotOfNeuron[id] = layerOffset + x * ny + y;
        }
        lastRasterNanos = lastLatticeNanos = lastMembraneNanos = System.nanoTime();
    }

    /** The row bin of a raster row: floor(row * rows / R). */
    static int binOf(int row, int rows, int neuronRows) {
        return (int) ((long) row * rows / neuronRows);
    }

    /** The absolute raster column of simulated time {@code tMs}: floor(t / ms_per_col). */
    static long columnOf(double tMs, double msPerCol) {
        return (long) Math.floor(tMs / msPerCol);
    }

    double msPerCol() {
        return msPerCol;
    }

    /**
     * Takes one item: spikes are binned, the rest become events (or wait for their batch). Rates, balance and
     * membrane samples before the window's start are not shown (a feed's snapshot holds more than a window).
     */
    void accept(Item item) throws IOException {
        if (item.tMs() < startMs && (item.kind() == Item.Kind.RATE || item.kind() == Item.Kind.BALANCE
                || item.kind() == Item.Kind.MEMBRANE)) {
            return;
        }
        switch (item.kind()) {
            case SPIKES -> spikes((Item.Spikes) item.value());
            case RATE -> {
                if (item.tMs() <= limitMs) {
                    Rate r = (Rate) item.value();
                    ObjectNode o = Http.object();
                    o.put("t_ms", item.tMs());
                    o.put("area", r.getArea());
                    o.put("e_class", r.getEClass() == null ? null : r.getEClass().name());
                    o.put("rate_hz", r.getRateHz());
                    sink.event("rates", o);
                }
            }
            case BALANCE -> {
                if (item.tMs() <= limitMs) {
                    Balance b = (Balance) item.value();
                    ObjectNode o = Http.object();
                    o.put("t_ms", item.tMs());
                    o.put("area", b.getArea());
                    o.put("ratio", b.getBalanceRatio());
                    o.put("e_fraction", b.getEFraction());
                    o.put("i_fraction", b.getIFraction());
                    sink.event("balance", o);
                }
            }
            case ALERT -> {
                if (item.tMs() <= limitMs) {
                    Alert a = (Alert) item.value();
                    ObjectNode o = Http.object();
                    o.put("t_ms", item.tMs());
                    o.put("area", a.getArea());
                    o.put("kind", a.getAlert().name());
                    o.put("state", a.getState().name());
                    o.put("value", a.getValue());
                    o.put("threshold", a.getThreshold());
                    o.put("message", a.getMessage());
                    sink.event("alert", o);
                }
            }
            case MEMBRANE -> {
                if (item.tMs() <= limitMs) {
                    membrane((MembraneSample) item.value(), item.tMs());
                }
            }
            case REJECTED -> {
                Rejected x = (Rejected) item.value();
                ObjectNode o = Http.object();
                o.put("t_ms", item.tMs());
                o.put("reason", x.getReasonCode());
                o.put("message", x.getReason());
                sink.event("rejected", o);
            }
            case STATUS -> status((Status) item.value());
            case FAILED -> sink.event("error", Http.object().put("error", (String) item.value()));
            default -> throw new IllegalStateException(item.kind().name());
        }
    }

    /** A status: sent when it changed, at most every {@value #STATUS_EVERY_MS} ms. */
    void status(Status s) throws IOException {
        statusPending = Backend.statusJson(s);
        flushStatus(System.nanoTime(), false);
    }

    private void spikes(Item.Spikes b) {
        double dt = layout.dtMs();
        long first = b.firstTick();
        double startMs = first * dt;
        if (columnOf(startMs, msPerCol) < nextCol - cols) {
            // far behind what was sent: a new run (RESET) began; start the raster over at its time
            pending.clear();
            nextCol = columnOf(startMs, msPerCol);
            completeCol = Long.MIN_VALUE;
        }
        latticeDirty = true; // a batch with no spikes still says the lattice was quiet
        int[] ids = b.ids();
        int[] offsets = b.offsets();
        int n = Math.min(ids.length, offsets.length);
        for (int k = 0; k < n; k++) {
            int id = ids[k];
            if (id < 0 || id >= binOfNeuron.length) {
                continue;
            }
            double t = (first + offsets[k]) * dt;
            if (t > limitMs) {
                continue;
            }
            long col = columnOf(t, msPerCol);
            if (col >= nextCol) {
                int bin = binOfNeuron[id];
                pending.computeIfAbsent(col, c -> new byte[bytesPerCol])[bin >> 3] |= (byte) (1 << (bin & 7));
            }
            int slot = slotOfNeuron[id];
            if (slot >= 0) {
                counts[slot]++;
                latticeT0 = Double.isNaN(latticeT0) ? t : Math.min(latticeT0, t);
            }
        }
        double readTo = Math.min((first + b.ticks()) * dt, limitMs);
        long complete = columnOf(readTo, msPerCol) - 1; // every column ending at or before readTo
        completeCol = Math.max(completeCol, complete);
        latticeT1 = Double.isNaN(latticeT1) ? readTo : Math.max(latticeT1, readTo);
        if (Double.isNaN(latticeT0)) {
            latticeT0 = startMs;
        }
    }

    /**
     * Keeps, per neuron and variable, the lowest and the highest sample of each raster column (in time order), so
     * a trace costs at most two points per pixel however often the simulator samples, and keeps its spikes.
     */
    private void membrane(MembraneSample m, double tMs) {
        List<Integer> ids = m.getNeuronIds();
        List<Double> values = m.getValues();
        long col = columnOf(tMs, msPerCol);
        for (int i = 0; i < ids.size() && i < values.size(); i++) {
            int id = ids.get(i);
            Trace tr = membrane.computeIfAbsent(id + "/" + m.getVariable(), k -> new Trace(id, m.getVariable(), m.getUnit()));
            tr.add(col, tMs, values.get(i));
        }
    }

    /** One probed neuron's variable: the points to send, and the current column's low and high. */
    private static final class Trace {
        final int neuronId;
        final String variable;
        final String unit;
        final List<double[]> points = new ArrayList<>(); // t, value
        long col = Long.MIN_VALUE;
        double[] low;
        double[] high;

        Trace(int neuronId, String variable, String unit) {
            this.neuronId = neuronId;
            this.variable = variable;
            this.unit = unit;
        }

        void add(long c, double t, double v) {
            if (c != col) {
                closeColumn();
                col = c;
            }
            if (low == null || v < low[1]) {
                low = new double[] {t, v};
            }
            if (high == null || v > high[1]) {
                high = new double[] {t, v};
            }
        }

        void closeColumn() {
            if (low == null) {
                return;
            }
            if (low == high || low[0] == high[0]) {
                points.add(low);
            } else if (low[0] < high[0]) {
                points.add(low);
                points.add(high);
            } else {
                points.add(high);
                points.add(low);
            }
            low = null;
            high = null;
        }

        /** The event of the points so far (the current column's too), or null if none; then none are left. */
        ObjectNode take() {
            closeColumn();
            if (points.isEmpty()) {
                return null;
            }
            ObjectNode n = Http.object();
            n.put("neuron_id", neuronId);
            n.put("variable", variable);
            n.put("unit", unit);
            ArrayNode ts = n.putArray("t_ms");
            ArrayNode vs = n.putArray("values");
            for (double[] p : points) {
                ts.add(round(p[0]));
                vs.add(round(p[1]));
            }
            points.clear();
            return n;
        }
    }

    /** Three decimals: enough for ms and mV, and no binary noise like 0.30000000000000004 on the wire. */
    static double round(double v) {
        return Math.round(v * 1000.0) / 1000.0;
    }

    /**
     * Sends what is due: complete raster columns, lattice counts, membrane batches, a changed status.
     *
     * @param force send everything pending now, whatever the limits (the end of a time-travel window)
     */
    void flush(long nowNanos, boolean force) throws IOException {
        boolean all = force || !throttled;
        if (all || nowNanos - lastRasterNanos >= 1_000_000_000L / RASTER_PER_S) {
            flushRaster();
            lastRasterNanos = nowNanos;
        }
        if (all || nowNanos - lastMembraneNanos >= MEMBRANE_EVERY_MS * 1_000_000L) {
            for (Trace tr : membrane.values()) {
                ObjectNode o = tr.take();
                if (o != null) {
                    sink.event("membrane", o);
                }
            }
            lastMembraneNanos = nowNanos;
        }
        if (force || nowNanos - lastLatticeNanos >= LATTICE_EVERY_MS * 1_000_000L) {
            flushLattice();
            lastLatticeNanos = nowNanos;
        }
        flushStatus(nowNanos, force);
    }

    private void flushRaster() throws IOException {
        if (completeCol < nextCol) {
            return;
        }
        if (completeCol - nextCol + 1 > cols) {
            nextCol = completeCol - cols + 1; // more than the raster's width: the older columns would scroll out at once
        }
        int ncols = (int) (completeCol - nextCol + 1);
        byte[] bitmap = new byte[ncols * bytesPerCol];
        Iterator<Map.Entry<Long, byte[]>> it = pending.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<Long, byte[]> e = it.next();
            long col = e.getKey();
            if (col > completeCol) {
                break;
            }
            if (col >= nextCol) {
                System.arraycopy(e.getValue(), 0, bitmap, (int) (col - nextCol) * bytesPerCol, bytesPerCol);
            }
            it.remove();
        }
        ObjectNode o = Http.object();
        o.put("t0_ms", round(nextCol * msPerCol));
        o.put("col0", nextCol);
        o.put("ncols", ncols);
        o.put("bitmap", Base64.getEncoder().encodeToString(bitmap));
        sink.event("raster", o);
        nextCol = completeCol + 1;
    }

    private void flushLattice() throws IOException {
        if (!latticeDirty) {
            return;
        }
        for (int li = 0; li < layers.size(); li++) {
            int[] l = layers.get(li);
            int cells = l[3] * l[4];
            boolean quiet = true;
            for (int i = 0; i < cells && quiet; i++) {
                quiet = counts[l[7] + i] == 0;
            }
            if (quiet && layerWasQuiet[li]) {
                continue; // the page shows it empty already: a quiet layer costs nothing
            }
            layerWasQuiet[li] = quiet;
            ObjectNode o = Http.object();
            o.put("t0_ms", round(latticeT0));
            o.put("t1_ms", round(latticeT1));
            o.put("area", layout.areaNames().get(l[0]));
            o.put("z", l[1]);
            o.put("w", l[2]);
            o.put("nx", l[3]);
            o.put("ny", l[4]);
            o.put("x0", l[5]);
            o.put("y0", l[6]);
            ArrayNode c = o.putArray("counts");
            for (int i = 0; i < cells; i++) {
                c.add(counts[l[7] + i]);
            }
            sink.event("lattice", o);
        }
        java.util.Arrays.fill(counts, 0);
        latticeDirty = false;
        latticeT0 = Double.NaN;
        latticeT1 = Double.NaN;
    }

    private void flushStatus(long nowNanos, boolean force) throws IOException {
        if (statusPending == null) {
            return;
        }
        String text = statusPending.toString();
        if (text.equals(statusSent)) {
            statusPending = null;
            return;
        }
        if (force || statusSent == null || nowNanos - lastStatusNanos >= STATUS_EVERY_MS * 1_000_000L) {
            sink.event("status", statusPending);
            statusSent = text;
            statusPending = null;
            lastStatusNanos = nowNanos;
        }
    }
}
