package io.neurostream.ops.bench;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.neurostream.engine.spec.NetworkSpec;
import io.neurostream.engine.spec.SpecParser;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The benchmark networks, as specs kept in this package's resources:
 * <ul>
 *   <li>{@code cuba} — the CUBA benchmark (Vogels &amp; Abbott 2005; Brette et al. 2007, benchmark 2):
 *       4000 LIF neurons, 3200 E / 800 I, p = 0.02, exponential currents, dt 0.1 ms; Brian2's
 *       {@code cuba.py};</li>
 *   <li>{@code cuba40k} — the same at ten times the size with the same ~80 inputs per neuron
 *       (32,000 E / 8000 I, p = 0.002); {@code cuba.py --scale 10};</li>
 *   <li>{@code izhikevich2003} — Izhikevich (2003), Fig. 3: 800 RS-like E + 200 FS/LTS-like I, the
 *       paper's random a, b, c, d, all-to-all weights and thalamic noise, dt 1 ms;
 *       {@code izh2003_net.py}.</li>
 * </ul>
 * In each, population 0 is the excitatory population {@code E} and population 1 the inhibitory {@code I}.
 */
public final class BenchNetworks {
    /** The benchmark names, in the order they are listed. */
    public static final List<String> NAMES = List.of("cuba", "cuba40k", "izhikevich2003");

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private BenchNetworks() {
    }

    /** The spec text of a benchmark network, as kept in the resources. */
    public static String specJson(String name) {
        if (!NAMES.contains(name)) {
            throw new IllegalArgumentException("unknown benchmark network '" + name + "'; networks: " + String.join(", ", NAMES));
        }
        String resource = name + ".json";
        try (InputStream in = BenchNetworks.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("resource " + resource + " is missing from the ops jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The spec text of a benchmark network with its {@code seed} replaced (when {@code seed} is not
     * null); nothing else changes.
     */
    public static String specJson(String name, Long seed) {
        String text = specJson(name);
        if (seed == null) {
            return text;
        }
        try {
            ObjectNode root = (ObjectNode) MAPPER.readTree(text);
            root.put("seed", seed.longValue());
            return MAPPER.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("benchmark spec " + name + ".json is not valid JSON", e);
        }
    }

    /** The parsed, validated spec of a benchmark network, with an optional seed override. */
    public static NetworkSpec spec(String name, Long seed) {
        return SpecParser.parse(specJson(name, seed), name + ".json");
    }
}
