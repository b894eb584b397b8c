package io.neurostream.simulator;

import java.io.OutputStream;

/**
 * An output stream that cuts what is written to it into chunks of a fixed size and hands each one on
 * as soon as it is full (the last one, shorter, at {@link #finish}). A chunk's array is handed over, not
 * reused: whoever receives it may keep it.
 */
final class CheckpointChunks extends OutputStream {
    /** Receives chunk number {@code index} (0-based) of the stream. */
    interface Sink {
        void chunk(int index, byte[] data);
    }

    private final int chunkBytes;
    private final Sink sink;
    private byte[] buffer;
    private int filled;
    private int chunks;
    private long bytes;

    CheckpointChunks(int chunkBytes, Sink sink) {
        if (chunkBytes <= 0) {
            throw new IllegalArgumentException("chunk size must be positive, not " + chunkBytes);
        }
        this.chunkBytes = chunkBytes;
        this.sink = sink;
    }

    @Override
    public void write(int b) {
        room();
        buffer[filled++] = (byte) b;
        bytes++;
        full();
    }

    @Override
    public void write(byte[] b, int off, int len) {
        java.util.Objects.checkFromIndexSize(off, len, b.length);
        while (len > 0) {
            room();
            int n = Math.min(len, chunkBytes - filled);
            System.arraycopy(b, off, buffer, filled, n);
            filled += n;
            bytes += n;
            off += n;
            len -= n;
            full();
        }
    }

    /** Hands on the last, partly filled chunk; an empty stream still makes one (empty) chunk. */
    void finish() {
        if (filled > 0 || chunks == 0) {
            byte[] last = java.util.Arrays.copyOf(buffer == null ? new byte[0] : buffer, filled);
            buffer = null;
            filled = 0;
            sink.chunk(chunks++, last);
        }
    }

    /** Chunks handed on so far. */
    int chunks() {
        return chunks;
    }

    /** Bytes written so far. */
    long bytes() {
        return bytes;
    }

    private void room() {
        if (buffer == null) {
            buffer = new byte[chunkBytes];
        }
    }

    private void full() {
        if (filled == chunkBytes) {
            byte[] chunk = buffer;
            buffer = null;
            filled = 0;
            sink.chunk(chunks++, chunk);
        }
    }
}
