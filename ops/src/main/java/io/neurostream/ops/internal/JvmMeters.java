package io.neurostream.ops.internal;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;

/**
 * Micrometer's JVM and process binders (memory, GC pauses, threads, class loading, CPU, uptime) on a
 * registry: what an operator looks at first when a process slows down. Closing it detaches the GC
 * listener, the one binder that holds on to the JVM.
 */
public final class JvmMeters implements AutoCloseable {

    private final JvmGcMetrics gc;

    /** Binds every JVM and process binder to {@code registry}. */
    public JvmMeters(MeterRegistry registry) {
        this(registry, Tags.empty());
    }

    /**
     * Binds every JVM and process binder to {@code registry}, each meter with {@code tags} (the process's
     * {@code instance}). Tags rather than the registry's common tags: Micrometer's Kafka binders compare
     * tag counts to find their own meters, and a common tag that a meter also sets itself throws them off.
     */
    public JvmMeters(MeterRegistry registry, Iterable<Tag> tags) {
        gc = new JvmGcMetrics(tags);
        new ClassLoaderMetrics(tags).bindTo(registry);
        new JvmMemoryMetrics(tags).bindTo(registry);
        gc.bindTo(registry);
        new JvmThreadMetrics(tags).bindTo(registry);
        new ProcessorMetrics(tags).bindTo(registry);
        new UptimeMetrics(tags).bindTo(registry);
    }

    @Override
    public void close() {
        gc.close();
    }
}
