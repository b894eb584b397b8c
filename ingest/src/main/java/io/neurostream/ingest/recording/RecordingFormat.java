package io.neurostream.ingest.recording;

import io.neurostream.schemas.SchemaVersions;
import io.neurostream.schemas.avro.AppliedInput;
import io.neurostream.schemas.avro.Frame;
import io.neurostream.schemas.avro.SpikeBatch;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import org.apache.avro.Schema;

/**
 * The recording format, version {@value #VERSION}: an Avro object container file whose records are a
 * union of the network's journal entries ({@link AppliedInput}, with the CREATE that holds the spec),
 * its output ({@link SpikeBatch}, {@link Frame}) and progress marks ({@value #MARK_NAME}: the tick up
 * to which everything before it in the file is complete). The file's metadata (keys below) says which
 * network, run, spec and seed it is.
 *
 * <p>The versioning promise: the format version changes only when a reader of the old version would
 * misread a file of the new one (a new kind of record in the union, a metadata key changing meaning).
 * The member records may evolve compatibly without a new format version, as their topics' schemas do
 * (SchemaVersions): the writer's schema is inside every file, and Avro resolves it to the reader's. A
 * reader refuses a file of a newer format version with one line saying so, and reads every older one.
 */
public final class RecordingFormat {
    /** The format version this build writes and the newest it reads. */
    public static final int VERSION = 1;
    /** The frozen record schema of format version 1, on the class path: the union the file holds. */
    public static final String SCHEMA_RESOURCE = "io/neurostream/ingest/recording/recording-v1.avsc";
    /** Full name of the progress-mark record (no generated class: read and written as a generic record). */
    public static final String MARK_NAME = "io.neurostream.recording.RecordingMark";

    /** Metadata: the format version, a decimal integer ({@value #VERSION} for this build). */
    public static final String META_FORMAT_VERSION = "neurostream.recording.format.version";
    /** Metadata: the NeuroStream version that wrote the file (the project version). */
    public static final String META_WRITER_VERSION = "neurostream.recording.writer.version";
    /** Metadata: the CRC-64-AVRO fingerprint of every record type in the union, {@code Name=hex,...}. */
    public static final String META_SCHEMA_FINGERPRINTS = "neurostream.recording.schema.fingerprints";
    /** Metadata: when the recording was made, ISO-8601 UTC. */
    public static final String META_CREATED_AT = "neurostream.recording.created.at";
    /** Metadata: the network id. */
    public static final String META_NETWORK_ID = "neurostream.recording.network.id";
    /** Metadata: the run id (the control offset of the CREATE that began the run). */
    public static final String META_RUN_ID = "neurostream.recording.run.id";
    /** Metadata: the network spec, JSON, as the CREATE carried it. */
    public static final String META_SPEC_JSON = "neurostream.recording.spec.json";
    /** Metadata: the spec's seed. */
    public static final String META_SEED = "neurostream.recording.seed";
    /** Metadata: the spec's time step, ms per tick. */
    public static final String META_DT_MS = "neurostream.recording.dt.ms";

    /** Every metadata key a recording of this version must have. */
    public static final List<String> REQUIRED_META = List.of(META_FORMAT_VERSION, META_WRITER_VERSION,
            META_SCHEMA_FINGERPRINTS, META_CREATED_AT, META_NETWORK_ID, META_RUN_ID, META_SPEC_JSON, META_SEED, META_DT_MS);

    private static volatile Schema schema;

    private RecordingFormat() {
    }

    /**
     * The record schema files are written with: a union of the current AppliedInput, SpikeBatch and Frame
     * schemas and the mark record. It equals the frozen {@link #SCHEMA_RESOURCE} (a test checks it), so a
     * change of a member's schema is a deliberate decision about the format.
     */
    public static Schema schema() {
        Schema s = schema;
        if (s == null) {
            Schema.Parser parser = new Schema.Parser();
            Schema mark = parser.parse("""
                    {"type": "record", "name": "RecordingMark", "namespace": "io.neurostream.recording",
                     "doc": "Progress of a recording: every journal entry and output of the run for the ticks before committed_tick is earlier in the file.",
                     "fields": [
                       {"name": "committed_tick", "type": "long", "doc": "The network's committed tick: ticks [0, committed_tick) of the current epoch are computed, and their inputs, commands and outputs are recorded (ticks)."},
                       {"name": "last", "type": "boolean", "doc": "True on the final mark of a recording that ended normally; a file without one was cut short (its last whole block ends it)."}
                     ]}""");
            s = Schema.createUnion(SchemaVersions.current(AppliedInput.class), SchemaVersions.current(SpikeBatch.class),
                    SchemaVersions.current(Frame.class), mark);
            schema = s;
        }
        return s;
    }

    /** The schema of the mark record. */
    public static Schema markSchema() {
        return schema().getTypes().get(3);
    }

    /** The frozen schema of this version, from {@link #SCHEMA_RESOURCE}. */
    public static Schema frozenSchema() {
        try (InputStream in = RecordingFormat.class.getClassLoader().getResourceAsStream(SCHEMA_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(SCHEMA_RESOURCE + " is not on the class path");
            }
            return new Schema.Parser().parse(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code Name=hex,...} of every member of the union, for {@link #META_SCHEMA_FINGERPRINTS}. */
    public static String fingerprints(Schema union) {
        StringBuilder b = new StringBuilder();
        for (Schema t : union.getTypes()) {
            if (b.length() > 0) {
                b.append(',');
            }
            b.append(t.getName()).append('=').append(SchemaVersions.hex(SchemaVersions.fingerprint(t)));
        }
        return b.toString();
    }
}
