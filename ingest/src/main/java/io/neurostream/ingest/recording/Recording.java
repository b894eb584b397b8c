package io.neurostream.ingest.recording;

import io.neurostream.schemas.avro.AppliedInput;
import io.neurostream.schemas.avro.Frame;
import io.neurostream.schemas.avro.SpikeBatch;
import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.file.DataFileReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.specific.SpecificDatumReader;

/**
 * A recording on disk ({@link RecordingFormat}): its metadata, read by {@link #open}, and its contents,
 * read by {@link #readAll}. Every problem is a {@link RecordingException} with one line that names the
 * file: not a recording, a newer format version, metadata missing, or a block cut short or corrupted (with
 * how far the reading got, and what was read before it).
 */
public final class Recording {
    private final Path file;
    private final RecordingInfo info;

    private Recording(Path file, RecordingInfo info) {
        this.file = file;
        this.info = info;
    }

    /** Everything a recording holds, in file order per kind. */
    public record Contents(List<AppliedInput> journal, List<SpikeBatch> spikes, List<Frame> frames, long committedTick,
            boolean complete, long records, long blocks) {
    }

    /** Reads the metadata of a recording and checks that this build can read it. */
    public static Recording open(Path file) throws RecordingException {
        try (DataFileReader<Object> r = reader(file)) {
            return new Recording(file, info(file, r));
        } catch (IOException e) {
            throw asRecordingException(file, e);
        }
    }

    public Path file() {
        return file;
    }

    public RecordingInfo info() {
        return info;
    }

    /**
     * Reads every record. A file that ends mid-block or has a corrupted block throws, with what was read
     * before it in {@link RecordingException#partial()}; a file cut short at a block boundary (a recorder
     * that crashed after a flush) reads as {@code complete = false}.
     */
    public Contents readAll() throws RecordingException {
        return read(new ArrayList<>(), new ArrayList<>(), null);
    }

    /**
     * Reads every record as {@link #readAll} does, but hands each SpikeBatch and Frame to {@code outputs}, in
     * file order, instead of keeping it: the journal is small, the outputs of a long run are not (a 5-minute
     * recording of the demo held 17 million spikes, and reading them all needed 1.5 GB of heap). The
     * returned contents (and those of a {@link RecordingException}) have no spikes and no frames.
     */
    public Contents readJournal(Outputs outputs) throws RecordingException {
        return read(List.of(), List.of(), outputs);
    }

    /** Receives a recording's outputs one by one ({@link #readJournal}). */
    public interface Outputs {
        void spikes(SpikeBatch batch);

        void frame(Frame frame);
    }

    private Contents read(List<SpikeBatch> spikes, List<Frame> frames, Outputs outputs) throws RecordingException {
        List<AppliedInput> journal = new ArrayList<>();
        long committed = 0;
        boolean complete = false;
        long records = 0;
        long blocks = 0;
        long lastSync = -1;
        try (DataFileReader<Object> r = reader(file)) {
            lastSync = r.previousSync();
            while (true) {
                try {
                    if (!r.hasNext()) {
                        break;
                    }
                    Object o = r.next();
                    long sync = r.previousSync();
                    if (sync != lastSync || blocks == 0) {
                        lastSync = sync;
                        blocks++;
                    }
                    records++;
                    if (o instanceof AppliedInput a) {
                        journal.add(a);
                    } else if (o instanceof SpikeBatch s) {
                        if (outputs != null) {
                            outputs.spikes(s);
                        } else {
                            spikes.add(s);
                        }
                    } else if (o instanceof Frame f) {
                        if (outputs != null) {
                            outputs.frame(f);
                        } else {
                            frames.add(f);
                        }
                    } else if (o instanceof GenericRecord g && g.getSchema().getFullName().equals(RecordingFormat.MARK_NAME)) {
                        committed = (Long) g.get("committed_tick");
                        complete = (Boolean) g.get("last");
                    }
                } catch (RuntimeException e) {
                    Contents partial = new Contents(journal, spikes, frames, committed, false, records, blocks);
                    boolean truncated = isTruncation(e);
                    String where = "block " + (blocks + 1) + " (after " + records + " records in " + blocks
                            + " whole blocks, committed tick " + committed + ")";
                    throw new RecordingException(file + ": " + (truncated
                            ? "the file ends in the middle of " + where + "; the recorder was cut short (crash or copy)"
                            : "corrupted " + where + ": " + describe(e)), partial, e);
                }
            }
            // Avro ends reading quietly at a block cut short; previousSync() is then the end of the last
            // whole block, and anything after it is a block cut short
            long wholeEnd = r.previousSync();
            if (wholeEnd < Files.size(file)) {
                throw new RecordingException(file + ": the file ends in the middle of block " + (blocks + 1) + " (after "
                        + records + " records in " + blocks + " whole blocks, committed tick " + committed
                        + "); the recorder was cut short (crash or copy)",
                        new Contents(journal, spikes, frames, committed, false, records, blocks), null);
            }
        } catch (RecordingException e) {
            throw e;
        } catch (IOException e) {
            throw asRecordingException(file, e);
        }
        return new Contents(journal, spikes, frames, committed, complete, records, blocks);
    }

