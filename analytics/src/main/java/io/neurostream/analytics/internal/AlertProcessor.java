package io.neurostream.analytics.internal;

import io.neurostream.analytics.AlertSettings;
import io.neurostream.schemas.avro.Alert;
import io.neurostream.schemas.avro.AlertKind;
import io.neurostream.schemas.avro.AlertState;
import io.neurostream.schemas.avro.Balance;
import io.neurostream.schemas.avro.Rate;
import java.util.Locale;
import java.util.function.Function;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Alerts with hysteresis over final windows, per (network, area or whole network, kind):
 * <ul>
 * <li>RUNAWAY: rate_hz &gt; runaway bound, for each area (both classes) and the whole network;</li>
 * <li>SILENCE: rate_hz &lt; silence bound, likewise;</li>
 * <li>EI_RATIO: balance_ratio outside [min, max], for each area; windows with E+I = 0 (no input at all)
 *     are not judged and leave the state as it is.</li>
 * </ul>
 * An alert is RAISED when its condition held in K consecutive final windows and CLEARED when it then did
 * not hold in K consecutive windows; a window pointing the other way resets the count. So a raised alert is
 * never raised again before it is cleared, and a value hovering at the bound raises nothing new.
 * Both records carry the deciding window's end and value; {@code threshold} is the bound that raised it
 * (for EI_RATIO the min or the max); {@code consecutive_windows} is K on RAISED and 0 on CLEARED.
 */
public final class AlertProcessor implements Processor<String, WindowResult, String, Alert> {
    private final Function<String, AlertSettings> settings;
    private ProcessorContext<String, Alert> context;
    private KeyValueStore<String, AlertHysteresis> states;

    public AlertProcessor(Function<String, AlertSettings> settings) {
        this.settings = settings;
    }

    @Override
    public void init(ProcessorContext<String, Alert> context) {
        this.context = context;
        states = context.getStateStore(Names.ALERT_STATE_STORE);
    }

    @Override
    public void process(Record<String, WindowResult> record) {
        WindowResult w = record.value();
        AlertSettings s = settings.apply(w.networkId());
        for (Rate r : w.rates()) {
            if (r.getEClass() != null) {
                continue; // judged per area and network, not per class
            }
            double hz = r.getRateHz();
            judge(w, r.getArea(), AlertKind.RUNAWAY, hz > s.runawayRateHz(), hz, s.runawayRateHz(), s, record);
            judge(w, r.getArea(), AlertKind.SILENCE, hz < s.silenceRateHz(), hz, s.silenceRateHz(), s, record);
        }
        for (Balance b : w.balances()) {
            if (b.getArea() == null || !(b.getEInput() + b.getIInput() > 0)) {
                continue;
            }
            double ratio = b.getBalanceRatio();
            boolean high = ratio > s.eiRatioMax();
            boolean low = ratio < s.eiRatioMin();
            judge(w, b.getArea(), AlertKind.EI_RATIO, high || low, ratio, high ? s.eiRatioMax() : s.eiRatioMin(), s,
                    record);
        }
    }

    private void judge(WindowResult w, String area, AlertKind kind, boolean out, double value, double threshold,
            AlertSettings s, Record<String, WindowResult> record) {
        String key = Codecs.alertKey(w.networkId(), area, kind.name());
        AlertHysteresis was = states.get(key);
        if (was == null) {
            was = AlertHysteresis.IDLE;
        }
        int k = s.consecutiveWindows();
        AlertHysteresis next;
        if (!was.raised()) {
            if (!out) {
                next = AlertHysteresis.IDLE;
            } else if (was.run() + 1 >= k) {
                Alert raised = alert(w, area, kind, AlertState.RAISED, value, threshold, k);
                context.forward(record.withValue(raised));
                next = new AlertHysteresis(true, 0, raised);
            } else {
                next = new AlertHysteresis(false, was.run() + 1, null);
            }
        } else {
            if (out) {
                next = new AlertHysteresis(true, 0, was.alert());
            } else if (was.run() + 1 >= k) {
                Alert cleared = alert(w, area, kind, AlertState.CLEARED, value, was.alert().getThreshold(), k);
                context.forward(record.withValue(cleared));
                next = AlertHysteresis.IDLE;
            } else {
                next = new AlertHysteresis(true, was.run() + 1, was.alert());
            }
        }
        if (!next.equals(was)) {
            if (next.idle()) {
                states.delete(key);
            } else {
                states.put(key, next);
            }
        }
    }

    private static Alert alert(WindowResult w, String area, AlertKind kind, AlertState state, double value,
            double threshold, int k) {
        String where = (area == null ? "" : "area " + area + " of ") + "network " + w.networkId();
        String what = switch (kind) {
            case RUNAWAY -> String.format(Locale.ROOT, "rate %.4g Hz %s %.4g Hz", value,
                    state == AlertState.RAISED ? ">" : "<=", threshold);
            case SILENCE -> String.format(Locale.ROOT, "rate %.4g Hz %s %.4g Hz", value,
                    state == AlertState.RAISED ? "<" : ">=", threshold);
            default -> String.format(Locale.ROOT, "balance ratio %.4g %s", value,
                    state == AlertState.RAISED ? (value > threshold ? "> max " : "< min ") + fmt(threshold)
                            : "back in band (raised at " + fmt(threshold) + ")");
        };
        String message = String.format(Locale.ROOT, "%s %s in %s: %s for %d windows in a row, the last [%s s, %s s) "
                + "of simulated time", kind, state == AlertState.RAISED ? "raised" : "cleared", where, what, k,
                seconds(w.windowStartMs() - w.runEpochMs()), seconds(w.windowEndMs() - w.runEpochMs()));
        return Alert.newBuilder().setNetworkId(w.networkId()).setArea(area).setAlert(kind).setState(state)
                .setWindowEndMs(w.windowEndMs()).setValue(value).setThreshold(threshold)
                .setConsecutiveWindows(state == AlertState.RAISED ? k : 0).setMessage(message).build();
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.4g", v);
    }

    private static String seconds(long ms) {
        return String.format(Locale.ROOT, "%.3f", ms / 1000.0);
    }
}
