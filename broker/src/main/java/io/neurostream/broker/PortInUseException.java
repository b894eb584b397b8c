package io.neurostream.broker;

/** A fixed port of an {@link EmbeddedBroker} is taken; the broker was not started. */
public final class PortInUseException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    private final int port;

    PortInUseException(int port, String listener) {
        super("port " + port + " on 127.0.0.1 (the broker's " + listener + " listener) is in use; "
                + "pick another port, or 0 for any free one");
        this.port = port;
    }

    /** The port that is taken. */
    public int port() {
        return port;
    }
}
