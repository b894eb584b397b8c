package io.neurostream.schemas;

import io.neurostream.schemas.BadRecordException.Reason;
import io.neurostream.schemas.internal.AvroTrust;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Kafka serde of one generated Avro record type in Avro's single-object encoding: {@code C3 01}, the
 * 8-byte CRC-64-AVRO fingerprint of the writer's schema (little-endian), then the Avro binary body.
 * No schema registry is involved: the writer's schema is found by fingerprint among the record's
 * released versions ({@link SchemaVersions}) and resolved to the current schema, so new readers decode
 * records written by every earlier release. The bytes are those of the generated classes'
 * {@code toByteBuffer()}, so any Avro implementation with the schema can read them.
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
    private static final ThreadLocal<Codec> CODEC = ThreadLocal.withInitial(Codec::new);

    private final Class<T> type;
    private final Schema schema;
    private final long fingerprint;
    private final byte[] header;
    private final SpecificDatumWriter<T> writer;
    private final Map<Long, SpecificDatumReader<T>> readers;
    private final Map<Long, String> writerNames;

    private AvroSerde(Class<T> type, Collection<Schema> extraWriterSchemas) {
        this.type = type;
        this.schema = SchemaVersions.current(type);
        this.fingerprint = SchemaVersions.fingerprint(schema);
        SpecificData model = SpecificData.getForClass(type);
        this.header = new byte[HEADER_LENGTH];
        header[0] = MAGIC_0;
        header[1] = MAGIC_1;
        for (int i = 0; i < 8; i++) {
            header[2 + i] = (byte) (fingerprint >>> (8 * i));
        }
        this.writer = new SpecificDatumWriter<>(schema, model);
        Map<Long, SpecificDatumReader<T>> r = new HashMap<>();
        Map<Long, String> names = new HashMap<>();
        r.put(fingerprint, new SpecificDatumReader<>(schema, schema, model));
        names.put(fingerprint, type.getSimpleName() + " (current)");
        for (SchemaVersions.Version v : SchemaVersions.released(type)) {
            r.putIfAbsent(v.fingerprint(), new SpecificDatumReader<>(v.schema(), schema, model));
            names.putIfAbsent(v.fingerprint(), v.toString());
        }
        for (Schema writer : extraWriterSchemas) {
            List<String> problems = SchemaVersions.readProblems(schema, writer);
            if (!problems.isEmpty()) {
                throw new IllegalArgumentException("cannot decode " + writer.getFullName() + " data as "
                        + type.getSimpleName() + ": " + String.join("; ", problems));
            }
            long fp = SchemaVersions.fingerprint(writer);
            r.putIfAbsent(fp, new SpecificDatumReader<>(writer, schema, model));
            names.putIfAbsent(fp, writer.getName() + " (extra writer schema)");
        }
        this.readers = Map.copyOf(r);
        this.writerNames = Map.copyOf(names);
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
        Codec c = CODEC.get();
        c.out.reset();
        c.out.write(header, 0, HEADER_LENGTH);
        try {
            c.encoder = EncoderFactory.get().directBinaryEncoder(c.out, c.encoder);
            writer.write(record, c.encoder);
        } catch (IOException | RuntimeException e) {
            throw new SerializationException("cannot encode " + type.getSimpleName() + ": " + e.getMessage(), e);
        }
        return c.out.toByteArray();
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
        SpecificDatumReader<T> reader = readers.get(fp);
        if (reader == null) {
            throw new BadRecordException(Reason.UNKNOWN_FINGERPRINT, unknownFingerprint(fp));
        }
        Codec c = CODEC.get();
        BinaryDecoder in = DecoderFactory.get().binaryDecoder(data, HEADER_LENGTH, n - HEADER_LENGTH, c.decoder);
        c.decoder = in;
        T result;
        try {
            result = reader.read(reuse, in);
        } catch (SecurityException e) {
            throw e; // a set-up error (an untrusted class), not a bad record
        } catch (IOException | RuntimeException e) {
            throw failure(fp, e);
        }
        int left = in.remainingBytes();
        if (left != 0) {
            throw new BadRecordException(Reason.CORRUPT, left + " bytes left over after a "
                    + writerNames.get(fp) + " record of " + (n - left) + " bytes");
        }
        return result;
    }

    private BadRecordException failure(long fp, Exception e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof EOFException) {
                return new BadRecordException(Reason.TRUNCATED,
                        "the body ends before the " + writerNames.get(fp) + " record is complete", e);
            }
        }
        return new BadRecordException(Reason.CORRUPT,
                "the body is not a valid " + writerNames.get(fp) + " record: " + e, e);
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

    /** One thread's reusable encoder, decoder and output buffer. */
    private static final class Codec {
        final Buffer out = new Buffer();
        BinaryEncoder encoder;
        BinaryDecoder decoder;
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
