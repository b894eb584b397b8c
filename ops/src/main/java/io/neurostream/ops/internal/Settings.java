package io.neurostream.ops.internal;

import io.neurostream.engine.spec.Suggest;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.streams.StreamsConfig;

/**
 * The settings of a service, merged from four sources in this order, each overriding the one
 * before: the defaults, a properties file ({@code --config FILE}), environment variables
 * {@code NEUROSTREAM_*} ({@code NEUROSTREAM_SIMULATOR_FRAME_MS} is {@code simulator.frame.ms}: the
 * prefix dropped, lower case, {@code _} becomes {@code .}), then the command line ({@code --property k=v},
 * and {@code --bootstrap-server} last).
 *
 * <p>Keys under NeuroStream's prefixes ({@code neurostream.}, {@code simulator.}, {@code analytics.})
 * must be keys of one of the services' {@link ConfigDef}s: anything else is a typo and fails with a
 * "did you mean". Every other key is a Kafka client setting (bootstrap servers, security, SASL, SSL)
 * and passes through untouched; one that no Kafka client knows gets a warning, not an error, since
 * Kafka itself only warns.
 */
public final class Settings {
    /** Prefix of the environment variables read. */
    public static final String ENV_PREFIX = "NEUROSTREAM_";
    /** Keys under these prefixes are NeuroStream's and must be known. */
    public static final List<String> OWN_PREFIXES = List.of("neurostream.", "simulator.", "analytics.");
    /** Prefixes under which Kafka Streams passes settings to its clients and internal topics. */
    private static final List<String> KAFKA_PREFIXES = List.of("producer.", "consumer.", "admin.", "main.consumer.",
            "restore.consumer.", "global.consumer.", "topic.");

    /** The NeuroStream keys the services know: their ConfigDefs' names and any key patterns (per-network keys). */
    public record Known(Set<String> names, Predicate<String> patterns) {
        public Known {
            names = Set.copyOf(names);
        }

        /** The names of these ConfigDefs, no patterns. */
        public static Known of(Collection<ConfigDef> defs) {
            Set<String> n = new TreeSet<>();
            defs.forEach(d -> n.addAll(d.names()));
            return new Known(n, k -> false);
        }

        public boolean knows(String key) {
            return names.contains(key) || patterns.test(key);
        }
    }

    /** Where a value came from, for messages. */
    public record Value(String value, String source) {
    }

