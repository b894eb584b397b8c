package io.neurostream.analytics;

import io.neurostream.schemas.Topics;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;

/**
 * The analytics application's settings, each a constant with its documentation (rendered by
 * {@code --help}). Keys that are not the analytics' own are Kafka Streams (and Kafka client) settings and
 * pass through to Kafka Streams: {@code bootstrap.servers}, {@code state.dir}, {@code num.stream.threads},
 * {@code commit.interval.ms}, {@code application.server}, security, SASL, SSL. Where an analytics key
 * and a Streams key say the same thing ({@link #APPLICATION_ID} and {@code application.id},
 * {@link #EXACTLY_ONCE} and {@code processing.guarantee}, {@link #STANDBY_REPLICAS} and
 * {@code num.standby.replicas}) the analytics key wins.
 *
 * <p>Keys that start with {@code analytics.} but are not defined here fail loudly, so a misspelled key
 * is not silently ignored — except the per-network alert overrides:
 *
 * <h2>Per-network alert overrides</h2>
 * {@code analytics.alert.<network-id>.<key>} sets alert setting {@code <key>} for one network, where
 * {@code <key>} is one of {@value #CONSECUTIVE_WINDOWS_SUFFIX}, {@value #EI_RATIO_MIN_SUFFIX},
 * {@value #EI_RATIO_MAX_SUFFIX}, {@value #RUNAWAY_RATE_SUFFIX}, {@value #SILENCE_RATE_SUFFIX}; it takes
 * the type and range of the global key {@code analytics.alert.<key>}, and settings not overridden come
 * from the global keys. The network id is everything between {@code analytics.alert.} and the
 * suffix, so it may itself contain dots:
 * <pre>
 * analytics.alert.ei.ratio.max=3.0                  # every network
 * analytics.alert.lab1.cuba.ei.ratio.max=8.0        # network "lab1.cuba" only
 * analytics.alert.demo.silence.rate.hz=0            # network "demo": SILENCE never raised
 * </pre>
 */
public final class AnalyticsConfig extends AbstractConfig {
    public static final String TOPIC_PREFIX = "neurostream.topic.prefix";
    public static final String APPLICATION_ID = "analytics.application.id";
    public static final String WINDOW_SIZE_MS = "analytics.window.size.ms";
    public static final String WINDOW_ADVANCE_MS = "analytics.window.advance.ms";
    public static final String WINDOW_GRACE_MS = "analytics.window.grace.ms";
    public static final String EXACTLY_ONCE = "analytics.exactly.once";
    public static final String STANDBY_REPLICAS = "analytics.standby.replicas";
    public static final String FRAME_MAX_JUMP_MS = "analytics.frame.max.jump.ms";

    /** Prefix of every alert key, global and per network. */
    public static final String ALERT_PREFIX = "analytics.alert.";
    public static final String CONSECUTIVE_WINDOWS_SUFFIX = "consecutive.windows";
    public static final String EI_RATIO_MIN_SUFFIX = "ei.ratio.min";
    public static final String EI_RATIO_MAX_SUFFIX = "ei.ratio.max";
    public static final String RUNAWAY_RATE_SUFFIX = "runaway.rate.hz";
    public static final String SILENCE_RATE_SUFFIX = "silence.rate.hz";
    public static final String ALERT_CONSECUTIVE_WINDOWS = ALERT_PREFIX + CONSECUTIVE_WINDOWS_SUFFIX;
    public static final String ALERT_EI_RATIO_MIN = ALERT_PREFIX + EI_RATIO_MIN_SUFFIX;
    public static final String ALERT_EI_RATIO_MAX = ALERT_PREFIX + EI_RATIO_MAX_SUFFIX;
    public static final String ALERT_RUNAWAY_RATE_HZ = ALERT_PREFIX + RUNAWAY_RATE_SUFFIX;
    public static final String ALERT_SILENCE_RATE_HZ = ALERT_PREFIX + SILENCE_RATE_SUFFIX;

