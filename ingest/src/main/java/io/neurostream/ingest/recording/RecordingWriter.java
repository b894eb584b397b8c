package io.neurostream.ingest.recording;

import io.neurostream.schemas.avro.AppliedInput;
import io.neurostream.schemas.avro.Frame;
import io.neurostream.schemas.avro.SpikeBatch;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.format.DateTimeFormatter;
import org.apache.avro.file.CodecFactory;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.generic.GenericData;
import org.apache.avro.specific.SpecificDatumWriter;

/**
 * Writes a recording ({@link RecordingFormat}): journal entries, outputs and progress marks, in
 * deflate-compressed blocks. A block ends at about {@link #SYNC_INTERVAL_BYTES} of records and at every
 * {@link #mark}, which also flushes it to the file, so a recorder that crashes loses at most what it
 * wrote since its last mark: the file stays readable up to its last whole block. Not thread-safe.
 */
public final class RecordingWriter implements AutoCloseable {
    /** Uncompressed bytes of records per block, at most (Avro's default is 64000). */
    public static final int SYNC_INTERVAL_BYTES = 256 * 1024;
    /** The deflate level: 6, zlib's default balance of size and speed. */
    public static final int DEFLATE_LEVEL = 6;

    private final DataFileWriter<Object> writer;
    private final GenericData.Record mark = new GenericData.Record(RecordingFormat.markSchema());
    private long records;
    private boolean finished;

    private RecordingWriter(DataFileWriter<Object> writer) {
        this.writer = writer;
    }

    /** Creates (or replaces) {@code file} with the metadata of {@code info}. */
    public static RecordingWriter create(Path file, RecordingInfo info) throws IOException {
        DataFileWriter<Object> w = new DataFileWriter<>(new SpecificDatumWriter<>(RecordingFormat.schema()));
        w.setCodec(CodecFactory.deflateCodec(DEFLATE_LEVEL));
        w.setSyncInterval(SYNC_INTERVAL_BYTES);
        w.setMeta(RecordingFormat.META_FORMAT_VERSION, Integer.toString(info.formatVersion()));
        w.setMeta(RecordingFormat.META_WRITER_VERSION, info.writerVersion());
        w.setMeta(RecordingFormat.META_SCHEMA_FINGERPRINTS, info.fingerprints());
        w.setMeta(RecordingFormat.META_CREATED_AT, DateTimeFormatter.ISO_INSTANT.format(info.createdAt()));
        w.setMeta(RecordingFormat.META_NETWORK_ID, info.networkId());
        w.setMeta(RecordingFormat.META_RUN_ID, Long.toString(info.runId()));
        w.setMeta(RecordingFormat.META_SPEC_JSON, info.specJson());
        w.setMeta(RecordingFormat.META_SEED, Long.toString(info.seed()));
        w.setMeta(RecordingFormat.META_DT_MS, Double.toString(info.dtMs()));
        Files.deleteIfExists(file);
        try {
            w.create(RecordingFormat.schema(), file.toFile());
        } catch (IOException | RuntimeException e) {
            w.close();
            throw e;
        }
        return new RecordingWriter(w);
    }

    /** Appends a journal entry of the run (an input or command with the tick it applied at). */
    public void journal(AppliedInput entry) throws IOException {
        append(entry);
    }

    /** Appends one SpikeBatch record (a frame's spikes, or a part of them). */
    public void spikes(SpikeBatch batch) throws IOException {
        append(batch);
    }

    /** Appends one Frame summary. */
    public void frame(Frame frame) throws IOException {
        append(frame);
    }

    /**
     * Appends a progress mark (everything of ticks before {@code committedTick} is in the file) and flushes
     * the block to the file.
     */
    public void mark(long committedTick) throws IOException {
        writeMark(committedTick, false);
        writer.flush();
    }

    /** Appends the final mark and closes the file: a reader sees the recording as complete. */
    public void finish(long committedTick) throws IOException {
        writeMark(committedTick, true);
        finished = true;
        writer.close();
    }

    /** Records appended so far (marks included). */
    public long records() {
        return records;
    }

    private void writeMark(long committedTick, boolean last) throws IOException {
        mark.put("committed_tick", committedTick);
        mark.put("last", last);
        append(mark);
    }

    private void append(Object datum) throws IOException {
        if (finished) {
            throw new IllegalStateException("the recording is finished");
        }
        writer.append(datum);
        records++;
    }

    /** Closes the file without a final mark, if {@link #finish} did not: readers see a recording cut short. */
    @Override
    public void close() throws IOException {
        if (!finished) {
            finished = true;
            writer.close();
        }
    }
}
