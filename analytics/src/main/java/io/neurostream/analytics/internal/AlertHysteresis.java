package io.neurostream.analytics.internal;

import io.neurostream.schemas.Topics;
import io.neurostream.schemas.avro.Alert;
import java.nio.ByteBuffer;

/**
 * The hysteresis state of one alert of one (network, area or whole network, kind).
 *
 * @param raised whether the alert is raised
 * @param run    windows in a row that point the other way: out of band while not raised, in band while raised
 * @param alert  the RAISED record while raised (what {@code openAlerts} returns), else null
 */
public record AlertHysteresis(boolean raised, int run, Alert alert) {
    private static final byte FORMAT = 1;

    /** Not raised, no run: the state of an alert never seen, which the store does not keep. */
    public static final AlertHysteresis IDLE = new AlertHysteresis(false, 0, null);

    public boolean idle() {
        return !raised && run == 0;
    }

    public byte[] encode() {
        byte[] a = alert == null ? new byte[0] : Topics.ALERTS.valueSerde().encode(alert);
        return ByteBuffer.allocate(10 + a.length).put(FORMAT).put((byte) (raised ? 1 : 0)).putInt(run)
                .putInt(a.length).put(a).array();
    }

    public static AlertHysteresis decode(byte[] data) {
        ByteBuffer b = ByteBuffer.wrap(data);
        byte format = b.get();
        if (format != FORMAT) {
            throw new IllegalStateException("unknown AlertHysteresis format " + format);
        }
        boolean raised = b.get() != 0;
        int run = b.getInt();
        byte[] a = new byte[b.getInt()];
        b.get(a);
        return new AlertHysteresis(raised, run, a.length == 0 ? null : Topics.ALERTS.valueSerde().decode(a));
    }
}
