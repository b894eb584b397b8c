package io.neurostream.schemas;

import io.neurostream.schemas.BadRecordException.Reason;
import io.neurostream.schemas.internal.AvroTrust;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.message.SchemaStore;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Kafka serde of one generated Avro record type in Avro's single-object encoding: {@code C3 01}, the
 * 8-byte CRC-64-AVRO fingerprint of the writer's schema (little-endian), then the Avro binary body.
 * No schema registry is involved: the writer's schema is found by fingerprint in a {@link SchemaStore}
 * holding the record's released versions ({@link SchemaVersions#store}) and resolved to the current
 * schema, so new readers decode records written by every earlier release.
 *
 * <p>Encoding is Avro's own {@link BinaryMessageEncoder}, so the bytes are those of the generated
 * classes' {@code toByteBuffer()} and any Avro implementation with the schema reads them. Decoding uses
 * Avro's {@link SchemaStore} and {@link SpecificDatumReader} but not its {@code BinaryMessageDecoder}:
 * that reads the body through a stream decoder that allocates whatever length a string or bytes field
 * declares before reading it (a 15-byte record claiming a 1 GiB string makes it allocate 1 GiB, and
 * keep it in its thread's reused decoder), ignores bytes left over after the body, and reports a
 * truncated header and a foreign one alike ({@code BadHeaderException: Not enough header bytes}). So
 * the 10-byte header is checked here, and the body is read by an array-backed {@link BinaryDecoder},
 * which checks every declared length against the bytes present before allocating, and counts the
 * bytes left over.
 *
 * <p>Decoding never lets an Avro or JVM exception out for bad bytes: it throws
 * {@link BadRecordException} with a {@link Reason}. A null value (a tombstone) decodes to null.
 *
 * <p>Instances are thread-safe and hold no resources; {@link #of(Class)} returns one shared instance per
 * type, and {@link #configure} and {@link #close} do nothing.
 *
 * @param <T> the generated record class
 */
public final class AvroSerde<T extends SpecificRecord> implements Serde<T>, Serializer<T>, Deserializer<T> {

    static {
        AvroTrust.install(); // the generated classes do it too; a serde may resolve schemas before loading one
    }

    private static final byte MAGIC_0 = (byte) 0xC3;
    private static final byte MAGIC_1 = (byte) 0x01;
    /** Length of the single-object header: two marker bytes and the 8-byte fingerprint. */
    public static final int HEADER_LENGTH = 10;

    private static final Map<Class<?>, AvroSerde<?>> SHARED = new ConcurrentHashMap<>();
    private static final ThreadLocal<Buffer> OUT = ThreadLocal.withInitial(Buffer::new);
    private static final ThreadLocal<BinaryDecoder> DECODER = new ThreadLocal<>();

    private final Class<T> type;
    private final Schema schema;
    private final long fingerprint;
    private final SpecificData model;
    private final BinaryMessageEncoder<T> encoder;
    /** Every writer schema this serde decodes: the current one, each released version, the extra ones. */
    private final SchemaStore writerSchemas;
    /** A reader per writer schema met so far, made from {@link #writerSchemas} on first use. */
    private final Map<Long, WriterReader<T>> readers = new ConcurrentHashMap<>();

    private AvroSerde(Class<T> type, Collection<Schema> extraWriterSchemas) {
        this.type = type;
        this.schema = SchemaVersions.current(type);
        this.fingerprint = SchemaVersions.fingerprint(schema);
        this.model = SpecificData.getForClass(type);
        this.encoder = new BinaryMessageEncoder<>(model, schema);
        SchemaStore.Cache store = SchemaVersions.store(type);
        for (Schema writer : extraWriterSchemas) {
            List<String> problems = SchemaVersions.readProblems(schema, writer);
            if (!problems.isEmpty()) {
                throw new IllegalArgumentException("cannot decode " + writer.getFullName() + " data as "
                        + type.getSimpleName() + ": " + String.join("; ", problems));
            }
            if (store.findByFingerprint(SchemaVersions.fingerprint(writer)) == null) {
                store.addSchema(writer);
            }
        }
        this.writerSchemas = store;
    }

    /** The shared serde of a generated record class (decodes its current and every released version). */
    @SuppressWarnings("unchecked")
    public static <T extends SpecificRecord> AvroSerde<T> of(Class<T> type) {
        return (AvroSerde<T>) SHARED.computeIfAbsent(type, t -> new AvroSerde<>(type, List.of()));
    }

    /**
     * A serde that also decodes records written with {@code extraWriterSchemas}: a reader deployed before
     * the writers of a newer version can be handed that version's schema. Each must be readable by the
     * current schema, or this throws {@link IllegalArgumentException}.
     */
    public static <T extends SpecificRecord> AvroSerde<T> of(Class<T> type, Collection<Schema> extraWriterSchemas) {
        return new AvroSerde<>(type, List.copyOf(extraWriterSchemas));
    }

    /** The record class. */
    public Class<T> type() {
        return type;
    }

    /** The schema records are written with (the current one). */
    public Schema schema() {
        return schema;
    }

    /** The fingerprint in the header of every record this serde writes. */
    public long fingerprint() {
        return fingerprint;
    }

    /** Encodes a record; null encodes to null (a tombstone). */
    public byte[] encode(T record) {
        if (record == null) {
            return null;
        }
        Buffer out = OUT.get();
        out.reset();
        try {
            encoder.encode(record, out);
        } catch (IOException | RuntimeException e) {
            throw new SerializationException("cannot encode " + type.getSimpleName() + ": " + e.getMessage(), e);
        }
        return out.toByteArray();
    }

    /** Decodes a record; null decodes to null (a tombstone). */
    public T decode(byte[] data) {
        return decode(data, null);
    }

    /**
     * Decodes a record, reusing {@code reuse} (may be null) when the schema allows.
     *
     * @throws BadRecordException if the bytes are not a record of this type
     */
    public T decode(byte[] data, T reuse) {
        if (data == null) {
            return null;
        }
        int n = data.length;
        if (n < 2) {
            boolean prefix = n == 0 || data[0] == MAGIC_0;
            throw new BadRecordException(prefix ? Reason.TRUNCATED : Reason.BAD_HEADER,
                    n + "-byte value, shorter than the " + HEADER_LENGTH + "-byte single-object header");
        }
        if (data[0] != MAGIC_0 || data[1] != MAGIC_1) {
            throw new BadRecordException(Reason.BAD_HEADER, String.format(
                    "starts with %02x %02x, not the single-object marker c3 01 (not an Avro single-object record)",
                    data[0] & 0xFF, data[1] & 0xFF));
        }
        if (n < HEADER_LENGTH) {
            throw new BadRecordException(Reason.TRUNCATED,
                    n + "-byte value, shorter than the " + HEADER_LENGTH + "-byte single-object header");
        }
        long fp = 0;
        for (int i = 9; i >= 2; i--) {
            fp = (fp << 8) | (data[i] & 0xFF);
        }
        WriterReader<T> reader = reader(fp);
        if (reader == null) {
            throw new BadRecordException(Reason.UNKNOWN_FINGERPRINT, unknownFingerprint(fp));
        }
        BinaryDecoder in = DecoderFactory.get().binaryDecoder(data, HEADER_LENGTH, n - HEADER_LENGTH, DECODER.get());
        DECODER.set(in);
        T result;
        try {
            result = reader.datumReader().read(reuse, in);
        } catch (SecurityException e) {
            throw e; // a set-up error (an untrusted class), not a bad record
        } catch (IOException | RuntimeException e) {
            throw failure(reader, e);
        }
        int left = in.remainingBytes();
        if (left != 0) {
            throw new BadRecordException(Reason.CORRUPT, left + " bytes left over after a "
                    + reader.writer() + " record of " + (n - left) + " bytes");
        }
        return result;
    }

    /** The reader of records written with the schema of this fingerprint, or null if the store has none. */
    private WriterReader<T> reader(long fp) {
        WriterReader<T> reader = readers.get(fp);
        if (reader != null) {
            return reader;
        }
        Schema writer = writerSchemas.findByFingerprint(fp);
        if (writer == null) {
            return null;
        }
        return readers.computeIfAbsent(fp,
                f -> new WriterReader<>(new SpecificDatumReader<>(writer, schema, model), describe(f)));
    }

    /** Names a writer schema in messages: the released version, else the current or an extra schema. */
    private String describe(long fp) {
        for (SchemaVersions.Version v : SchemaVersions.released(type)) {
            if (v.fingerprint() == fp) {
                return v.toString();
            }
        }
        return type.getSimpleName() + (fp == fingerprint ? " (current)" : " (extra writer schema)");
    }

    private static BadRecordException failure(WriterReader<?> reader, Exception e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof EOFException) {
                return new BadRecordException(Reason.TRUNCATED,
                        "the body ends before the " + reader.writer() + " record is complete", e);
            }
        }
        return new BadRecordException(Reason.CORRUPT,
                "the body is not a valid " + reader.writer() + " record: " + e, e);
    }

    private String unknownFingerprint(long fp) {
        String what = SchemaVersions.byFingerprint(fp)
                .map(v -> "it is " + v + ", not " + type.getSimpleName())
                .orElse("no released schema has it: a newer version of " + type.getSimpleName()
                        + " than this reader knows, or another kind of record");
        return "unknown schema fingerprint " + SchemaVersions.hex(fp) + ": " + what;
    }

    // -------------------------------------------------------------------------------- Kafka Serde

    @Override
    public byte[] serialize(String topic, T data) {
        return encode(data);
    }

    @Override
    public T deserialize(String topic, byte[] data) {
        return decode(data);
    }

    @Override
    public Serializer<T> serializer() {
        return this;
    }

    @Override
    public Deserializer<T> deserializer() {
        return this;
    }

    /** Nothing to configure: a serde knows its type. */
    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
    }

    /** Nothing to release; the instance stays usable (it is shared). */
    @Override
    public void close() {
    }

    @Override
    public String toString() {
        return "AvroSerde[" + type.getSimpleName() + ", fingerprint " + SchemaVersions.hex(fingerprint) + "]";
    }

    // -------------------------------------------------------------------------------- internals

    /** The reader of one writer schema, and that schema's name for messages. */
    private record WriterReader<T>(SpecificDatumReader<T> datumReader, String writer) {
    }

    /** An unsynchronised growable byte buffer. */
    private static final class Buffer extends OutputStream {
        private byte[] buf = new byte[256];
        private int count;

        void reset() {
            count = 0;
        }

        @Override
        public void write(int b) {
            if (count == buf.length) {
                buf = Arrays.copyOf(buf, buf.length * 2);
            }
            buf[count++] = (byte) b;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            if (count + len > buf.length) {
                buf = Arrays.copyOf(buf, Math.max(buf.length * 2, count + len));
            }
            System.arraycopy(b, off, buf, count, len);
            count += len;
        }

        byte[] toByteArray() {
            return Arrays.copyOf(buf, count);
        }
    }
}
