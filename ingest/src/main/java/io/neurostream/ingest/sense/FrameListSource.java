package io.neurostream.ingest.sense;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * A source whose samples are all at hand (read from files up front): sample {@code k} is frame
 * {@code k mod n} when looping, dated {@code k / rateHz} s. Reading everything first means a bad file is
 * reported before anything is sent.
 */
public final class FrameListSource implements Source {
    private final List<float[][]> frames;
    private final double rateHz;
    private final boolean loop;
    private final String description;
    private long index;

    public FrameListSource(List<float[][]> frames, double rateHz, boolean loop, String description) {
        if (frames.isEmpty()) {
            throw new BadSampleException(description + ": holds no frame");
        }
        if (!(rateHz > 0)) {
            throw new IllegalArgumentException("rateHz must be > 0, got " + rateHz);
        }
        this.frames = List.copyOf(frames);
        this.rateHz = rateHz;
        this.loop = loop;
        this.description = description;
    }

    /**
     * Reads a finite source to its end (closing it) and holds its samples, so a file read as it comes can
     * loop; fails as the source does, before anything is sent.
     */
    public static FrameListSource preload(Source source, boolean loop) throws IOException {
        List<float[][]> frames = new ArrayList<>();
        String what = source.describe();
        double rateHz = source.rateHz();
        try (source) {
            for (Sample s = source.next(); s != null; s = source.next()) {
                frames.add(s.values());
            }
        }
        return new FrameListSource(frames, rateHz, loop, what);
    }

    /** Frames read (one pass). */
    public int frameCount() {
        return frames.size();
    }

    @Override
    public double rateHz() {
        return rateHz;
    }

    @Override
    public Sample next() {
        if (!loop && index >= frames.size()) {
            return null;
        }
        long k = index++;
        return new Sample(k, k / rateHz, frames.get((int) (k % frames.size())));
    }

    @Override
    public String describe() {
        return description;
    }
}
