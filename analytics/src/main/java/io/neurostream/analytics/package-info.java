/**
 * NeuroStream analytics: the Kafka Streams application that turns the simulator's per-frame summaries
 * (topic {@code frames}) into final firing rates ({@code rates}), E-I balance ({@code balance}) and alerts
 * ({@code alerts}), and answers interactive queries of the latest values.
 *
 * <ul>
 * <li>{@link io.neurostream.analytics.AnalyticsConfig}: the settings, each documented; the rest pass
 *     through to Kafka Streams.</li>
 * <li>{@link io.neurostream.analytics.AnalyticsApp}: {@code config(...)} and {@code buildTopology(...)}
 *     apart from running; {@code start()}, {@code close()} and the queries.</li>
 * <li>{@link io.neurostream.analytics.AnalyticsQueries}: the same queries over any store lookup, e.g. a
 *     {@code TopologyTestDriver}.</li>
 * </ul>
 *
 * <p>Windows: hopping, in simulated time per network, size 1000 ms, advance 100 ms, grace 200 ms by
 * default. CAUTION: a window's result is published once, when final: when a frame of the same network
 * at or after window end + grace arrives. Frames whose windows are all final are dropped and counted.
 * See {@link io.neurostream.analytics.AnalyticsApp} for the details.
 */
package io.neurostream.analytics;
