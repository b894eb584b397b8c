package io.neurostream.ops.dashboard.internal;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.neurostream.engine.spec.NetworkSpec;
import io.neurostream.schemas.avro.Topology;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * Where each neuron of a network goes on the dashboard, from its topology (and its spec, when still on
 * topic {@code control}): its raster row (neurons ordered by area in spec order, neurons of no area last,
 * then E before I, then id), its area, population, class and lattice cell, and each area's lattice box.
 * Immutable, so one layout serves every viewer of the network.
 */
public final class Layout {
    /** The area index of a neuron that lies in no area's box (as the topology writes it). */
    static final int NO_AREA = 65535;

    private final String networkId;
    private final double dtMs;
    private final int[] lattice;
    private final List<String> areaNames;
    private final List<String> populationNames;
    private final int[] area;        // by neuron: index into areaNames, or NO_AREA
    private final int[] population;  // by neuron
    private final byte[] eClass;     // by neuron: 0 = E, 1 = I
    private final short[] coords;    // by neuron: x, y, z, w
    private final int[] rowOf;       // by neuron
    private final int[] neuronAtRow; // by row
    private final int[][] bounds;    // by area: lo x, y, z, w, hi x, y, z, w
    private final Map<Long, Integer> byCell = new HashMap<>();
    private final List<String[]> senses; // name, area
    private final ObjectNode json;

    private Layout(String networkId, double dtMs, List<Topology> chunks, NetworkSpec spec) {
        this.networkId = networkId;
        this.dtMs = dtMs;
        Topology first = chunks.get(0);
        int n = first.getNeuronCount();
        lattice = first.getLattice().stream().mapToInt(Integer::intValue).toArray();
        areaNames = List.copyOf(first.getAreaNames());
        populationNames = List.copyOf(first.getPopulationNames());
        area = new int[n];
        population = new int[n];
        eClass = new byte[n];
        coords = new short[4 * n];
        Arrays.fill(area, NO_AREA);
        for (Topology t : chunks) {
            ByteBuffer a = t.getAreaIndex().duplicate().order(ByteOrder.LITTLE_ENDIAN);
            ByteBuffer p = t.getPopulationIndex().duplicate().order(ByteOrder.LITTLE_ENDIAN);
            ByteBuffer e = t.getEClass().duplicate();
            ByteBuffer c = t.getCoordinates().duplicate().order(ByteOrder.LITTLE_ENDIAN);
            for (int k = 0; k < t.getCount(); k++) {
                int id = t.getFirstNeuron() + k;
                if (id < 0 || id >= n) {
                    continue;
                }
                area[id] = Short.toUnsignedInt(a.getShort());
                population[id] = Short.toUnsignedInt(p.getShort());
                eClass[id] = e.get();
                for (int d = 0; d < 4; d++) {
                    coords[4 * id + d] = c.getShort();
                }
                byCell.put(cellKey(coords[4 * id], coords[4 * id + 1], coords[4 * id + 2], coords[4 * id + 3]), id);
            }
        }
        Integer[] order = IntStream.range(0, n).boxed().toArray(Integer[]::new);
        Arrays.sort(order, Comparator.<Integer>comparingInt(i -> area[i]).thenComparingInt(i -> eClass[i])
                .thenComparingInt(i -> i));
        neuronAtRow = new int[n];
        rowOf = new int[n];
        for (int r = 0; r < n; r++) {
            neuronAtRow[r] = order[r];
            rowOf[order[r]] = r;
        }
        bounds = new int[areaNames.size()][];
        for (int i = 0; i < areaNames.size(); i++) {
            bounds[i] = specBounds(spec, areaNames.get(i));
        }
        for (int id = 0; id < n; id++) { // areas not in the spec (or no spec): the box of their neurons
            int i = area[id];
            if (i == NO_AREA || i >= bounds.length || (bounds[i] != null && bounds[i].length == 9)) {
                continue;
            }
            if (bounds[i] == null) {
                bounds[i] = new int[9];
                for (int d = 0; d < 4; d++) {
                    bounds[i][d] = Integer.MAX_VALUE;
                    bounds[i][4 + d] = Integer.MIN_VALUE;
                }
            }
            for (int d = 0; d < 4; d++) {
                bounds[i][d] = Math.min(bounds[i][d], coords[4 * id + d]);
                bounds[i][4 + d] = Math.max(bounds[i][4 + d], coords[4 * id + d]);
            }
        }
        senses = new ArrayList<>();
        if (spec != null) {
            spec.senses().values().forEach(s -> senses.add(new String[] {s.name(), s.area()}));
        }
        json = toJson();
    }

    /** The box of the spec's area (9 entries, the last a marker that it came from the spec), or null. */
    private static int[] specBounds(NetworkSpec spec, String areaName) {
        if (spec == null) {
            return null;
        }
        for (NetworkSpec.AreaSpec a : spec.areas()) {
            if (a.name().equals(areaName)) {
                int[] b = new int[9];
                System.arraycopy(a.lo(), 0, b, 0, 4);
                System.arraycopy(a.hi(), 0, b, 4, 4);
                return b;
            }
        }
        return null;
    }

