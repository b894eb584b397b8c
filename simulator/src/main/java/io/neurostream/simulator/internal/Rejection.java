package io.neurostream.simulator.internal;

import io.neurostream.simulator.RejectReason;

/** A record that cannot be applied; carries its {@link RejectReason} and a sentence to the {@code rejected} topic. */
public final class Rejection extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final RejectReason reason;

    public Rejection(RejectReason reason, String message) {
        super(message, null, false, false);
        this.reason = reason;
    }

    public RejectReason reason() {
        return reason;
    }
}
