package io.neurostream.engine.spec;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.neurostream.engine.NeuronType;
import io.neurostream.engine.spec.NetworkSpec.AreaSpec;
import io.neurostream.engine.spec.NetworkSpec.ConnectionSpec;
import io.neurostream.engine.spec.NetworkSpec.DistanceProfile;
import io.neurostream.engine.spec.NetworkSpec.DistanceRule;
import io.neurostream.engine.spec.NetworkSpec.InputKind;
import io.neurostream.engine.spec.NetworkSpec.InputSpec;
import io.neurostream.engine.spec.NetworkSpec.PlasticityRule;
import io.neurostream.engine.spec.NetworkSpec.PlasticitySpec;
import io.neurostream.engine.spec.NetworkSpec.PopulationSpec;
import io.neurostream.engine.spec.NetworkSpec.ProbeSpec;
import io.neurostream.engine.spec.NetworkSpec.SenseSpec;
import io.neurostream.engine.spec.NetworkSpec.SynapseKind;
import io.neurostream.engine.spec.NetworkSpec.SynapseSpec;
import io.neurostream.engine.spec.NetworkSpec.TargetSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Parses and validates a network spec (JSON). Also reads the seed framework's
 * {@code brain_base_model.json} unchanged: a file with {@code lattice_shape} or
 * {@code coord_ranges} is taken as that format and translated (see {@link SeedFormat}).
 *
 * <p>Every mistake is one {@link SpecException} naming the file and the key path.
 */
public final class SpecParser {
    /** Largest number of neurons a spec may ask for (memory guard, ~2^28). */
    public static final long MAX_NEURONS = 1L << 28;
    /** Longest delay, in ticks, a synapse may have. */
    public static final int MAX_DELAY_TICKS = 32767;

