package io.neurostream.schemas;

import org.apache.kafka.common.errors.SerializationException;

/**
 * A record value that cannot be used: its bytes do not decode, or they decode but break an invariant
 * documented in the schema. The one exception {@link AvroSerde#decode} throws for bad bytes, so a
 * consumer can route the record to topic {@code rejected} with {@link #reason()} as its
 * {@code reason_code}, count it and go on.
 *
 * <p>It is a Kafka {@link SerializationException}: thrown from a consumer's value deserializer, Kafka
 * wraps it in a {@code RecordDeserializationException} that carries the partition, the offset and the
 * raw bytes, and the consumer can {@code seek} past the record.
 */
public final class BadRecordException extends SerializationException {
    private static final long serialVersionUID = 1L;

    /** Why a record was refused; the names are the {@code reason_code} of a {@code Rejected} record. */
    public enum Reason {
        /** Not Avro single-object encoding: the value does not start with the marker {@code C3 01}. */
        BAD_HEADER,
        /** The value ends early: inside the 10-byte header, or before the body is complete. */
        TRUNCATED,
        /**
         * The header names a schema fingerprint this reader does not know: another record type, or a
         * version of this one newer than the reader.
         */
        UNKNOWN_FINGERPRINT,
        /** The header is fine but the body does not decode under that schema, or bytes are left over. */
        CORRUPT,
        /** The record decodes but breaks an invariant its schema documents (a packed array's length, say). */
        INVALID
    }

    private final Reason reason;

    public BadRecordException(Reason reason, String message) {
        super(reason + ": " + message);
        this.reason = reason;
    }

    public BadRecordException(Reason reason, String message, Throwable cause) {
        super(reason + ": " + message, cause);
        this.reason = reason;
    }

    /** Why the record was refused. */
    public Reason reason() {
        return reason;
    }
}
