package io.neurostream.ops;

import io.neurostream.analytics.AnalyticsConfig;
import io.neurostream.ops.internal.Settings.Known;
import io.neurostream.simulator.SimulatorConfig;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Every NeuroStream service's settings. A key under {@code neurostream.}, {@code simulator.} or
 * {@code analytics.} must belong to one of them, whichever command reads it, so one {@code --config}
 * file can serve every service; each service then takes only its own keys.
 */
final class NeuroStreamConfigs {
    private static final List<String> ALERT_SUFFIXES = List.of(AnalyticsConfig.CONSECUTIVE_WINDOWS_SUFFIX,
            AnalyticsConfig.EI_RATIO_MIN_SUFFIX, AnalyticsConfig.EI_RATIO_MAX_SUFFIX,
            AnalyticsConfig.RUNAWAY_RATE_SUFFIX, AnalyticsConfig.SILENCE_RATE_SUFFIX);

    private NeuroStreamConfigs() {
    }

    /** The simulator's keys ({@link SimulatorConfig#DEF}). */
    static Known simulator() {
        return Known.of(List.of(SimulatorConfig.DEF));
    }

    /** The analytics' keys ({@link AnalyticsConfig#DEF}) and its per-network alert overrides. */
    static Known analytics() {
        return new Known(AnalyticsConfig.DEF.names(), NeuroStreamConfigs::isAlertOverride);
    }

    /** Every service's keys. */
    static Known all() {
        Set<String> names = new TreeSet<>(SimulatorConfig.DEF.names());
        names.addAll(AnalyticsConfig.DEF.names());
        return new Known(names, NeuroStreamConfigs::isAlertOverride);
    }

    /** {@code analytics.alert.<network-id>.<alert setting>}, with a non-empty network id. */
    static boolean isAlertOverride(String key) {
        if (!key.startsWith(AnalyticsConfig.ALERT_PREFIX)) {
            return false;
        }
        for (String suffix : ALERT_SUFFIXES) {
            if (key.endsWith("." + suffix) && key.length() > AnalyticsConfig.ALERT_PREFIX.length() + suffix.length() + 1) {
                return true;
            }
        }
        return false;
    }
}
