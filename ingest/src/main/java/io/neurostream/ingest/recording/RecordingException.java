package io.neurostream.ingest.recording;

import java.io.IOException;

/**
 * A recording that cannot be read, or can be read only in part. The message is one line that starts
 * with the file and says what is wrong; {@link #partial()} holds what was read before the problem, when
 * anything was (a recording cut short by a crash is whole up to its last whole block).
 */
public final class RecordingException extends IOException {
    private static final long serialVersionUID = 1L;
    private final transient Recording.Contents partial;

    public RecordingException(String message, Recording.Contents partial, Throwable cause) {
        super(message, cause);
        this.partial = partial;
    }

    /** What was read before the problem, or null if nothing (the header or metadata were bad). */
    public Recording.Contents partial() {
        return partial;
    }
}
