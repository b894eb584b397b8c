package io.neurostream.broker;

/**
 * The one broker every {@code *IntegrationTest} of a JVM shares: started on the first {@link #get()}
 * (temporary storage, free loopback ports; about 3 s cold), stopped by a JVM shutdown hook. Tests keep
 * apart by using their own topic names or prefix, group and application ids.
 *
 * <pre>{@code
 * EmbeddedBroker kafka = SharedBroker.get();
 * try (Admin admin = kafka.admin()) { ... }
 * }</pre>
 *
 * <p>Never close it; {@link EmbeddedBroker#builder()} gives a broker of its own to a test that must
 * stop or break one. Other modules depend on {@code neurostream-broker} in test scope.
 */
public final class SharedBroker {
    private static EmbeddedBroker shared;

    private SharedBroker() {
    }

    /** The shared broker, started on first use. */
    public static synchronized EmbeddedBroker get() {
        if (shared == null) {
            EmbeddedBroker b = EmbeddedBroker.builder().build().start();
            b.markShared();
            Runtime.getRuntime().addShutdownHook(new Thread(b::stop, "shared-broker-shutdown"));
            shared = b;
        }
        return shared;
    }
}
