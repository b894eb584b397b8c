package io.neurostream.engine;

import io.neurostream.engine.spec.SpecParser;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Small helpers shared by the engine tests: build from JSON text, run, read spike trains. */
public final class TestNetworks {
    private TestNetworks() {
    }

    /** Parses and builds a spec given as JSON text (named {@code test.json} in error messages). */
    public static Network build(String json) {
        return Network.build(SpecParser.parse(json, "test.json"));
    }

    /** The text of a test resource, e.g. {@code /specs/cuba.json}. */
    public static String resource(String path) {
        try (InputStream in = TestNetworks.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalArgumentException("no test resource " + path);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The bytes of a test resource. */
    public static byte[] resourceBytes(String path) {
        try (InputStream in = TestNetworks.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalArgumentException("no test resource " + path);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Steps {@code ticks} ticks and returns the ticks on which {@code neuron} spiked. */
    public static List<Long> spikeTicks(Network net, int neuron, long ticks) {
        List<Long> out = new ArrayList<>();
        for (long i = 0; i < ticks; i++) {
            long k = net.tick();
            net.step();
            if (spiked(net, neuron)) {
                out.add(k);
            }
        }
        return out;
    }

    /** Whether {@code neuron} is among the spikes of the last tick. */
    public static boolean spiked(Network net, int neuron) {
        return Arrays.binarySearch(net.spikes().array(), 0, net.spikes().size(), neuron) >= 0;
    }

    /** Steps {@code ticks} ticks and returns each tick's spikes (ids ascending). */
    public static List<int[]> run(Network net, long ticks) {
        List<int[]> out = new ArrayList<>();
        for (long i = 0; i < ticks; i++) {
            net.step();
            out.add(Arrays.copyOf(net.spikes().array(), net.spikes().size()));
        }
        return out;
    }

    /** Steps {@code ticks} ticks and returns the spike checksum of the run. */
    public static SpikeChecksum checksum(Network net, long ticks) {
        SpikeChecksum cs = new SpikeChecksum();
        for (long i = 0; i < ticks; i++) {
            long k = net.tick();
            net.step();
            cs.add(k, net.spikes().array(), net.spikes().size());
        }
        return cs;
    }

    /** The synapse from {@code pre} to {@code post}, or -1. */
    public static int synapse(Network net, int pre, int post) {
        for (int s = net.synapsesFrom(pre); s < net.synapsesEnd(pre); s++) {
            if (net.synapseTarget(s) == post) {
                return s;
            }
        }
        return -1;
    }

    /** A number as JSON text (locale independent). */
    public static String num(double x) {
        return Double.toString(x);
    }
}
