package io.neurostream.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The bad-input corpus in {@code src/test/resources/bad-input/}: one {@code .bin} file per record, the exact
 * value bytes a producer put on {@code control} or {@code external-input}, and the manifest
 * {@code corpus.json} that says for each its topic, key, the network id inside it (null when it does not
 * decode), the {@code reason_code} it must be rejected with and words the reason must contain.
 *
 * <p>The bytes are committed, not generated at test time: they stand for records of old and foreign
 * producers and must not change when the code does. {@link BadInputCorpusGenerator} wrote them once.
 *
 * <p>The manifest also names the setting the reasons hold under ({@code config}: the simulator settings the
 * tests use) and the networks that must be hosted when the corpus is fed ({@code networks}: id, spec
 * resource, and the speed it is started at, or null for a network left CREATED). Ticks in the corpus
 * assume the running networks are past tick {@link #MIN_TICK_BEFORE_FEEDING} when feeding starts.
 */
final class BadInputCorpus {
    static final String DIR = "bad-input";
    /** The running networks must have computed at least this many ticks before the corpus is fed (TICK_IN_PAST). */
    static final long MIN_TICK_BEFORE_FEEDING = 1500;

    /** One record of the corpus. */
    record Entry(String file, String topic, String key, String networkId, String reasonCode, List<String> mentions,
            String description) {
        boolean onControl() {
            return "control".equals(topic);
        }

        byte[] bytes() {
            return resourceBytes(DIR + "/" + file);
        }
    }

    /** A network hosted while the corpus is fed. */
    record Net(String id, String specResource, Double startSpeed) {
        String specJson() {
            return new String(resourceBytes(specResource), StandardCharsets.UTF_8);
        }
    }

    final Map<String, String> config;
    final List<Net> networks;
    final List<Entry> entries;

    private BadInputCorpus(Map<String, String> config, List<Net> networks, List<Entry> entries) {
        this.config = config;
        this.networks = networks;
        this.entries = entries;
    }

    /** The committed corpus. */
    static BadInputCorpus load() {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(resourceBytes(DIR + "/corpus.json"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, String> config = new LinkedHashMap<>();
        root.get("config").fields().forEachRemaining(e -> config.put(e.getKey(), e.getValue().asText()));
        List<Net> nets = new ArrayList<>();
        for (JsonNode n : root.get("networks")) {
            nets.add(new Net(n.get("id").asText(), n.get("spec").asText(),
                    n.get("start_speed").isNull() ? null : n.get("start_speed").asDouble()));
        }
        List<Entry> entries = new ArrayList<>();
        for (JsonNode e : root.get("records")) {
            List<String> mentions = new ArrayList<>();
            e.get("mentions").forEach(m -> mentions.add(m.asText()));
            entries.add(new Entry(e.get("file").asText(), e.get("topic").asText(), text(e.get("key")),
                    text(e.get("network_id")), e.get("reason_code").asText(), List.copyOf(mentions),
                    e.get("description").asText()));
        }
        return new BadInputCorpus(Collections.unmodifiableMap(config), List.copyOf(nets), List.copyOf(entries));
    }

    private static String text(JsonNode n) {
        return n == null || n.isNull() ? null : n.asText();
    }

    Entry entry(String file) {
        return entries.stream().filter(e -> e.file().equals(file)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no corpus entry " + file));
    }

    static byte[] resourceBytes(String name) {
        try (InputStream in = BadInputCorpus.class.getResourceAsStream("/" + name)) {
            if (in == null) {
                throw new IllegalStateException("test resource " + name + " is missing");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
