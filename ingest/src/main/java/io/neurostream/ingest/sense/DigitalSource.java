package io.neurostream.ingest.sense;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * The digital sense: arbitrary bytes or text laid onto the sense's cells, each byte as {@code byte / 255}
 * (unsigned, so in [0, 1]).
 *
 * <ul>
 *   <li>{@link #bytes}: the stream is cut into samples of {@code rows x cols} bytes; byte {@code k} of a
 *       sample lands on cell {@code [k / cols][k % cols]} (row by row along x, filling y first); a short
 *       last sample is padded with zeros.</li>
 *   <li>{@link #text}: one line (UTF-8, without its line end) per sample, its bytes laid the same way,
 *       cut after {@code rows x cols} bytes and padded with zeros; an empty line is an all-zero sample.</li>
 * </ul>
 * For numeric vectors use the generic {@link MatrixTextSource} (a flat JSON array or a CSV line).
 */
public final class DigitalSource implements Source {
    private final InputStream bytesIn;
    private final BufferedReader textIn;
    private final int rows;
    private final int cols;
    private final double rateHz;
    private final String name;
    private long index;

    private DigitalSource(InputStream bytesIn, BufferedReader textIn, int rows, int cols, double rateHz, String name) {
        if (rows < 1 || cols < 1) {
            throw new IllegalArgumentException("the digital sense must be at least 1x1, got " + rows + "x" + cols);
        }
        this.bytesIn = bytesIn;
        this.textIn = textIn;
        this.rows = rows;
        this.cols = cols;
        this.rateHz = rateHz;
        this.name = name;
    }

    /** Samples of {@code rows x cols} bytes each. */
    public static DigitalSource bytes(InputStream in, int rows, int cols, double rateHz, String name) {
        return new DigitalSource(in, null, rows, cols, rateHz, name);
    }

    /** A sample per line of text. */
    public static DigitalSource text(BufferedReader in, int rows, int cols, double rateHz, String name) {
        return new DigitalSource(null, in, rows, cols, rateHz, name);
    }

    @Override
    public double rateHz() {
        return rateHz;
    }

    @Override
    public Sample next() throws IOException {
        byte[] b;
        if (bytesIn != null) {
            b = bytesIn.readNBytes(rows * cols);
            if (b.length == 0) {
                return null;
            }
        } else {
            String line = textIn.readLine();
            if (line == null) {
                return null;
            }
            b = line.getBytes(StandardCharsets.UTF_8);
        }
        long k = index++;
        return new Sample(k, k / rateHz, lay(b, rows, cols));
    }

    /** Bytes {@code b} as a {@code rows x cols} matrix of {@code byte / 255}, row by row, padded with zeros. */
    public static float[][] lay(byte[] b, int rows, int cols) {
        float[][] m = new float[rows][cols];
        int n = Math.min(b.length, rows * cols);
        for (int k = 0; k < n; k++) {
            m[k / cols][k % cols] = (b[k] & 0xff) / 255f;
        }
        return m;
    }

    @Override
    public String describe() {
        return name + (bytesIn != null ? " (bytes, " + rows * cols + " per sample)" : " (text, a line per sample)");
    }

    @Override
    public void close() throws IOException {
        if (bytesIn != null) {
            bytesIn.close();
        } else {
            textIn.close();
        }
    }
}
