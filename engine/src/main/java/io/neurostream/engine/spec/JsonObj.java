package io.neurostream.engine.spec;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Reads one JSON object of a spec, remembering which keys were asked for, so that
 * {@link #done()} can reject every key nobody asked for ("unknown key ... did you mean ...?").
 * Every error names the source file and the full key path.
 */
final class JsonObj {
    final String source;
    final String path;
    final JsonNode node;
    private final Set<String> known = new LinkedHashSet<>();

    JsonObj(String source, String path, JsonNode node) {
        this.source = source;
        this.path = path;
        this.node = node;
        if (node == null || !node.isObject()) {
            throw error(path, "must be a JSON object, got " + describe(node));
        }
    }

    SpecException error(String keyPath, String problem) {
        return new SpecException(source, keyPath, problem);
    }

    String at(String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    boolean has(String key) {
        known.add(key);
        JsonNode v = node.get(key);
        return v != null && !v.isNull();
    }

    JsonNode raw(String key) {
        known.add(key);
        return node.get(key);
    }

    JsonNode req(String key) {
        known.add(key);
        JsonNode v = node.get(key);
        if (v == null || v.isNull()) {
            throw error(at(key), "is required");
        }
        return v;
    }

    JsonObj obj(String key) {
        return new JsonObj(source, at(key), req(key));
    }

    String str(String key) {
        JsonNode v = req(key);
        if (!v.isTextual()) {
            throw error(at(key), "must be a string, got " + describe(v));
        }
        return v.asText();
    }

    String str(String key, String dflt) {
        return has(key) ? str(key) : dflt;
    }

    double num(String key) {
        JsonNode v = req(key);
        return number(at(key), v);
    }

    double num(String key, double dflt) {
        return has(key) ? num(key) : dflt;
    }

    double num(String key, double dflt, double min, boolean minInclusive, double max) {
        double v = num(key, dflt);
        checkRange(at(key), v, min, minInclusive, max);
        return v;
    }

    void checkRange(String keyPath, double v, double min, boolean minInclusive, double max) {
        if (minInclusive ? v < min : v <= min) {
            throw error(keyPath, "must be " + (minInclusive ? ">= " : "> ") + fmt(min) + ", got " + fmt(v));
        }
        if (v > max) {
            throw error(keyPath, "must be <= " + fmt(max) + ", got " + fmt(v));
        }
    }

    long integer(String key, long dflt, long min, long max) {
        if (!has(key)) {
            return dflt;
        }
        JsonNode v = req(key);
        if (!v.isIntegralNumber() && !(v.isNumber() && v.asDouble() == Math.rint(v.asDouble()))) {
            throw error(at(key), "must be a whole number, got " + describe(v));
        }
        long x = v.asLong();
        if (x < min || x > max) {
            throw error(at(key), "must be between " + min + " and " + max + ", got " + x);
        }
        return x;
    }

    boolean bool(String key, boolean dflt) {
        if (!has(key)) {
            return dflt;
        }
        JsonNode v = req(key);
        if (!v.isBoolean()) {
            throw error(at(key), "must be true or false, got " + describe(v));
        }
        return v.asBoolean();
    }

    /** A string or an array of strings. */
    List<String> names(String key) {
        JsonNode v = req(key);
        List<String> out = new ArrayList<>();
        if (v.isTextual()) {
            out.add(v.asText());
        } else if (v.isArray() && v.size() > 0) {
            for (int i = 0; i < v.size(); i++) {
                if (!v.get(i).isTextual()) {
                    throw error(at(key) + "[" + i + "]", "must be a string, got " + describe(v.get(i)));
                }
                out.add(v.get(i).asText());
            }
        } else {
            throw error(at(key), "must be a name or a non-empty list of names, got " + describe(v));
        }
        return out;
    }

    List<JsonObj> objects(String key) {
        List<JsonObj> out = new ArrayList<>();
        if (!has(key)) {
            return out;
        }
        JsonNode v = req(key);
        if (!v.isArray()) {
            throw error(at(key), "must be a list, got " + describe(v));
        }
        for (int i = 0; i < v.size(); i++) {
            out.add(new JsonObj(source, at(key) + "[" + i + "]", v.get(i)));
        }
        return out;
    }

    /** A constant or {@code {"uniform": [lo, hi]}} / {@code {"normal": [m, sd]}} / {@code {"from_r": [o, s, p]}}. */
    Dist dist(String key) {
        return dist(at(key), req(key));
    }

    Dist dist(String keyPath, JsonNode v) {
        if (v.isNumber()) {
            return Dist.constant(number(keyPath, v));
        }
        if (v.isObject() && v.size() == 1) {
            String form = v.fieldNames().next();
            JsonNode args = v.get(form);
            String p = keyPath + "." + form;
            switch (form) {
                case "uniform": {
                    double[] a = numbers(p, args, 2);
                    if (!(a[1] >= a[0])) {
                        throw error(p, "needs [lo, hi] with lo <= hi, got [" + fmt(a[0]) + ", " + fmt(a[1]) + "]");
                    }
                    return Dist.uniform(a[0], a[1]);
                }
                case "normal": {
                    double[] a = numbers(p, args, 2);
                    if (a[1] < 0) {
                        throw error(p, "needs [mean, sd] with sd >= 0, got sd " + fmt(a[1]));
                    }
                    return Dist.normal(a[0], a[1]);
                }
                case "from_r": {
                    double[] a = numbers(p, args, 3);
                    if (a[2] < 0) {
                        throw error(p, "needs [offset, scale, power] with power >= 0, got " + fmt(a[2]));
                    }
                    return new Dist(Dist.Kind.FROM_R, a[0], a[1], a[2]);
                }
                default:
                    throw error(keyPath, "unknown distribution '" + form
                            + "'; use a number, {\"uniform\": [lo, hi]}, {\"normal\": [mean, sd]} or {\"from_r\": [offset, scale, power]}");
            }
        }
        throw error(keyPath, "must be a number or a distribution such as {\"uniform\": [lo, hi]}, got " + describe(v));
    }

    double[] numbers(String keyPath, JsonNode v, int n) {
        if (v == null || !v.isArray() || (n > 0 && v.size() != n)) {
            throw error(keyPath, "must be a list of " + (n > 0 ? n + " " : "") + "numbers, got " + describe(v));
        }
        double[] out = new double[v.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = number(keyPath + "[" + i + "]", v.get(i));
        }
        return out;
    }

    int[] ints(String keyPath, JsonNode v, int n) {
        double[] d = numbers(keyPath, v, n);
        int[] out = new int[d.length];
        for (int i = 0; i < d.length; i++) {
            if (d[i] != Math.rint(d[i]) || Math.abs(d[i]) > Integer.MAX_VALUE) {
                throw error(keyPath + "[" + i + "]", "must be a whole number, got " + fmt(d[i]));
            }
            out[i] = (int) d[i];
        }
        return out;
    }

    double number(String keyPath, JsonNode v) {
        if (v == null || !v.isNumber()) {
            throw error(keyPath, "must be a number, got " + describe(v));
        }
        double d = v.asDouble();
        if (!Double.isFinite(d)) {
            throw error(keyPath, "must be a finite number, got " + v.asText());
        }
        return d;
    }

    /** Rejects every key that was never asked for, suggesting the closest known one. */
    void done() {
        Iterator<String> it = node.fieldNames();
        while (it.hasNext()) {
            String k = it.next();
            if (!known.contains(k)) {
                String hint = closest(k, known);
                throw error(at(k), "unknown key" + (hint != null ? " (did you mean '" + hint + "'?)" : "")
                        + "; allowed here: " + String.join(", ", known));
            }
        }
    }

    /** Declares keys that are accepted (and ignored or read elsewhere). */
    void allow(String... keys) {
        for (String k : keys) {
            known.add(k);
        }
    }

    static String closest(String key, java.util.Collection<String> candidates) {
        String best = null;
        int bestD = Integer.MAX_VALUE;
        for (String c : candidates) {
            int d = levenshtein(key.toLowerCase(), c.toLowerCase());
            if (d < bestD) {
                bestD = d;
                best = c;
            }
        }
        return bestD <= Math.max(2, key.length() / 3) ? best : null;
    }

    private static int levenshtein(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    static String describe(JsonNode v) {
        if (v == null || v.isNull() || v.isMissingNode()) {
            return "nothing";
        }
        if (v.isTextual()) {
            return "\"" + v.asText() + "\"";
        }
        if (v.isArray()) {
            return "a list";
        }
        if (v.isObject()) {
            return "an object";
        }
        return v.toString();
    }

    static String fmt(double d) {
        return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d);
    }
}
