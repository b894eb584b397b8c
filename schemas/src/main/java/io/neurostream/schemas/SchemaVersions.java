package io.neurostream.schemas;

import io.neurostream.schemas.avro.Alert;
import io.neurostream.schemas.avro.AppliedInput;
import io.neurostream.schemas.avro.Balance;
import io.neurostream.schemas.avro.Checkpoint;
import io.neurostream.schemas.avro.Control;
import io.neurostream.schemas.avro.ExternalInput;
import io.neurostream.schemas.avro.Frame;
import io.neurostream.schemas.avro.MembraneSample;
import io.neurostream.schemas.avro.Rate;
import io.neurostream.schemas.avro.Rejected;
import io.neurostream.schemas.avro.SpikeBatch;
import io.neurostream.schemas.avro.Status;
import io.neurostream.schemas.avro.Topology;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.Incompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityResult;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.message.SchemaStore;
import org.apache.avro.specific.SpecificRecord;
import org.apache.avro.specific.SpecificRecordBase;

/**
 * The released versions of every top-level record, and the compatibility rule between versions.
 *
 * <p>A version is released when records written with it may exist somewhere. Each is kept, frozen, as
 * {@code io/neurostream/schemas/released/<Record>/v<n>.avsc} on the class path (in this module's
 * {@code src/main/resources}), numbered from 1 without gaps; the current schema (the generated class's,
 * from {@code src/main/avro}) must equal the latest of them. {@link AvroSerde} decodes records written
 * with any of them. Versions are identified by the CRC-64-AVRO fingerprint of their parsing canonical
 * form, the 8 bytes of the single-object encoding's header: documentation and defaults do not change
 * a fingerprint.
 *
 * <p>The rule: the current schema and every released version must be able to read each other's data
 * (backward and forward compatible, as {@link SchemaCompatibility} decides), so new readers decode old
 * records, and readers that are handed a newer writer schema decode new records.
 */
public final class SchemaVersions {

    /** Where released versions live on the class path: {@code RELEASED_ROOT + "<Record>/v<n>.avsc"}. */
    public static final String RELEASED_ROOT = "io/neurostream/schemas/released/";

    /** Every top-level record, the value of some topic (nested types such as Target are inside them). */
    public static final List<Class<? extends SpecificRecordBase>> RECORDS = List.of(
            ExternalInput.class, Control.class, SpikeBatch.class, MembraneSample.class, Frame.class,
            AppliedInput.class, Topology.class, Status.class, Checkpoint.class, Rejected.class,
            Rate.class, Balance.class, Alert.class);

    /** One released version of a record. */
    public record Version(String record, int version, Schema schema, long fingerprint) {
        @Override
        public String toString() {
            return record + " v" + version + " (fingerprint " + hex(fingerprint) + ")";
        }
    }

    private static final Map<Class<?>, List<Version>> RELEASED = new ConcurrentHashMap<>();
    private static volatile Map<Long, Version> byFingerprint;

    private SchemaVersions() {
    }

    /** The current schema of a generated record class. */
    public static Schema current(Class<? extends SpecificRecord> type) {
        Schema s = org.apache.avro.specific.SpecificData.getForClass(type).getSchema(type);
        if (s == null || s.getType() != Schema.Type.RECORD) {
            throw new IllegalArgumentException(type.getName() + " is not a generated Avro record class");
        }
        return s;
    }

    /** The released versions of a record, oldest first; empty if it was never released. */
    public static List<Version> released(Class<? extends SpecificRecord> type) {
        return RELEASED.computeIfAbsent(type, t -> loadReleased(t.getSimpleName(), t.getClassLoader()));
    }

    /**
     * A schema store for decoding one record type: every released version of it and its current schema,
     * by fingerprint.
     */
    public static SchemaStore.Cache store(Class<? extends SpecificRecord> type) {
        SchemaStore.Cache cache = new SchemaStore.Cache();
        cache.addSchema(current(type));
        for (Version v : released(type)) {
            cache.addSchema(v.schema());
        }
        return cache;
    }

    /** The released version of any record with this fingerprint, for messages about unknown fingerprints. */
    public static Optional<Version> byFingerprint(long fingerprint) {
        Map<Long, Version> m = byFingerprint;
        if (m == null) {
            m = new HashMap<>();
            for (Class<? extends SpecificRecordBase> r : RECORDS) {
                for (Version v : released(r)) {
                    m.putIfAbsent(v.fingerprint(), v);
                }
            }
            byFingerprint = m = Collections.unmodifiableMap(m);
        }
        return Optional.ofNullable(m.get(fingerprint));
    }

    /** The fingerprint of a schema in the single-object encoding: CRC-64-AVRO of its parsing canonical form. */
    public static long fingerprint(Schema schema) {
        return SchemaNormalization.parsingFingerprint64(schema);
    }

    /** A fingerprint as 16 hex digits, in the byte order of the header (little-endian), as a hex dump shows it. */
    public static String hex(long fingerprint) {
        StringBuilder b = new StringBuilder(16);
        for (int i = 0; i < 8; i++) {
            int v = (int) (fingerprint >>> (8 * i)) & 0xFF;
            b.append(Character.forDigit(v >>> 4, 16)).append(Character.forDigit(v & 0xF, 16));
        }
        return b.toString();
    }

    /**
     * What keeps {@code current} and {@code released} from reading each other's data: empty when a reader
     * with either schema reads data written with the other (full compatibility).
     */
    public static List<String> incompatibilities(Schema current, Schema released) {
        List<String> problems = new ArrayList<>();
        for (String p : readProblems(current, released)) {
            problems.add("the current schema cannot read data written with the released one: " + p);
        }
        for (String p : readProblems(released, current)) {
            problems.add("readers of the released schema cannot read data written with the current one: " + p);
        }
        return problems;
    }

    /** What keeps a reader with schema {@code reader} from decoding data written with {@code writer}; empty if nothing. */
    public static List<String> readProblems(Schema reader, Schema writer) {
        SchemaCompatibilityResult r = SchemaCompatibility.checkReaderWriterCompatibility(reader, writer).getResult();
        if (r.getCompatibility() == SchemaCompatibilityType.COMPATIBLE) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (Incompatibility i : r.getIncompatibilities()) {
            out.add(i.getType() + " at " + i.getLocation() + ": " + i.getMessage());
        }
        return out;
    }

    private static List<Version> loadReleased(String record, ClassLoader loader) {
        List<Version> versions = new ArrayList<>();
        for (int n = 1;; n++) {
            String path = RELEASED_ROOT + record + "/v" + n + ".avsc";
            try (InputStream in = loader.getResourceAsStream(path)) {
                if (in == null) {
                    break;
                }
                Schema s = new Schema.Parser().parse(in);
                if (!s.getName().equals(record)) {
                    throw new IllegalStateException(path + " holds record " + s.getFullName() + ", not " + record);
                }
                versions.add(new Version(record, n, s, fingerprint(s)));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + path, e);
            }
        }
        return List.copyOf(versions);
    }
}
