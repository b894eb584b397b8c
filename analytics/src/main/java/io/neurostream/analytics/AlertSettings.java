package io.neurostream.analytics;

import java.util.Map;

/**
 * The alert settings of one network ({@link AnalyticsConfig#alertSettings(String)}).
 *
 * @param consecutiveWindows K: windows in a row out of band that raise an alert, and in band that clear it (count)
 * @param eiRatioMin         EI_RATIO band's lower bound of balance_ratio (dimensionless)
 * @param eiRatioMax         EI_RATIO band's upper bound of balance_ratio (dimensionless)
 * @param runawayRateHz      RUNAWAY when a rate exceeds this, Hz
 * @param silenceRateHz      SILENCE when a rate is below this, Hz (0: never)
 */
public record AlertSettings(int consecutiveWindows, double eiRatioMin, double eiRatioMax, double runawayRateHz,
        double silenceRateHz) {

    public AlertSettings {
        if (consecutiveWindows < 1) {
            throw new IllegalArgumentException("consecutiveWindows must be at least 1, got " + consecutiveWindows);
        }
    }

    /** These settings with some replaced, by {@link AnalyticsConfig} key suffix. */
    AlertSettings with(Map<String, Object> bySuffix) {
        return new AlertSettings(
                (Integer) bySuffix.getOrDefault(AnalyticsConfig.CONSECUTIVE_WINDOWS_SUFFIX, consecutiveWindows),
                (Double) bySuffix.getOrDefault(AnalyticsConfig.EI_RATIO_MIN_SUFFIX, eiRatioMin),
                (Double) bySuffix.getOrDefault(AnalyticsConfig.EI_RATIO_MAX_SUFFIX, eiRatioMax),
                (Double) bySuffix.getOrDefault(AnalyticsConfig.RUNAWAY_RATE_SUFFIX, runawayRateHz),
                (Double) bySuffix.getOrDefault(AnalyticsConfig.SILENCE_RATE_SUFFIX, silenceRateHz));
    }
}