    /** A setting that cannot be used: unknown NeuroStream key, unreadable file, malformed property. */
    public static final class SettingsException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public SettingsException(String message) {
            super(message);
        }
    }

    private final Map<String, Value> values;
    private final List<String> warnings;

    private Settings(Map<String, Value> values, List<String> warnings) {
        this.values = Collections.unmodifiableMap(values);
        this.warnings = List.copyOf(warnings);
    }

    /**
     * Merges the sources and checks the keys.
     *
     * @param defaults        the command's defaults (lowest precedence)
     * @param configFile      a properties file, or null
     * @param env             the environment (only {@code NEUROSTREAM_*} variables are read)
     * @param properties      {@code k=v} strings from the command line, in order
     * @param bootstrapServer {@code --bootstrap-server}, or null
     * @param known           every NeuroStream service's keys, so that one file can serve every service
     * @param kafkaKeys       setting names Kafka clients know (for warnings); see {@link #kafkaClientKeys()}
     * @throws SettingsException when a source cannot be read or a NeuroStream key is unknown
     */
    public static Settings resolve(Map<String, String> defaults, Path configFile, Map<String, String> env,
            List<String> properties, String bootstrapServer, Known own, Set<String> kafkaKeys) {
        Map<String, Value> merged = new LinkedHashMap<>();
        defaults.forEach((k, v) -> merged.put(k, new Value(v, "default")));

        if (configFile != null) {
            Properties p = new Properties();
            try (Reader in = Files.newBufferedReader(configFile, StandardCharsets.UTF_8)) {
                p.load(in);
            } catch (NoSuchFileException e) {
                throw new SettingsException(configFile + ": no such file (--config)");
            } catch (IOException | IllegalArgumentException e) {
                throw new SettingsException(configFile + ": cannot read it as a properties file: " + e.getMessage());
            }
            for (String k : new TreeSet<>(p.stringPropertyNames())) {
                put(merged, k.trim(), p.getProperty(k).trim(), configFile.toString(), own);
            }
        }

        for (Map.Entry<String, String> e : new TreeMap<>(env).entrySet()) {
            if (e.getKey().startsWith(ENV_PREFIX) && e.getKey().length() > ENV_PREFIX.length()) {
                put(merged, envToKey(e.getKey()), e.getValue(), "environment " + e.getKey(), own);
            }
        }

        for (String kv : properties) {
            int eq = kv.indexOf('=');
            if (eq <= 0) {
                throw new SettingsException("--property " + kv + ": expected KEY=VALUE, e.g. --property simulator.frame.ms=1.0");
            }
            put(merged, kv.substring(0, eq).trim(), kv.substring(eq + 1).trim(), "--property", own);
        }
        if (bootstrapServer != null) {
            merged.put("bootstrap.servers", new Value(bootstrapServer, "--bootstrap-server"));
        }

        List<String> warnings = new ArrayList<>();
        for (Map.Entry<String, Value> e : merged.entrySet()) {
            String k = e.getKey();
            if (!isOwn(k) && !kafkaKeys.isEmpty() && !kafkaKeys.contains(k) && KAFKA_PREFIXES.stream().noneMatch(k::startsWith)) {
                String guess = Suggest.closest(k, kafkaKeys);
                warnings.add("'" + k + "' (" + e.getValue().source() + ") is not a setting of NeuroStream or of a Kafka client; "
                        + "it is passed to Kafka, which will ignore it" + (guess == null ? "" : "; did you mean '" + guess + "'?"));
            }
        }
        return new Settings(merged, warnings);
    }

    /** {@code NEUROSTREAM_SIMULATOR_FRAME_MS} → {@code simulator.frame.ms}. */
    public static String envToKey(String variable) {
        return variable.substring(ENV_PREFIX.length()).toLowerCase(Locale.ROOT).replace('_', '.');
    }

    /** {@code simulator.frame.ms} → {@code NEUROSTREAM_SIMULATOR_FRAME_MS}. */
    public static String keyToEnv(String key) {
        return ENV_PREFIX + key.toUpperCase(Locale.ROOT).replace('.', '_');
    }

    /** Whether a key is under one of NeuroStream's prefixes. */
    public static boolean isOwn(String key) {
        return OWN_PREFIXES.stream().anyMatch(key::startsWith);
    }

    /** The names of every producer, consumer, admin client and Kafka Streams setting. */
    public static Set<String> kafkaClientKeys() {
        Set<String> k = new TreeSet<>();
        k.addAll(ProducerConfig.configNames());
        k.addAll(ConsumerConfig.configNames());
        k.addAll(AdminClientConfig.configNames());
        k.addAll(StreamsConfig.configDef().names());
        return k;
    }

    private static void put(Map<String, Value> merged, String key, String value, String source, Known own) {
        if (key.isEmpty()) {
            throw new SettingsException(source + ": empty setting name");
        }
        if (isOwn(key) && !own.knows(key)) {
            String guess = Suggest.closest(key, own.names());
            throw new SettingsException("unknown setting '" + key + "' (" + source + ")"
                    + (guess != null ? "; did you mean '" + guess + "'?" : "; see --help for the settings"));
        }
        merged.put(key, new Value(value, source));
    }

    /** The merged settings, as strings, for a ConfigDef-based config or a Kafka client. */
    public Map<String, String> asMap() {
        Map<String, String> m = new LinkedHashMap<>();
        values.forEach((k, v) -> m.put(k, v.value()));
        return m;
    }

    /** The value of a key, or {@code fallback}. */
    public String get(String key, String fallback) {
        Value v = values.get(key);
        return v == null ? fallback : v.value();
    }

    /** Where the value of a key came from ("default", a file, an environment variable, --property), or null. */
    public String source(String key) {
        Value v = values.get(key);
        return v == null ? null : v.source();
    }

    /** Keys that are neither NeuroStream's nor a Kafka client's, with a guess. */
    public List<String> warnings() {
        return warnings;
    }

    /** Only one service's own keys plus every non-NeuroStream key: what that service's config takes. */
    public Map<String, String> forService(Known service) {
        Map<String, String> m = new LinkedHashMap<>();
        values.forEach((k, v) -> {
            if (!isOwn(k) || service.knows(k)) {
                m.put(k, v.value());
            }
        });
        return m;
    }
}
