package io.neurostream.ops;

import io.neurostream.ops.internal.Settings;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import picocli.CommandLine.Option;

/**
 * The connection options every command that talks to Kafka shares ({@code simulate}, {@code analytics},
 * {@code topics}): {@code --bootstrap-server}, {@code --config FILE}, {@code --property k=v}. How they
 * combine with the defaults and {@code NEUROSTREAM_*} variables: {@link Settings}.
 */
public final class KafkaOptions {
    /** Where a service connects when nothing says otherwise. */
    public static final String DEFAULT_BOOTSTRAP_SERVERS = "localhost:9092";

    private final Map<String, String> environment;

    @Option(names = "--bootstrap-server", paramLabel = "HOST:PORT",
            description = "Kafka to connect to (default: " + DEFAULT_BOOTSTRAP_SERVERS + "); the same as "
                    + "--property bootstrap.servers=HOST:PORT, and it wins over it.")
    String bootstrapServer;

    @Option(names = "--config", paramLabel = "FILE",
            description = "A properties file of settings: NeuroStream's (below) and Kafka client settings "
                    + "(security.protocol, sasl.*, ssl.*, ...), which pass through to Kafka.")
    Path configFile;

    @Option(names = "--property", paramLabel = "KEY=VALUE",
            description = "One setting; repeatable. Wins over --config and NEUROSTREAM_* variables.")
    List<String> properties = new ArrayList<>();

    /** With the process's environment. */
    public KafkaOptions() {
        this(System.getenv());
    }

    /** With an environment of the caller's (tests). */
    public KafkaOptions(Map<String, String> environment) {
        this.environment = Objects.requireNonNull(environment, "environment");
    }

    /**
     * The merged settings: {@code defaults}, then {@code --config}, then {@code NEUROSTREAM_*}, then
     * {@code --property} and {@code --bootstrap-server}; NeuroStream keys checked against every service's
     * ConfigDef ({@link NeuroStreamConfigs#all()}).
     *
     * @throws Settings.SettingsException on an unknown NeuroStream key or an unreadable source
     */
    public Settings resolve(Map<String, String> defaults) {
        return Settings.resolve(defaults, configFile, environment, properties, bootstrapServer,
                NeuroStreamConfigs.all(), Settings.kafkaClientKeys());
    }
}
