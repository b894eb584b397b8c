package io.neurostream.analytics.internal;

import io.neurostream.schemas.avro.AreaFrame;
import io.neurostream.schemas.avro.EClass;
import io.neurostream.schemas.avro.Frame;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Sums of frames per group (area, E/I class): spikes (count), neurons (count; the largest seen), E input
 * and I input (summed, model input unit). Groups keep the order they first appear in, which for frames is
 * the spec's area order, E before I. Used for one pane (a slice of simulated time of every window that
 * covers it) and for a whole window (its panes merged in time order, so sums are deterministic).
 */
public final class WindowSums {
    private static final byte FORMAT = 1;

    private String[] areas = new String[4];
    private EClass[] classes = new EClass[4];
    private long[] spikes = new long[4];
    private int[] neurons = new int[4];
    private double[] eInput = new double[4];
    private double[] iInput = new double[4];
    private int size;
    private final Map<String, Integer> index = new HashMap<>();

    /** Adds every group of a frame. */
    public void add(Frame frame) {
        for (AreaFrame a : frame.getAreas()) {
            add(a.getArea(), a.getEClass(), a.getSpikes(), a.getNeurons(), a.getEInput(), a.getIInput());
        }
    }

    /** Adds another sum, group by group. */
    public void add(WindowSums other) {
        for (int g = 0; g < other.size; g++) {
            add(other.areas[g], other.classes[g], other.spikes[g], other.neurons[g], other.eInput[g], other.iInput[g]);
        }
    }

    void add(String area, EClass cls, long spikeCount, int neuronCount, double e, double i) {
        int g = group(area, cls);
        spikes[g] += spikeCount;
        neurons[g] = Math.max(neurons[g], neuronCount);
        eInput[g] += e;
        iInput[g] += i;
    }

    private int group(String area, EClass cls) {
        String key = cls.name() + area;
        Integer g = index.get(key);
        if (g != null) {
            return g;
        }
        if (size == areas.length) {
            int n = size * 2;
            areas = Arrays.copyOf(areas, n);
            classes = Arrays.copyOf(classes, n);
            spikes = Arrays.copyOf(spikes, n);
            neurons = Arrays.copyOf(neurons, n);
            eInput = Arrays.copyOf(eInput, n);
            iInput = Arrays.copyOf(iInput, n);
        }
        areas[size] = area;
        classes[size] = cls;
        index.put(key, size);
        return size++;
    }

    public boolean isEmpty() {
        return size == 0;
    }

    /** Number of groups. */
    public int groups() {
        return size;
    }

    public String area(int g) {
        return areas[g];
    }

    public EClass eClass(int g) {
        return classes[g];
    }

    public long spikes(int g) {
        return spikes[g];
    }

    public int neurons(int g) {
        return neurons[g];
    }

    public double eInput(int g) {
        return eInput[g];
    }

    public double iInput(int g) {
        return iInput[g];
    }

    /** Binary form for a state store: format byte, group count, then per group area, class, sums. */
    public byte[] encode() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(8 + size * 48);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(FORMAT);
            out.writeInt(size);
            for (int g = 0; g < size; g++) {
                out.writeUTF(areas[g]);
                out.writeByte(classes[g].ordinal());
                out.writeLong(spikes[g]);
                out.writeInt(neurons[g]);
                out.writeDouble(eInput[g]);
                out.writeDouble(iInput[g]);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    public static WindowSums decode(byte[] data) {
        WindowSums w = new WindowSums();
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data))) {
            byte format = in.readByte();
            if (format != FORMAT) {
                throw new IllegalStateException("unknown WindowSums format " + format);
            }
            int n = in.readInt();
            EClass[] classes = EClass.values();
            for (int g = 0; g < n; g++) {
                String area = in.readUTF();
                EClass cls = classes[in.readByte()];
                w.add(area, cls, in.readLong(), in.readInt(), in.readDouble(), in.readDouble());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return w;
    }
}