    /** The alert settings a network may override (none is a suffix of another, so a key matches at most one). */
    static final List<String> ALERT_SUFFIXES = List.of(CONSECUTIVE_WINDOWS_SUFFIX, RUNAWAY_RATE_SUFFIX,
            SILENCE_RATE_SUFFIX, EI_RATIO_MIN_SUFFIX, EI_RATIO_MAX_SUFFIX);

    public static final ConfigDef DEF = new ConfigDef()
            .define(TOPIC_PREFIX, Type.STRING, Topics.DEFAULT_PREFIX, new PrefixValidator(),
                    Importance.HIGH,
                    "Prefix of every NeuroStream topic (frames becomes <prefix>frames).")
            .define(APPLICATION_ID, Type.STRING, null, new ConfigDef.NonEmptyString(),
                    Importance.HIGH,
                    "Kafka Streams application.id: the consumer group of the analytics instances and the prefix of "
                            + "their changelog topics. Instances with the same id share the networks. Unset: "
                            + "application.id if that is given, else <prefix>analytics (neurostream.analytics), so "
                            + "deployments with different topic prefixes never share a group, and the changelogs "
                            + "start with the prefix too.")
            .define(WINDOW_SIZE_MS, Type.LONG, 1000L, Range.between(1L, 86_400_000L), Importance.HIGH,
                    "Size of the hopping windows of simulated time, ms. Rates and balance are computed over windows "
                            + "[start, start + size) that start at the run's simulated time 0 and every advance ms after.")
            .define(WINDOW_ADVANCE_MS, Type.LONG, 100L, Range.between(1L, 86_400_000L), Importance.HIGH,
                    "Advance (hop) of the windows, simulated ms; at most the size. Each frame is counted in size/advance "
                            + "windows; one final result per window every advance ms of simulated time.")
            .define(WINDOW_GRACE_MS, Type.LONG, 200L, Range.between(0L, 86_400_000L), Importance.HIGH,
                    "Grace period of the windows, simulated ms. A window [start, end) is final, and published, once a "
                            + "frame of the same network at or after end + grace has arrived; frames arriving after all "
                            + "their windows are final are dropped and counted (metric late-frames-dropped-total).")
            .define(EXACTLY_ONCE, Type.BOOLEAN, true, Importance.HIGH,
                    "Exactly-once processing (processing.guarantee=exactly_once_v2): state, outputs and consumed offsets "
                            + "commit together every commit.interval.ms. false: at_least_once.")
            .define(STANDBY_REPLICAS, Type.INT, 0, Range.atLeast(0), Importance.MEDIUM,
                    "Standby replicas of each state store (num.standby.replicas) on other instances, for fast fail-over.")
            .define(FRAME_MAX_JUMP_MS, Type.LONG, 60_000L, Range.atLeast(1L), Importance.MEDIUM,
                    "How far, in ms of simulated time, a frame may start ahead of the newest frame accepted from its "
                            + "network's run (or of the simulated time its latest Status reports, if further). A frame "
                            + "further ahead is not counted and goes to topic rejected (FRAME_TOO_FAR_AHEAD): one "
                            + "frame stamped far in the future would otherwise move the network's stream time there "
                            + "and make every real frame after it late. The simulator's frames follow each other "
                            + "without gaps, so the bound only needs to exceed one frame; a frame within it can still "
                            + "make up to this much simulated time of real frames late.")
            .define(ALERT_CONSECUTIVE_WINDOWS, Type.INT, 3, Range.between(1, 1_000_000), Importance.MEDIUM,
                    "K: an alert is RAISED after K consecutive final windows out of band and CLEARED after K consecutive "
                            + "windows back in band; never raised twice in a row. With hopping windows consecutive windows "
                            + "overlap: K windows span size + (K-1) x advance ms of simulated time. "
                            + "Per network: analytics.alert.<network-id>.consecutive.windows.")
            .define(ALERT_EI_RATIO_MIN, Type.DOUBLE, 0.4, Range.atLeast(0.0), Importance.MEDIUM,
                    "EI_RATIO lower bound: an area's balance_ratio E/max(I, 0.01) below this is out of band. The CUBA "
                            + "benchmark runs at 0.69-0.73 (1 s windows) and drops below 0.4 when its inhibitory weight is "
                            + "about doubled. Windows with E+I = 0 are not judged. "
                            + "Per network: analytics.alert.<network-id>.ei.ratio.min.")
            .define(ALERT_EI_RATIO_MAX, Type.DOUBLE, 3.0, Range.atLeast(0.0), Importance.MEDIUM,
                    "EI_RATIO upper bound: an area's balance_ratio above this is out of band. CUBA exceeds 3.0 when its "
                            + "inhibitory weight is cut to about a quarter, where its rate passes 50 Hz (runaway). "
                            + "Per network: analytics.alert.<network-id>.ei.ratio.max.")
            .define(ALERT_RUNAWAY_RATE_HZ, Type.DOUBLE, 50.0, Range.atLeast(0.0), Importance.MEDIUM,
                    "RUNAWAY: a window's mean rate per neuron above this, Hz, per area and for the whole network, is out "
                            + "of band (CUBA: about 5.5 Hz). Per network: analytics.alert.<network-id>.runaway.rate.hz.")
            .define(ALERT_SILENCE_RATE_HZ, Type.DOUBLE, 0.5, Range.atLeast(0.0), Importance.MEDIUM,
                    "SILENCE: a window's mean rate per neuron below this, Hz, per area and for the whole network, is out "
                            + "of band; 0 never raises SILENCE. Per network: analytics.alert.<network-id>.silence.rate.hz.");

