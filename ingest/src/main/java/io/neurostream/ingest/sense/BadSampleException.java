package io.neurostream.ingest.sense;

/** Data that is not a sample: the message names the file (and line, or byte count) and what is wrong. */
public final class BadSampleException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public BadSampleException(String message) {
        super(message);
    }

    public BadSampleException(String message, Throwable cause) {
        super(message, cause);
    }
}
