package io.neurostream.simulator;

import java.util.Map;

/**
 * The simulator's metrics over JMX, as {@code io.neurostream:type=Simulator,instance=<instance id>}:
 * rejected records per reason code, and the networks hosted. Readable with jconsole, jmxterm or any
 * JMX exporter (e.g. Prometheus' jmx_exporter).
 */
public interface SimulatorMetricsMXBean {
    /** Records sent to {@code rejected}, by reason code, since this instance started. */
    Map<String, Long> getRejectedByReason();

    /** All records sent to {@code rejected} since this instance started. */
    long getRejectedTotal();

    /** Networks hosted by this instance now. */
    int getNetworksHosted();
}