    private static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);

    private SpecParser() {
    }

    /** Reads and validates a spec file. */
    public static NetworkSpec parse(Path file) {
        String name = file.getFileName() == null ? file.toString() : file.getFileName().toString();
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new SpecException(file.toString(), "", "no such file");
        } catch (IOException e) {
            throw new SpecException(file.toString(), "", "cannot read: " + e.getMessage());
        }
        return parse(text, name);
    }

    /** Parses and validates spec text; {@code source} names it in error messages. */
    public static NetworkSpec parse(String json, String source) {
        JsonNode root;
        try {
            root = MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? ""
                    : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
            String path = "";
            if (e.getProcessor() instanceof JsonParser && String.valueOf(e.getOriginalMessage()).startsWith("Duplicate field")) {
                path = pathOf(((JsonParser) e.getProcessor()).getParsingContext());
            }
            throw new SpecException(source, path, "not valid JSON" + where + ": " + e.getOriginalMessage());
        }
        if (root == null || root.isMissingNode()) {
            throw new SpecException(source, "", "the file is empty");
        }
        if (root.isObject() && (root.has("lattice_shape") || root.has("model_version"))) {
            root = SeedFormat.translate(root, source);
        }
        return new SpecParser.Reader(source, root).read();
    }

    /** The key path of a parser position, e.g. {@code populations[0].count}. */
    private static String pathOf(com.fasterxml.jackson.core.JsonStreamContext ctx) {
        StringBuilder sb = new StringBuilder();
        java.util.ArrayDeque<String> parts = new java.util.ArrayDeque<>();
        for (com.fasterxml.jackson.core.JsonStreamContext c = ctx; c != null && !c.inRoot(); c = c.getParent()) {
            if (c.inArray()) {
                parts.push("[" + Math.max(0, c.getCurrentIndex()) + "]");
            } else if (c.getCurrentName() != null) {
                parts.push("." + c.getCurrentName());
            }
        }
        for (String part : parts) {
            sb.append(part);
        }
        return sb.length() > 0 && sb.charAt(0) == '.' ? sb.substring(1) : sb.toString();
    }

    /** The canonical JSON of a node (sorted keys), for hashing. */
    static String canonical(JsonNode node) {
        try {
            Object tree = MAPPER.treeToValue(node, Object.class);
            return MAPPER.writeValueAsString(tree);
        } catch (JsonProcessingException e) {
            return node.toString();
        }
    }

    static ObjectNode newObject() {
        return MAPPER.createObjectNode();
    }

    private static final class Reader {
        private final String source;
        private final JsonNode rootNode;
        private final List<String> notes = new ArrayList<>();

        Reader(String source, JsonNode root) {
            this.source = source;
            this.rootNode = root;
        }

        NetworkSpec read() {
            JsonObj root = new JsonObj(source, "", rootNode);
            if (root.has("_notes")) {
                for (JsonNode n : root.raw("_notes")) {
                    notes.add(n.asText());
                }
            }
            root.allow("description", "_comment");
            String name = root.str("name");
            if (name.isBlank()) {
                throw root.error("name", "must not be empty");
            }
            long seed = root.integer("seed", 0, Long.MIN_VALUE, Long.MAX_VALUE);
            double dt = root.num("dt_ms", 1.0, 0.0, false, 10.0);

            List<JsonObj> popNodes = root.objects("populations");
            if (popNodes.isEmpty()) {
                throw root.error("populations", "needs at least one population");
            }
            int[] lattice;
            List<AreaSpec> areas = new ArrayList<>();
            boolean hasLattice = root.has("lattice");
            if (hasLattice) {
                lattice = root.ints("lattice", root.req("lattice"), 4);
                for (int d = 0; d < 4; d++) {
                    if (lattice[d] < 1) {
                        throw root.error("lattice[" + d + "]", "must be >= 1, got " + lattice[d]);
                    }
                }
                long cells = (long) lattice[0] * lattice[1] * lattice[2] * lattice[3];
                if (cells > MAX_NEURONS) {
                    throw root.error("lattice", "has " + cells + " coordinates; at most " + MAX_NEURONS + " are supported");
                }
            } else {
                lattice = null;
            }
            Set<String> areaNames = new HashSet<>();
            List<JsonObj> areaNodes = root.objects("areas");
            if (!areaNodes.isEmpty() && lattice == null) {
                throw root.error("lattice", "is required when areas are given (four sizes [x, y, z, w])");
            }
            for (JsonObj a : areaNodes) {
                String an = a.str("name");
                if (!areaNames.add(an)) {
                    throw a.error(a.at("name"), "duplicate area name '" + an + "'");
                }
                int[] lo = new int[4];
                int[] hi = new int[4];
                String[] axes = {"x", "y", "z", "w"};
                for (int d = 0; d < 4; d++) {
                    int[] r = a.ints(a.at(axes[d]), a.req(axes[d]), 2);
                    if (r[0] > r[1]) {
                        throw a.error(a.at(axes[d]), "needs [lo, hi] with lo <= hi, got [" + r[0] + ", " + r[1] + "]");
                    }
                    if (r[0] < 0 || r[1] >= lattice[d]) {
                        throw a.error(a.at(axes[d]), "[" + r[0] + ", " + r[1] + "] lies outside the lattice (0.."
                                + (lattice[d] - 1) + " on " + axes[d] + ")");
                    }
                    lo[d] = r[0];
                    hi[d] = r[1];
                }
                areas.add(new AreaSpec(an, lo, hi, a.has("sense") ? a.str("sense") : null));
                a.done();
            }

            Map<String, SenseSpec> senses = new LinkedHashMap<>();
            if (root.has("senses")) {
                JsonObj s = root.obj("senses");
                Iterator<String> it = s.node.fieldNames();
                while (it.hasNext()) {
                    String sn = it.next();
                    JsonObj so = s.obj(sn);
                    String area = so.str("area");
                    if (!areaNames.contains(area)) {
                        throw so.error(so.at("area"), "unknown area '" + area + "'; areas: " + String.join(", ", areaNames));
                    }
                    int[] size = so.has("input_size") ? so.ints(so.at("input_size"), so.req("input_size"), 2) : null;
                    senses.put(sn, new SenseSpec(sn, area, size));
                    so.done();
                }
                s.done();
            }
            for (AreaSpec a : areas) {
                if (a.sense() != null && !senses.containsKey(a.sense())) {
                    senses.put(a.sense(), new SenseSpec(a.sense(), a.name(), null));
                }
            }

            // populations
            List<PopulationSpec> pops = new ArrayList<>();
            Set<String> popNames = new HashSet<>();
            long total = 0;
            for (JsonObj p : popNodes) {
                String pn = p.str("name");
                if (!popNames.add(pn)) {
                    throw p.error(p.at("name"), "duplicate population name '" + pn + "'");
                }
                String area = p.has("area") ? p.str("area") : null;
                if (area != null && !areaNames.contains(area)) {
                    throw p.error(p.at("area"), "unknown area '" + area + "'"
                            + (areaNames.isEmpty() ? "; the spec defines no areas" : "; areas: " + String.join(", ", areaNames)));
                }
                if (area == null && !areas.isEmpty()) {
                    throw p.error(p.at("area"), "is required when the spec defines areas");
                }
                boolean hasCount = p.has("count");
                boolean hasDensity = p.has("density");
                if (hasCount == hasDensity) {
                    throw p.error(p.path, "needs exactly one of 'count' or 'density'");
                }
                Integer count = hasCount ? (int) p.integer("count", 0, 0, MAX_NEURONS) : null;
                Double density = hasDensity ? p.num("density", 0, 0.0, true, 1.0) : null;
                if (hasDensity && area == null) {
                    throw p.error(p.at("density"), "needs an area to fill; give 'count' or define areas");
                }
                if (hasCount) {
                    total += count;
                }
                String model = p.str("model", "lif");
                String type = null;
                Double balanced = null;
                if (p.has("type")) {
                    JsonNode t = p.raw("type");
                    if (t.isTextual()) {
                        type = t.asText();
                        if (NeuronType.byName(type) == null) {
                            throw p.error(p.at("type"), "unknown neuron type '" + type + "'; types: " + NeuronType.names()
                                    + ", or {\"balanced\": {\"inhibitory_fraction\": f}}");
                        }
                    } else {
                        JsonObj to = p.obj("type");
                        JsonObj bo = to.obj("balanced");
                        balanced = bo.num("inhibitory_fraction", 0.2, 0.0, true, 1.0);
                        bo.done();
                        to.done();
                    }
                } else {
                    type = "excitatory";
                }
                Map<String, Object> params = new LinkedHashMap<>();
                if (p.has("params")) {
                    JsonObj po = p.obj("params");
                    Iterator<Map.Entry<String, JsonNode>> it = po.node.fields();
                    while (it.hasNext()) {
                        Map.Entry<String, JsonNode> e = it.next();
                        JsonNode v = e.getValue();
                        if (v.isTextual()) {
                            params.put(e.getKey(), v.asText());
                        } else {
                            params.put(e.getKey(), po.dist(e.getKey()));
                        }
                    }
                    po.allow(params.keySet().toArray(new String[0]));
                    po.done();
                }
                Map<String, Dist> init = new LinkedHashMap<>();
                if (p.has("init")) {
                    JsonObj io = p.obj("init");
                    Iterator<String> it = io.node.fieldNames();
                    while (it.hasNext()) {
                        String k = it.next();
                        init.put(k, io.dist(k));
                    }
                    io.done();
                }
                pops.add(new PopulationSpec(pn, area, count, density, model, type, balanced,
                        Collections.unmodifiableMap(params), Collections.unmodifiableMap(init), p.path));
                p.done();
            }
            if (total > MAX_NEURONS) {
                throw root.error("populations", "ask for " + total + " neurons; at most " + MAX_NEURONS + " are supported");
            }

            // synapse kind
            SynapseSpec synapse = new SynapseSpec(SynapseKind.CURRENT_PULSE, 5.0, 10.0);
            if (root.has("synapse")) {
                JsonObj s = root.obj("synapse");
                String kind = s.str("kind", "current_pulse");
                SynapseKind k;
                switch (kind) {
                    case "current_pulse": k = SynapseKind.CURRENT_PULSE; break;
                    case "voltage_jump": k = SynapseKind.VOLTAGE_JUMP; break;
                    case "exp_current": k = SynapseKind.EXP_CURRENT; break;
                    case "delta":
                        throw s.error(s.at("kind"), "'delta' is ambiguous: use 'current_pulse' (the weight is added to the input "
                                + "current for one tick, as in the seed and Izhikevich 2003) or 'voltage_jump' (v jumps by the "
                                + "weight in mV, as NEST's iaf_psc_delta)");
                    default:
                        throw s.error(s.at("kind"), "unknown synapse kind '" + kind + "'; kinds: current_pulse, voltage_jump, exp_current");
                }
                double te = s.num("tau_exc_ms", 5.0, 0.0, false, 1e6);
                double ti = s.num("tau_inh_ms", 10.0, 0.0, false, 1e6);
                synapse = new SynapseSpec(k, te, ti);
                s.done();
            }

            // connections
            List<ConnectionSpec> conns = new ArrayList<>();
            for (JsonObj c : root.objects("connections")) {
                List<String> from = c.names("from");
                List<String> to = c.names("to");
                for (int i = 0; i < from.size(); i++) {
                    checkPop(c, "from", from.get(i), popNames);
                }
                for (int i = 0; i < to.size(); i++) {
                    checkPop(c, "to", to.get(i), popNames);
                }
                boolean hasP = c.has("probability");
                boolean hasK = c.has("in_degree");
                if (hasP == hasK) {
                    throw c.error(c.path, "needs exactly one of 'probability' or 'in_degree'");
                }
                Double prob = hasP ? c.num("probability", 0, 0.0, true, 1.0) : null;
                Integer k = hasK ? (int) c.integer("in_degree", 0, 0, Integer.MAX_VALUE) : null;
                DistanceRule dr = null;
                if (c.has("distance")) {
                    JsonObj d = c.obj("distance");
                    String prof = d.str("profile", "gaussian");
                    DistanceProfile profile;
                    double scale;
                    if ("gaussian".equals(prof)) {
                        profile = DistanceProfile.GAUSSIAN;
                        if (!d.has("sigma") && d.node.has("lambda")) {
                            throw d.error(d.at("lambda"), "a gaussian profile takes 'sigma' (lattice units); 'lambda' is "
                                    + "for \"profile\": \"exponential\"");
                        }
                        scale = d.num("sigma");
                        d.checkRange(d.at("sigma"), scale, 0.0, false, 1e9);
                    } else if ("exponential".equals(prof)) {
                        profile = DistanceProfile.EXPONENTIAL;
                        if (!d.has("lambda") && d.node.has("sigma")) {
                            throw d.error(d.at("sigma"), "an exponential profile takes 'lambda' (lattice units); 'sigma' is "
                                    + "for \"profile\": \"gaussian\"");
                        }
                        scale = d.num("lambda");
                        d.checkRange(d.at("lambda"), scale, 0.0, false, 1e9);
                    } else {
                        throw d.error(d.at("profile"), "unknown profile '" + prof + "'; profiles: gaussian (sigma), exponential (lambda)");
                    }
                    double max = d.num("max", Double.POSITIVE_INFINITY, 0.0, true, Double.POSITIVE_INFINITY);
                    dr = new DistanceRule(profile, scale, max);
                    d.done();
                    if (hasK) {
                        throw c.error(c.at("distance"), "works with 'probability' only, not 'in_degree'");
                    }
                }
                Dist weight = c.dist("weight");
                noFromR(c, "weight", weight);
                if (weight.isConstant() && weight.a() < 0 || weight.kind() == Dist.Kind.UNIFORM && weight.a() < 0) {
                    throw c.error(c.at("weight"), "must not be negative (got " + weight + "): weights are magnitudes, "
                            + "and the sign follows the presynaptic neuron's class (Dale's law)");
                }
                Dist delay = c.has("delay_ms") ? c.dist("delay_ms") : Dist.constant(dt);
                noFromR(c, "delay_ms", delay);
                if (delay.min() < dt - 1e-9 * dt && delay.kind() != Dist.Kind.NORMAL) {
                    throw c.error(c.at("delay_ms"), "must be at least dt_ms = " + JsonObj.fmt(dt)
                            + " (one tick: a spike reaches its targets in the next tick at the earliest), got " + delay);
                }
                if (Double.isFinite(delay.max()) && delay.max() / dt > MAX_DELAY_TICKS) {
                    throw c.error(c.at("delay_ms"), "must be at most " + JsonObj.fmt(MAX_DELAY_TICKS * dt) + " ms ("
                            + MAX_DELAY_TICKS + " ticks), got " + delay);
                }
                boolean autapses = c.bool("autapses", false);
                conns.add(new ConnectionSpec(List.copyOf(from), List.copyOf(to), prob, k, dr, weight, delay, autapses, c.path));
                c.done();
            }

            // inputs
            List<InputSpec> inputs = new ArrayList<>();
            for (JsonObj in : root.objects("inputs")) {
                inputs.add(readInput(in, popNames, areaNames, senses, areas, lattice, total));
            }

            PlasticitySpec plasticity = null;
            if (root.has("plasticity")) {
                JsonObj p = root.obj("plasticity");
                String rule = p.str("rule");
                List<String> from = p.has("from") ? p.names("from") : List.of();
                for (String f : from) {
                    checkPop(p, "from", f, popNames);
                }
                if ("stdp".equals(rule)) {
                    plasticity = new PlasticitySpec(PlasticityRule.STDP,
                            p.num("a_plus", 0.01, 0.0, true, 1e6), p.num("a_minus", 0.012, 0.0, true, 1e6),
                            p.num("tau_plus_ms", 20.0, 0.0, false, 1e6), p.num("tau_minus_ms", 20.0, 0.0, false, 1e6),
                            0, 0, p.num("w_min", 0.0, 0.0, true, 1e9), p.num("w_max", 1.0, 0.0, true, 1e9), from);
                } else if ("hebbian".equals(rule) || "hebb_like".equals(rule)) {
                    plasticity = new PlasticitySpec(PlasticityRule.HEBBIAN, 0, 0, 0, 0,
                            p.num("learning_rate", 0.001, 0.0, true, 1e6), p.num("weight_decay", 0.0, 0.0, true, 1e6),
                            p.num("w_min", 0.0, 0.0, true, 1e9), p.num("w_max", 1.0, 0.0, true, 1e9), from);
                } else {
                    throw p.error(p.at("rule"), "unknown rule '" + rule + "'; rules: stdp, hebbian");
                }
                if (plasticity.wMin() > plasticity.wMax()) {
                    throw p.error(p.at("w_min"), "must not exceed w_max");
                }
                p.done();
            }

            List<ProbeSpec> probes = new ArrayList<>();
            for (JsonObj pr : root.objects("probes")) {
                List<String> ps = pr.has("population") ? pr.names("population") : List.of();
                for (String s : ps) {
                    checkPop(pr, "population", s, popNames);
                }
                int[] ids = pr.has("neurons") ? pr.ints(pr.at("neurons"), pr.req("neurons"), 0) : null;
                if (ps.isEmpty() == (ids == null)) {
                    throw pr.error(pr.path, "needs exactly one of 'population' or 'neurons'");
                }
                int first = (int) pr.integer("first", Integer.MAX_VALUE, 1, Integer.MAX_VALUE);
                List<String> vars = pr.has("variables") ? pr.names("variables") : List.of("v");
                for (int i = 0; i < vars.size(); i++) {
                    if (!List.of("v", "u", "ge", "gi").contains(vars.get(i))) {
                        throw pr.error(pr.at("variables") + "[" + i + "]", "unknown variable '" + vars.get(i)
                                + "'; variables: v, u, ge, gi");
                    }
                }
                if (ids != null) {
                    for (int i = 0; i < ids.length; i++) {
                        if (ids[i] < 0) {
                            throw pr.error(pr.at("neurons") + "[" + i + "]", "neuron ids are >= 0, got " + ids[i]);
                        }
                    }
                }
                double every = pr.num("every_ms", dt, 0.0, false, 1e9);
                probes.add(new ProbeSpec(ps, ids, first, vars, every, pr.path));
                pr.done();
            }
            root.allow("_notes");
            root.done();
            return new NetworkSpec(source, name, seed, dt, lattice, List.copyOf(areas), Collections.unmodifiableMap(senses),
                    List.copyOf(pops), synapse, List.copyOf(conns), List.copyOf(inputs), plasticity, List.copyOf(probes),
                    List.copyOf(notes), canonical(rootNode));
        }

        /** {@code from_r} is a per-neuron heterogeneity: it means something for params and init only. */
        private static void noFromR(JsonObj o, String key, Dist d) {
            if (d.kind() == Dist.Kind.FROM_R) {
                throw o.error(o.at(key) + ".from_r", "is for neuron parameters and initial values only; use a number, "
                        + "{\"uniform\": [lo, hi]} or {\"normal\": [mean, sd]} here");
            }
        }

        private static void checkPop(JsonObj o, String key, String name, Set<String> pops) {
            if (!pops.contains(name)) {
                throw o.error(o.at(key), "unknown population '" + name + "'; populations: " + String.join(", ", pops));
            }
        }

        private InputSpec readInput(JsonObj in, Set<String> popNames, Set<String> areaNames,
                Map<String, SenseSpec> senses, List<AreaSpec> areas, int[] lattice, long total) {
            JsonObj t = in.obj("target");
            int set = 0;
            List<String> pops = null;
            String area = null;
            int[] neurons = null;
            int[][] coords = null;
            String sense = null;
            int z = 0;
            if (t.has("population")) {
                set++;
                pops = t.names("population");
                for (String p : pops) {
                    checkPop(t, "population", p, popNames);
                }
            }
            if (t.has("area")) {
                set++;
                area = t.str("area");
                if (!areaNames.contains(area)) {
                    throw t.error(t.at("area"), "unknown area '" + area + "'");
                }
            }
            if (t.has("neurons")) {
                set++;
                neurons = t.ints(t.at("neurons"), t.req("neurons"), 0);
                for (int i = 0; i < neurons.length; i++) {
                    if (neurons[i] < 0) {
                        throw t.error(t.at("neurons") + "[" + i + "]", "neuron ids are >= 0, got " + neurons[i]);
                    }
                }
            }
            if (t.has("coordinates")) {
                set++;
                JsonNode cs = t.req("coordinates");
                if (!cs.isArray()) {
                    throw t.error(t.at("coordinates"), "must be a list of [x, y, z, w]");
                }
                coords = new int[cs.size()][];
                for (int i = 0; i < cs.size(); i++) {
                    coords[i] = t.ints(t.at("coordinates") + "[" + i + "]", cs.get(i), 4);
                    if (lattice != null) {
                        for (int d = 0; d < 4; d++) {
                            if (coords[i][d] < 0 || coords[i][d] >= lattice[d]) {
                                throw t.error(t.at("coordinates") + "[" + i + "]", "lies off the lattice");
                            }
                        }
                    }
                }
            }
            if (t.has("sense")) {
                set++;
                sense = t.str("sense");
                if (!senses.containsKey(sense)) {
                    throw t.error(t.at("sense"), "unknown sense '" + sense + "'"
                            + (senses.isEmpty() ? "; the spec defines no senses" : "; senses: " + String.join(", ", senses.keySet())));
                }
                z = (int) t.integer("z_layer", 0, 0, Integer.MAX_VALUE);
                AreaSpec a = areaByName(areas, senses.get(sense).area());
                int depth = a.hi()[2] - a.lo()[2] + 1;
                if (z >= depth) {
                    throw t.error(t.at("z_layer"), z + " is out of range for sense '" + sense + "' (0.." + (depth - 1) + ")");
                }
            }
            if (set != 1) {
                throw t.error(t.path, "needs exactly one of population, area, neurons, coordinates, sense");
            }
            t.done();
            TargetSpec target = new TargetSpec(pops, area, neurons, coords, sense, z);

            double from = in.num("from_ms", 0.0, 0.0, true, Double.MAX_VALUE);
            if (in.has("to_ms") && in.has("duration_ms")) {
                throw in.error(in.path, "give 'to_ms' or 'duration_ms', not both");
            }
            double to = Double.POSITIVE_INFINITY;
            if (in.has("to_ms")) {
                to = in.num("to_ms", 0, from, false, Double.MAX_VALUE);
            } else if (in.has("duration_ms")) {
                to = from + in.num("duration_ms", 0, 0.0, false, Double.MAX_VALUE);
            }
            int kinds = (in.has("current") ? 1 : 0) + (in.has("poisson") ? 1 : 0) + (in.has("matrix") ? 1 : 0);
            if (kinds != 1) {
                throw in.error(in.path, "needs exactly one of 'current', 'poisson', 'matrix'");
            }
            if (in.has("matrix")) {
                if (sense == null) {
                    throw in.error(in.at("matrix"), "needs a target with a 'sense'");
                }
                JsonNode m = in.req("matrix");
                if (!m.isArray() || m.size() == 0) {
                    throw in.error(in.at("matrix"), "must be a non-empty list of rows (first axis x)");
                }
                double[][] mat = new double[m.size()][];
                for (int i = 0; i < m.size(); i++) {
                    mat[i] = in.numbers(in.at("matrix") + "[" + i + "]", m.get(i), 0);
                    if (mat[i].length != mat[0].length || mat[i].length == 0) {
                        throw in.error(in.at("matrix") + "[" + i + "]", "rows must all have the same non-zero length ("
                                + mat[0].length + "), got " + mat[i].length);
                    }
                }
                AreaSpec a = areaByName(areas, senses.get(sense).area());
                int ax = a.hi()[0] - a.lo()[0] + 1;
                int ay = a.hi()[1] - a.lo()[1] + 1;
                if (mat.length > ax || mat[0].length > ay) {
                    throw in.error(in.at("matrix"), "shape " + mat.length + "x" + mat[0].length + " does not fit area '"
                            + a.name() + "' of sense '" + sense + "' (" + ax + "x" + ay + " on x, y)");
                }
                double scale = in.num("scale", 1.0);
                in.done();
                return new InputSpec(target, InputKind.MATRIX, null, 0, 0, mat, scale, from, to, in.path);
            }
            if (sense != null) {
                throw in.error(in.at("target"), "a 'sense' target takes a 'matrix' input");
            }
            if (in.has("poisson")) {
                JsonObj p = in.obj("poisson");
                double rate = p.num("rate_hz");
                p.checkRange(p.at("rate_hz"), rate, 0.0, true, 1e6);
                double w = p.num("weight", 1.0, 0.0, true, 1e9);
                p.done();
                in.done();
                return new InputSpec(target, InputKind.POISSON, null, rate, w, null, 1.0, from, to, in.path);
            }
            Dist current = in.dist("current");
            noFromR(in, "current", current);
            in.done();
            return new InputSpec(target, InputKind.CURRENT, current, 0, 0, null, 1.0, from, to, in.path);
        }

        private static AreaSpec areaByName(List<AreaSpec> areas, String name) {
            for (AreaSpec a : areas) {
                if (a.name().equals(name)) {
                    return a;
                }
            }
            throw new IllegalStateException("area " + name);
        }
    }
}