    private final Map<String, Object> streams;
    private final AlertSettings alertDefaults;
    private final Map<String, AlertSettings> alertOverrides;

    /**
     * @throws ConfigException if a value is invalid, an {@code analytics.} key is unknown, the advance exceeds
     *                         the size, or an E-I band (global or per network) has min &gt; max
     */
    public AnalyticsConfig(Map<?, ?> props) {
        super(DEF, props, false);
        if (getLong(WINDOW_ADVANCE_MS) > getLong(WINDOW_SIZE_MS)) {
            throw new ConfigException(WINDOW_ADVANCE_MS, getLong(WINDOW_ADVANCE_MS),
                    "the advance must not exceed the window size " + getLong(WINDOW_SIZE_MS) + " ms");
        }
        alertDefaults = new AlertSettings(getInt(ALERT_CONSECUTIVE_WINDOWS), getDouble(ALERT_EI_RATIO_MIN),
                getDouble(ALERT_EI_RATIO_MAX), getDouble(ALERT_RUNAWAY_RATE_HZ), getDouble(ALERT_SILENCE_RATE_HZ));
        checkBand(alertDefaults, ALERT_EI_RATIO_MIN);

        Map<String, Object> s = new HashMap<>();
        Map<String, Map<String, Object>> perNetwork = new TreeMap<>();
        for (Map.Entry<?, ?> e : props.entrySet()) {
            String key = String.valueOf(e.getKey());
            if (DEF.names().contains(key)) {
                continue;
            }
            if (!key.startsWith("analytics.")) {
                s.put(key, e.getValue());
                continue;
            }
            String suffix = overrideSuffix(key);
            if (suffix == null) {
                throw new ConfigException(key, e.getValue(), "unknown analytics setting; the settings are "
                        + new java.util.TreeSet<>(DEF.names()) + " and per-network overrides "
                        + ALERT_PREFIX + "<network-id>.<" + String.join("|", ALERT_SUFFIXES) + ">");
            }
            String network = key.substring(ALERT_PREFIX.length(), key.length() - suffix.length() - 1);
            ConfigDef.ConfigKey global = DEF.configKeys().get(ALERT_PREFIX + suffix);
            Object value = ConfigDef.parseType(key, e.getValue(), global.type);
            if (global.validator != null) {
                global.validator.ensureValid(key, value);
            }
            perNetwork.computeIfAbsent(network, n -> new HashMap<>()).put(suffix, value);
        }
        this.streams = s;
        Map<String, AlertSettings> o = new HashMap<>();
        perNetwork.forEach((network, values) -> {
            AlertSettings a = alertDefaults.with(values);
            checkBand(a, ALERT_PREFIX + network + "." + EI_RATIO_MIN_SUFFIX);
            o.put(network, a);
        });
        this.alertOverrides = Collections.unmodifiableMap(o);
    }

