package io.neurostream.ops.internal;

import io.neurostream.engine.SpikeChecksum;
import io.neurostream.schemas.SpikeBatches;
import io.neurostream.schemas.avro.SpikeBatch;
import java.io.IOException;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * Counts the spikes of SpikeBatch records as they are published, in order: their {@link SpikeChecksum}
 * (the hash {@code neurostream run} prints), per population when told the populations' neuron ranges, and
 * every spike to a CSV file ({@code tick,neuron}) if asked.
 */
public final class SpikeTally implements Consumer<SpikeBatch>, AutoCloseable {
    private final SpikeChecksum checksum = new SpikeChecksum();
    private final CsvWriter csv;
    private int[] populationStarts = new int[0];
    private long[] populationSpikes = new long[0];
    private long lastEnd;

    public SpikeTally(Path csvFile) throws IOException {
        this.csv = csvFile == null ? null : CsvWriter.create(csvFile, "tick,neuron");
    }

    /** Counts per population from now on: population i holds the neurons from {@code starts[i]}. */
    public void populations(int[] starts) {
        this.populationStarts = starts.clone();
        if (populationSpikes.length != starts.length) {
            populationSpikes = new long[starts.length];
        }
    }

    @Override
    public void accept(SpikeBatch b) {
        int[] ids = SpikeBatches.neuronIds(b);
        int[] offs = SpikeBatches.tickOffsets(b);
        for (int i = 0; i < ids.length; i++) {
            long tick = b.getFirstTick() + offs[i];
            checksum.add(tick, ids[i]);
            if (populationStarts.length > 0) {
                int p = java.util.Arrays.binarySearch(populationStarts, ids[i]);
                populationSpikes[p >= 0 ? p : -p - 2]++;
            }
            if (csv != null) {
                csv.number(tick).comma().number(ids[i]).newline();
            }
        }
        lastEnd = b.getFirstTick() + b.getTicks();
    }

    public SpikeChecksum checksum() {
        return checksum;
    }

    /** Spikes per population, in the order of {@link #populations}. */
    public long[] populationSpikes() {
        return populationSpikes;
    }

    /** The end tick of the last batch counted. */
    public long lastEnd() {
        return lastEnd;
    }

    @Override
    public void close() {
        if (csv != null) {
            csv.close();
        }
    }
}
