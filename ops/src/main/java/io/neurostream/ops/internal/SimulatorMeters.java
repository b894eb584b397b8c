package io.neurostream.ops.internal;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.neurostream.simulator.RejectReason;
import io.neurostream.simulator.SimulatorMetricsMXBean;
import io.neurostream.simulator.SimulatorService;
import java.lang.management.ManagementFactory;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import javax.management.JMException;
import javax.management.ObjectName;

/**
 * The simulator's own numbers as Micrometer meters, read at each scrape from what the service already
 * exposes ({@link SimulatorMetricsMXBean}):
 * <ul>
 *   <li>{@value #REJECTED}: records sent to {@code rejected}, one series per {@link RejectReason}
 *       (tag {@code reason}; every reason is present from the start, at 0, so a rate() never misses its
 *       first increment);</li>
 *   <li>{@value #NETWORKS_HOSTED}: networks this instance hosts now.</li>
 * </ul>
 * Tags are bounded (reason codes only; never a network or neuron id), so the number of series does not
 * grow with the networks or the inputs. Every meter carries the tag {@code instance}.
 */
public final class SimulatorMeters implements MeterBinder {
    /** Counter of rejected records by reason; Prometheus: {@code neurostream_simulator_rejected_total}. */
    public static final String REJECTED = "neurostream.simulator.rejected";
    /** Gauge of hosted networks; Prometheus: {@code neurostream_simulator_networks_hosted}. */
    public static final String NETWORKS_HOSTED = "neurostream.simulator.networks.hosted";

    private final SimulatorMetricsMXBean source;
    private final String instance;

    /**
     * @param source   what the meters read at each scrape (its calls must be safe from any thread)
     * @param instance the simulator instance id, as the {@code instance} tag
     */
    public SimulatorMeters(SimulatorMetricsMXBean source, String instance) {
        this.source = Objects.requireNonNull(source, "source");
        this.instance = Objects.requireNonNull(instance, "instance");
    }

    /**
     * The meters of a started service: rejected counts straight from it, hosted networks through its JMX
     * bean (NaN when the bean could not be registered).
     */
    public static SimulatorMeters of(SimulatorService service, String instance) {
        return new SimulatorMeters(new SimulatorMetricsMXBean() {
            @Override
            public Map<String, Long> getRejectedByReason() {
                Map<String, Long> out = new TreeMap<>();
                service.rejectedCounts().forEach((r, n) -> out.put(r.name(), n));
                return out;
            }

            @Override
            public long getRejectedTotal() {
                return service.rejectedCounts().values().stream().mapToLong(Long::longValue).sum();
            }

            @Override
            public int getNetworksHosted() {
                ObjectName name = service.metricsName();
                if (name == null) {
                    return -1;
                }
                try {
                    return (Integer) ManagementFactory.getPlatformMBeanServer().getAttribute(name, "NetworksHosted");
                } catch (JMException | ClassCastException e) {
                    return -1;
                }
            }
        }, instance);
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        for (RejectReason reason : RejectReason.values()) {
            String code = reason.name();
            FunctionCounter.builder(REJECTED, source, s -> {
                        Long n = s.getRejectedByReason().get(code);
                        return n == null ? 0 : n;
                    })
                    .description("Records the simulator sent to the rejected topic, by reason")
                    .tag("reason", code)
                    .tag("instance", instance)
                    .register(registry);
        }
        Gauge.builder(NETWORKS_HOSTED, source, s -> {
                    int n = s.getNetworksHosted();
                    return n < 0 ? Double.NaN : n;
                })
                .description("Networks this simulator instance hosts now")
                .tag("instance", instance)
                .register(registry);
    }
}
