package io.neurostream.analytics.internal;

/** Node and store names of the topology. Store names are part of the changelog topic names: never rename. */
public final class Names {
    private Names() {
    }

    public static final String FRAMES_SOURCE = "frames-source";
    public static final String STATUS_SOURCE = "status-source";
    public static final String RUNS = "runs";
    public static final String WINDOWS = "windows";
    public static final String ALERTS = "alerts";
    public static final String RATES_SINK = "rates-sink";
    public static final String BALANCE_SINK = "balance-sink";
    public static final String ALERTS_SINK = "alerts-sink";
    public static final String REJECTED_SINK = "rejected-sink";

    /** Pane sums per (network, pane start). */
    public static final String PANES_STORE = "analytics-panes";
    /** {@link NetworkClock} per network. */
    public static final String CLOCKS_STORE = "analytics-clocks";
    /** The latest final window's rates per network. */
    public static final String LATEST_RATES_STORE = "analytics-latest-rates";
    /** The latest final window's balances per network. */
    public static final String LATEST_BALANCE_STORE = "analytics-latest-balance";
    /** {@link KnownRun} per network, from topic status. */
    public static final String RUNS_STORE = "analytics-runs";
    /** {@link AlertHysteresis} per (network, area, kind). */
    public static final String ALERT_STATE_STORE = "analytics-alert-state";

    /** Metrics scope: group {@code stream-analytics-metrics}. */
    public static final String METRICS_SCOPE = "analytics";
    public static final String METRICS_GROUP = "stream-" + METRICS_SCOPE + "-metrics";
    public static final String LATE_FRAMES = "late-frames-dropped";
    public static final String INVALID_FRAMES = "invalid-frames-skipped";
    public static final String REJECTED_FRAMES = "frames-rejected";
}