    private static boolean isTruncation(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof EOFException || (t.getMessage() != null && t.getMessage().contains("EOF"))) {
                return true;
            }
        }
        return false;
    }

    private static String describe(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String m = root.getMessage() != null ? root.getMessage() : root.getClass().getSimpleName();
        return m.replace('\n', ' ');
    }

    private static DataFileReader<Object> reader(Path file) throws IOException {
        if (!Files.exists(file)) {
            throw new NoSuchFileException(file.toString());
        }
        return new DataFileReader<>(file.toFile(), new SpecificDatumReader<>(RecordingFormat.schema()));
    }

    private static RecordingException asRecordingException(Path file, IOException e) {
        if (e instanceof RecordingException re) {
            return re;
        }
        if (e instanceof NoSuchFileException) {
            return new RecordingException(file + ": no such file", null, e);
        }
        String m = String.valueOf(e.getMessage());
        if (m.contains("Not an Avro data file") || e instanceof EOFException) {
            return new RecordingException(file + ": not a NeuroStream recording (not an Avro object container file)", null, e);
        }
        return new RecordingException(file + ": cannot be read: " + describe(e), null, e);
    }

    private static RecordingInfo info(Path file, DataFileReader<Object> r) throws RecordingException {
        String version = r.getMetaString(RecordingFormat.META_FORMAT_VERSION);
        if (version == null) {
            throw new RecordingException(file + ": not a NeuroStream recording (an Avro container file without metadata "
                    + RecordingFormat.META_FORMAT_VERSION + ")", null, null);
        }
        int v;
        try {
            v = Integer.parseInt(version.trim());
        } catch (NumberFormatException e) {
            throw new RecordingException(file + ": metadata " + RecordingFormat.META_FORMAT_VERSION + " is '" + version
                    + "', not a format version number", null, e);
        }
        if (v > RecordingFormat.VERSION) {
            throw new RecordingException(file + ": recording format " + v + " is newer than this NeuroStream reads ("
                    + RecordingFormat.VERSION + "); upgrade", null, null);
        }
        if (v < 1) {
            throw new RecordingException(file + ": metadata " + RecordingFormat.META_FORMAT_VERSION + " is " + v
                    + "; format versions start at 1", null, null);
        }
        for (String key : RecordingFormat.REQUIRED_META) {
            if (r.getMeta(key) == null) {
                throw new RecordingException(file + ": recording metadata " + key + " is missing", null, null);
            }
        }
        Schema writer = r.getSchema();
        if (writer.getType() != Schema.Type.UNION) {
            throw new RecordingException(file + ": its records are " + writer.getType()
                    + ", not the union of journal entries, outputs and marks a recording holds", null, null);
        }
        String key = null;
        try {
            key = RecordingFormat.META_CREATED_AT;
            Instant created = Instant.parse(r.getMetaString(key));
            key = RecordingFormat.META_RUN_ID;
            long runId = Long.parseLong(r.getMetaString(key));
            key = RecordingFormat.META_SEED;
            long seed = Long.parseLong(r.getMetaString(key));
            key = RecordingFormat.META_DT_MS;
            double dt = Double.parseDouble(r.getMetaString(key));
            return new RecordingInfo(v, r.getMetaString(RecordingFormat.META_WRITER_VERSION), created,
                    r.getMetaString(RecordingFormat.META_NETWORK_ID), runId,
                    new String(r.getMeta(RecordingFormat.META_SPEC_JSON), StandardCharsets.UTF_8), seed, dt,
                    r.getMetaString(RecordingFormat.META_SCHEMA_FINGERPRINTS));
        } catch (NumberFormatException | DateTimeParseException e) {
            throw new RecordingException(file + ": recording metadata " + key + " is '" + r.getMetaString(key)
                    + "', which cannot be read", null, e);
        }
    }
}
