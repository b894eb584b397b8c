package io.neurostream.engine.spec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;
import java.util.Map;

/**
 * Translates the seed framework's configuration ({@code brain_base_model.json}: {@code lattice_shape},
 * {@code areas[].coord_ranges}, {@code senses}, {@code neuron_model}, {@code plasticity}) into a
 * NeuroStream spec, so that the file loads unchanged.
 *
 * <p>The seed names no populations: as its {@code Simulation.initialize_neurons} did, every area is
 * filled, each coordinate holding a neuron with probability {@link #DEFAULT_DENSITY} (the tutorial
 * uses 0.1), as one excitatory population per area named after the area. Its LIF integrated
 * {@code dv = dt·((v_rest - v)/tau_m + I)}, which is NeuroStream's LIF with {@code r = tau_m} and
 * Euler integration; that is what the translation asks for. Sections NeuroStream does not simulate
 * ({@code cell_lifecycle}, {@code neuromodulation}, homeostatic, meta- and short-term plasticity) are
 * accepted and listed in the spec's notes. The seed has no connection rules, so the network has no
 * synapses until a spec or input adds activity.
 */
final class SeedFormat {
    /** Fraction of each area's coordinates that receive a neuron. */
    static final double DEFAULT_DENSITY = 0.1;
    /** The seed files carry no seed; the tutorial's {@code Simulation(model, seed=42)} is used. */
    static final long DEFAULT_SEED = 42;

    private SeedFormat() {
    }

    static JsonNode translate(JsonNode seed, String source) {
        ObjectNode out = SpecParser.newObject();
        ArrayNode notes = out.putArray("_notes");
        JsonObj root = new JsonObj(source, "", seed);
        String name = source == null ? "seed" : source.replaceAll("\\.json$", "");
        out.put("name", name);
        out.put("seed", DEFAULT_SEED);
        out.put("dt_ms", 1.0);
        notes.add("seed format: seed " + DEFAULT_SEED + ", dt 1 ms, each area filled at density " + DEFAULT_DENSITY);
        root.integer("model_version", 1, 1, 1);
        root.integer("dimensions", 4, 4, 4);
        int[] shape = root.ints("lattice_shape", root.req("lattice_shape"), 4);
        ArrayNode lat = out.putArray("lattice");
        for (int s : shape) {
            lat.add(s);
        }

        // neuron model
        String model = "lif";
        ObjectNode params = SpecParser.newObject();
        if (root.has("neuron_model")) {
            JsonObj nm = root.obj("neuron_model");
            String type = nm.str("type", "LIF");
            if ("lif".equalsIgnoreCase(type)) {
                model = "lif";
            } else if ("izhikevich".equalsIgnoreCase(type)) {
                model = "izhikevich";
            } else {
                throw nm.error(nm.at("type"), "unknown neuron model '" + type + "'; models: LIF, izhikevich");
            }
            if (nm.has("params_default")) {
                JsonObj pd = nm.obj("params_default");
                Iterator<Map.Entry<String, JsonNode>> it = pd.node.fields();
                while (it.hasNext()) {
                    Map.Entry<String, JsonNode> e = it.next();
                    String k = e.getKey();
                    double v = pd.number(pd.at(k), e.getValue());
                    switch (k) {
                        case "tau_m": params.put("tau_membrane", v); break;
                        case "refractory_period": params.put("refractory_ms", v); break;
                        default: params.put(k, v);
                    }
                    pd.allow(k);
                }
                pd.done();
            }
            nm.done();
        }
        if ("lif".equals(model)) {
            double tau = params.has("tau_membrane") ? params.get("tau_membrane").asDouble() : 10.0;
            params.put("r", tau);
            params.put("integration", "euler");
            notes.add("seed format: LIF as the seed integrated it, dv = dt*((v_rest - v)/tau_m + I): r = tau_m, Euler");
        }

        // areas and senses
        ArrayNode areas = out.putArray("areas");
        ArrayNode pops = out.putArray("populations");
        for (JsonObj a : root.objects("areas")) {
            ObjectNode an = areas.addObject();
            String areaName = a.str("name");
            an.put("name", areaName);
            JsonObj cr = a.obj("coord_ranges");
            for (String axis : new String[] {"x", "y", "z", "w"}) {
                an.set(axis, cr.req(axis));
            }
            cr.done();
            if (a.has("sense")) {
                an.put("sense", a.str("sense"));
            }
            a.done();
            ObjectNode p = pops.addObject();
            p.put("name", areaName);
            p.put("area", areaName);
            p.put("density", DEFAULT_DENSITY);
            p.put("model", model);
            p.put("type", "excitatory");
            p.set("params", params.deepCopy());
        }
        if (root.has("senses")) {
            JsonObj s = root.obj("senses");
            ObjectNode senses = out.putObject("senses");
            Iterator<String> it = s.node.fieldNames();
            while (it.hasNext()) {
                String sn = it.next();
                JsonObj so = s.obj(sn);
                ObjectNode o = senses.putObject(sn);
                o.put("area", so.str("areal"));
                if (so.has("input_size")) {
                    o.set("input_size", so.req("input_size"));
                }
                so.allow("w_index", "input_description");
                so.done();
                s.allow(sn);
            }
            s.done();
        }

        if (root.has("plasticity")) {
            JsonObj p = root.obj("plasticity");
            String rule = p.str("rule", "hebb_like");
            if (!"hebb_like".equals(rule) && !"hebbian".equals(rule)) {
                throw p.error(p.at("rule"), "unknown rule '" + rule + "'; the seed format knows hebb_like");
            }
            ObjectNode pl = out.putObject("plasticity");
            pl.put("rule", "hebbian");
            pl.put("learning_rate", p.num("learning_rate", 0.001));
            pl.put("weight_decay", p.num("weight_decay", 0.0));
            double wmin = p.num("weight_min", 0.0);
            pl.put("w_min", Math.max(0.0, wmin));
            pl.put("w_max", p.num("weight_max", 1.0));
            if (wmin < 0) {
                notes.add("seed format: weight_min " + wmin + " taken as 0: weights are magnitudes, signs follow Dale's law");
            }
            for (String ignored : new String[] {"homeostatic", "metaplasticity", "short_term"}) {
                if (p.has(ignored)) {
                    notes.add("seed format: plasticity." + ignored + " is not simulated and was ignored");
                }
            }
            p.done();
        }
        for (String ignored : new String[] {"cell_lifecycle", "neuromodulation"}) {
            if (root.has(ignored)) {
                notes.add("seed format: " + ignored + " is not simulated and was ignored");
            }
        }
        root.done();
        return out;
    }
}