    /**
     * The layout of a network's topology chunks (all of one spec hash, in chunk order).
     *
     * @param spec the network's spec, for its areas' boxes and its senses; null if unknown
     */
    public static Layout of(String networkId, double dtMs, List<Topology> chunks, NetworkSpec spec) {
        if (chunks.isEmpty()) {
            throw new IllegalArgumentException("network '" + networkId + "' has no topology");
        }
        return new Layout(networkId, dtMs, chunks, spec);
    }

    private static long cellKey(int x, int y, int z, int w) {
        return ((long) (x & 0xffff) << 48) | ((long) (y & 0xffff) << 32) | ((long) (z & 0xffff) << 16) | (w & 0xffff);
    }

    public String networkId() {
        return networkId;
    }

    public double dtMs() {
        return dtMs;
    }

    /** Neurons, which is also raster rows. */
    public int neuronCount() {
        return rowOf.length;
    }

    /** The raster row of a neuron, or -1 for an id outside the network. */
    public int rowOf(int neuronId) {
        return neuronId >= 0 && neuronId < rowOf.length ? rowOf[neuronId] : -1;
    }

    /** The neuron on a raster row, or -1. */
    public int neuronAtRow(int row) {
        return row >= 0 && row < neuronAtRow.length ? neuronAtRow[row] : -1;
    }

    /** The area index of a neuron ({@link #NO_AREA} for none). */
    public int areaOf(int neuronId) {
        return area[neuronId];
    }

    /** The areas' names, in spec order. */
    public List<String> areaNames() {
        return areaNames;
    }

    /** The lattice coordinate {@code d} (0 x, 1 y, 2 z, 3 w) of a neuron. */
    public int coord(int neuronId, int d) {
        return coords[4 * neuronId + d];
    }

    /** Area {@code i}'s inclusive box: lo x, y, z, w then hi x, y, z, w; null for an area with no neuron and no spec. */
    public int[] bounds(int i) {
        return bounds[i] == null ? null : Arrays.copyOf(bounds[i], 8);
    }

    /** The neuron at a lattice cell, or -1. */
    public int neuronAt(int x, int y, int z, int w) {
        Integer id = byCell.get(cellKey(x, y, z, w));
        return id == null ? -1 : id;
    }

    /** {@code /api/networks/{id}/layout}'s answer. */
    public ObjectNode json() {
        return json;
    }

    /** {@code /api/networks/{id}/neuron}'s answer for a neuron. */
    public ObjectNode neuronJson(int id) {
        ObjectNode o = Http.object();
        o.put("neuron_id", id);
        o.put("row", rowOf[id]);
        o.put("area", area[id] == NO_AREA ? null : areaNames.get(area[id]));
        o.put("population", populationNames.get(population[id]));
        o.put("e_class", eClass[id] == 0 ? "E" : "I");
        o.put("x", coords[4 * id]);
        o.put("y", coords[4 * id + 1]);
        o.put("z", coords[4 * id + 2]);
        o.put("w", coords[4 * id + 3]);
        return o;
    }

    private ObjectNode toJson() {
        ObjectNode o = Http.object();
        o.put("id", networkId);
        o.put("neuron_count", neuronCount());
        o.put("dt_ms", dtMs);
        ArrayNode l = o.putArray("lattice");
        for (int v : lattice) {
            l.add(v);
        }
        o.put("rows", neuronCount());
        ArrayNode groups = o.putArray("groups");
        int start = 0;
        for (int r = 1; r <= neuronAtRow.length; r++) {
            if (r == neuronAtRow.length || !sameGroup(neuronAtRow[r - 1], neuronAtRow[r])) {
                int id = neuronAtRow[start];
                ObjectNode g = groups.addObject();
                g.put("area", area[id] == NO_AREA ? null : areaNames.get(area[id]));
                g.put("e_class", eClass[id] == 0 ? "E" : "I");
                g.put("population", populationNames.get(population[id]));
                g.put("row_start", start);
                g.put("row_count", r - start);
                start = r;
            }
        }
        ArrayNode areas = o.putArray("areas");
        for (int i = 0; i < areaNames.size(); i++) {
            int[] b = bounds[i];
            if (b == null) {
                continue;
            }
            ObjectNode a = areas.addObject();
            a.put("name", areaNames.get(i));
            String[] axes = {"x", "y", "z", "w"};
            for (int d = 0; d < 4; d++) {
                a.putArray(axes[d]).add(b[d]).add(b[4 + d]);
            }
        }
        ArrayNode s = o.putArray("senses");
        for (String[] sense : senses) {
            s.addObject().put("name", sense[0]).put("area", sense[1]);
        }
        return o;
    }

    private boolean sameGroup(int a, int b) {
        return area[a] == area[b] && eClass[a] == eClass[b] && population[a] == population[b];
    }
}