    /** Defaults only. */
    public static AnalyticsConfig defaults() {
        return new AnalyticsConfig(new Properties());
    }

    /** The suffix of a per-network override key, or null if {@code key} is not one. */
    private static String overrideSuffix(String key) {
        if (!key.startsWith(ALERT_PREFIX)) {
            return null;
        }
        for (String suffix : ALERT_SUFFIXES) {
            // analytics.alert.<network-id>.<suffix> with a non-empty network id
            if (key.endsWith("." + suffix) && key.length() > ALERT_PREFIX.length() + suffix.length() + 1) {
                return suffix;
            }
        }
        return null;
    }

    private static void checkBand(AlertSettings a, String key) {
        if (a.eiRatioMin() > a.eiRatioMax()) {
            throw new ConfigException(key, a.eiRatioMin(), "the E-I band's min exceeds its max " + a.eiRatioMax());
        }
    }

    private static final class PrefixValidator implements ConfigDef.Validator {
        @Override
        public void ensureValid(String name, Object value) {
            try {
                Topics.checkPrefix((String) value);
            } catch (IllegalArgumentException e) {
                throw new ConfigException(name, value, e.getMessage());
            }
        }

        @Override
        public String toString() {
            return "ASCII letters, digits, '.', '_' and '-', possibly empty";
        }
    }

    /** The settings that are not the analytics' own: passed to Kafka Streams. */
    public Map<String, Object> streamsProperties() {
        return new HashMap<>(streams);
    }

    public String topicPrefix() {
        return getString(TOPIC_PREFIX);
    }

    /**
     * {@code analytics.application.id}; else Kafka Streams' own {@code application.id} if given; else the
     * topic prefix followed by {@code analytics}.
     */
    public String applicationId() {
        String id = getString(APPLICATION_ID);
        if (id != null) {
            return id;
        }
        Object streamsId = streams.get("application.id");
        return streamsId != null && !String.valueOf(streamsId).isBlank() ? String.valueOf(streamsId)
                : topicPrefix() + "analytics";
    }

    public long windowSizeMs() {
        return getLong(WINDOW_SIZE_MS);
    }

    public long windowAdvanceMs() {
        return getLong(WINDOW_ADVANCE_MS);
    }

    public long windowGraceMs() {
        return getLong(WINDOW_GRACE_MS);
    }

    public boolean exactlyOnce() {
        return getBoolean(EXACTLY_ONCE);
    }

    public int standbyReplicas() {
        return getInt(STANDBY_REPLICAS);
    }

    /** {@link #FRAME_MAX_JUMP_MS}: the largest accepted step of simulated time ahead of a network's newest frame. */
    public long frameMaxJumpMs() {
        return getLong(FRAME_MAX_JUMP_MS);
    }

    /** The global alert settings. */
    public AlertSettings alertDefaults() {
        return alertDefaults;
    }

    /** The alert settings of one network: the global ones with that network's overrides applied. */
    public AlertSettings alertSettings(String networkId) {
        return alertOverrides.getOrDefault(networkId, alertDefaults);
    }

    /** Networks with overrides and their settings. */
    public Map<String, AlertSettings> alertOverrides() {
        return alertOverrides;
    }
}
