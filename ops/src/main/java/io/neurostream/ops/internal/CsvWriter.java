package io.neurostream.ops.internal;

import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A CSV file of ASCII text written through one reusable byte buffer. Whole numbers are formatted
 * into the buffer digit by digit, so writing a spike row allocates nothing: a run with millions of
 * spikes costs a few bytes of copying per spike, not a {@code String} per spike.
 *
 * <p>Not thread-safe. {@link #close()} flushes. Write errors are {@link UncheckedIOException}s
 * whose message starts with the file's name.
 */
public final class CsvWriter implements Closeable {
    private static final int BUFFER_BYTES = 1 << 16;

    private final OutputStream out;
    private final String name;
    private final byte[] buf = new byte[BUFFER_BYTES];
    private final byte[] digits = new byte[20];
    private final byte[] rowPrefix = new byte[24];
    private int pos;
    private long rows;

    /** A writer to {@code out}; {@code name} (a file name) starts the message of write errors. */
    public CsvWriter(OutputStream out, String name) {
        this.out = out;
        this.name = name;
    }

    /** Creates (or truncates) {@code file} and writes {@code header} as its first line. */
    public static CsvWriter create(Path file, String header) throws IOException {
        CsvWriter w = new CsvWriter(Files.newOutputStream(file), file.toString());
        w.text(header).newline();
        return w;
    }

    /** Appends ASCII text (no quoting: callers write names without commas or quotes). */
    public CsvWriter text(String s) {
        for (int i = 0; i < s.length(); i++) {
            put((byte) s.charAt(i));
        }
        return this;
    }

    /** Appends pre-encoded ASCII bytes. */
    public CsvWriter bytes(byte[] b) {
        if (pos + b.length > buf.length) {
            drain();
        }
        System.arraycopy(b, 0, buf, pos, b.length);
        pos += b.length;
        return this;
    }

    public CsvWriter comma() {
        put((byte) ',');
        return this;
    }

    /** Ends a row. */
    public CsvWriter newline() {
        put((byte) '\n');
        rows++;
        return this;
    }

    /** Appends a whole number in decimal. */
    public CsvWriter number(long v) {
        if (pos + 20 > buf.length) {
            drain();
        }
        pos = format(v, buf, pos);
        return this;
    }

    /** Appends a double as {@link Double#toString(double)} writes it (shortest text that reads back exactly). */
    public CsvWriter number(double v) {
        return text(Double.toString(v));
    }

    /**
     * Appends one row {@code tick,neuron} for each of the first {@code count} entries of
     * {@code neurons}; the tick's digits are formatted once for all its rows.
     */
    public void tickRows(long tick, int[] neurons, int count) {
        int prefix = format(tick, rowPrefix, 0);
        rowPrefix[prefix++] = ',';
        final byte[] b = buf;
        for (int i = 0; i < count; i++) {
            if (pos + prefix + 12 > b.length) {
                drain();
            }
            System.arraycopy(rowPrefix, 0, b, pos, prefix);
            int p = format(neurons[i], b, pos + prefix);
            b[p++] = '\n';
            pos = p;
        }
        rows += count;
    }

    /** Rows written so far, the header included. */
    public long rows() {
        return rows;
    }

    public void flush() {
        drain();
        try {
            out.flush();
        } catch (IOException e) {
            throw failure(e);
        }
    }

    @Override
    public void close() {
        try {
            flush();
        } finally {
            try {
                out.close();
            } catch (IOException e) {
                throw failure(e);
            }
        }
    }

    private void put(byte c) {
        if (pos == buf.length) {
            drain();
        }
        buf[pos++] = c;
    }

    /** Writes the buffer out. */
    private void drain() {
        if (pos == 0) {
            return;
        }
        try {
            out.write(buf, 0, pos);
        } catch (IOException e) {
            throw failure(e);
        }
        pos = 0;
    }

    private UncheckedIOException failure(IOException e) {
        String why = e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
        return new UncheckedIOException(name + ": " + why, e);
    }

    /** Writes the decimal digits of {@code v} into {@code dst} at {@code at}; returns the end position. */
    private int format(long v, byte[] dst, int at) {
        if (v == Long.MIN_VALUE) {
            byte[] s = Long.toString(v).getBytes(StandardCharsets.US_ASCII);
            System.arraycopy(s, 0, dst, at, s.length);
            return at + s.length;
        }
        if (v < 0) {
            dst[at++] = '-';
            v = -v;
        }
        int n = 0;
        do {
            digits[n++] = (byte) ('0' + (int) (v % 10));
            v /= 10;
        } while (v != 0);
        while (n > 0) {
            dst[at++] = digits[--n];
        }
        return at;
    }
}
