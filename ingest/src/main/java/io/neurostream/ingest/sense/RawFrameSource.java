package io.neurostream.ingest.sense;

import java.io.IOException;
import java.io.InputStream;

/**
 * Vision from raw 8-bit grey frames on a stream, e.g. {@code ffmpeg -i in.mp4 -f rawvideo -pix_fmt gray -}:
 * each frame is exactly {@code width x height} bytes, row after row from the top; byte {@code py * width + px}
 * becomes value {@code [px][py]} = byte / 255. The stream's end between frames ends the source; a stream
 * that ends inside a frame is an error naming how many bytes that frame had.
 */
public final class RawFrameSource implements Source {
    private final InputStream in;
    private final int width;
    private final int height;
    private final double rateHz;
    private final String name;
    private long index;

    /**
     * @param name what the stream is, for messages (e.g. {@code stdin})
     */
    public RawFrameSource(InputStream in, int width, int height, double rateHz, String name) {
        if (width < 1 || height < 1) {
            throw new IllegalArgumentException("a raw frame must be at least 1x1, got " + width + "x" + height);
        }
        this.in = in;
        this.width = width;
        this.height = height;
        this.rateHz = rateHz;
        this.name = name;
    }

    @Override
    public double rateHz() {
        return rateHz;
    }

    @Override
    public Sample next() throws IOException {
        int size = width * height;
        byte[] b = in.readNBytes(size);
        if (b.length == 0) {
            return null;
        }
        if (b.length < size) {
            throw new BadSampleException(name + ": frame " + index + " has " + b.length + " bytes; a " + width + "x"
                    + height + " grey frame has " + size + " (is --size right?)");
        }
        float[][] m = new float[width][height];
        for (int py = 0; py < height; py++) {
            for (int px = 0; px < width; px++) {
                m[px][py] = (b[py * width + px] & 0xff) / 255f;
            }
        }
        long k = index++;
        return new Sample(k, k / rateHz, m);
    }

    @Override
    public String describe() {
        return name + " (raw " + width + "x" + height + " grey frames)";
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
