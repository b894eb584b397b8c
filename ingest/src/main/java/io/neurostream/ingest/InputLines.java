package io.neurostream.ingest;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.neurostream.schemas.Matrices;
import io.neurostream.schemas.avro.Coordinate;
import io.neurostream.schemas.avro.ExternalInput;
import io.neurostream.schemas.avro.InputKind;
import io.neurostream.schemas.avro.Target;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Turns lines of text into {@link ExternalInput}s for one network, so that inputs can be written by
 * hand or by any program (one JSON object per line, or CSV for plain currents) and sent with
 * {@link NeuroStreamClient#send}; {@code neurostream send} is built on it. The format is in
 * docs/ingest.md ("Inputs as lines of text").
 *
 * <p>One parser reads one source, line by line and in order ({@link #parse(int, String)}): the first
 * line that is neither blank nor a comment ({@code #...}) decides the format: a JSON object (starts with
 * <code>{</code> or <code>[</code>) makes every line JSON; anything else must be a CSV header, and the lines after it are
 * CSV rows. A line that is wrong gives a {@link Line} with a problem and the parser goes on: one bad
 * line costs only itself.
 *
 * <p>Every input gets an {@code input_id}: the line's own, or {@code <source>:<line number>}, so that
 * the journal and the rejections name the line each input came from, and sending a file twice is seen
 * as such. Not thread-safe.
 */
public final class InputLines {

    /** One line: its number (from 1) and either the input it gave or what is wrong with it. */
    public record Line(int number, ExternalInput input, String problem) {
        /** Whether the line gave an input. */
        public boolean ok() {
            return input != null;
        }
    }

    /** A source that cannot be read at all: a bad CSV header (every row would be misread). */
    public static final class BadHeaderException extends IllegalArgumentException {
        private final int lineNumber;

        BadHeaderException(int lineNumber, String message) {
            super(message);
            this.lineNumber = lineNumber;
        }

        /** The header's line number. */
        public int lineNumber() {
            return lineNumber;
        }
    }

    /** The JSON fields of a line, by their ExternalInput names (plus at_ms, duration_ms and matrix). */
    static final Set<String> JSON_FIELDS = Set.of("network_id", "input_id", "kind", "tick", "at_ms", "duration_ticks",
            "duration_ms", "target", "current", "rate_hz", "weight", "matrix", "scale");
    /** The fields of a JSON line's target, by their Target names. */
    static final Set<String> TARGET_FIELDS = Set.of("populations", "area", "sense", "z_layer", "neurons", "coordinates");
    /** The CSV columns; target and current are required. */
    static final Set<String> CSV_COLUMNS = Set.of("tick", "at_ms", "target", "current", "duration_ticks", "duration_ms",
            "input_id");

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private enum Format { UNKNOWN, JSON, CSV }

    private final String networkId;
    private final String source;
    private final double dtMs;
    private Format format = Format.UNKNOWN;
    private List<String> columns;

    /**
     * @param networkId the network every input is for
     * @param source    the source's name, the first part of the default input ids (a file's name, or {@code stdin})
     * @param dtMs      the network's time step, ms, to turn {@code at_ms} and {@code duration_ms} into ticks;
     *                  0 or NaN if unknown (then a line that uses them is wrong)
     */
    public InputLines(String networkId, String source, double dtMs) {
        this.networkId = Objects.requireNonNull(networkId, "networkId");
        this.source = Objects.requireNonNull(source, "source");
        this.dtMs = dtMs > 0 && Double.isFinite(dtMs) ? dtMs : 0.0;
    }

    /**
     * Parses the next line of the source.
     *
     * @param number the line's number in the source, from 1 (lines must come in order)
     * @return the line's input or problem, or null for a blank line, a comment or the CSV header
     * @throws BadHeaderException if the line is the CSV header and is wrong
     */
    public Line parse(int number, String text) {
        String t = text.strip();
        if (t.isEmpty() || t.startsWith("#")) {
            return null;
        }
        if (format == Format.UNKNOWN) {
            if (t.startsWith("{") || t.startsWith("[")) {
                format = Format.JSON;
            } else {
                columns = header(number, t);
                format = Format.CSV;
                return null;
            }
        }
        try {
            return new Line(number, format == Format.JSON ? json(number, t) : csv(number, t), null);
        } catch (Problem p) {
            return new Line(number, null, p.getMessage());
        }
    }

    /** A line that is wrong; its message says what. */
    private static final class Problem extends RuntimeException {
        Problem(String message) {
            super(message, null, false, false);
        }
    }

    // ------------------------------------------------------------------ JSON

    private ExternalInput json(int number, String text) {
        JsonNode node;
        try {
            node = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new Problem("not valid JSON: " + e.getOriginalMessage());
        }
        if (!(node instanceof ObjectNode o)) {
            throw new Problem("a line must be one JSON object, got " + node.getNodeType().toString().toLowerCase(Locale.ROOT));
        }
        for (Iterator<String> it = o.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!JSON_FIELDS.contains(f)) {
                throw new Problem("unknown field '" + f + "'; the fields are " + sorted(JSON_FIELDS));
            }
        }
        String net = text(o, "network_id");
        if (net != null && !net.equals(networkId)) {
            throw new Problem("network_id '" + net + "' is not the network sent to, '" + networkId + "'");
        }
        InputKind kind = kind(o);
        ExternalInput.Builder b = ExternalInput.newBuilder().setNetworkId(networkId).setKind(kind);
        b.setInputId(inputId(text(o, "input_id"), number));
        b.setTick(tick(longOrNull(o, "tick"), number(o, "at_ms")));
        b.setDurationTicks(duration(longOrNull(o, "duration_ticks"), number(o, "duration_ms")));
        JsonNode target = o.get("target");
        if (target == null || target.isNull()) {
            throw new Problem("target is missing: an object with one of " + sorted(TARGET_FIELDS));
        }
        b.setTarget(target(target, kind));
        switch (kind) {
            case CURRENT -> b.setCurrent(finite(o, "current", true));
            case POISSON -> {
                double rate = finite(o, "rate_hz", true);
                if (rate < 0) {
                    throw new Problem("rate_hz must be >= 0, got " + rate);
                }
                b.setRateHz(rate);
                Double w = finite(o, "weight", false);
                b.setWeight(w == null ? 1.0 : w);
            }
            default -> { // MATRIX
                matrix(o.get("matrix"), b);
                Double scale = finite(o, "scale", false);
                b.setScale(scale == null ? 1.0 : scale);
            }
        }
        onlyFor(o, kind);
        return b.build();
    }

    /** The kind: given, or the one whose value field the line has. */
    private static InputKind kind(ObjectNode o) {
        String k = text(o, "kind");
        List<InputKind> implied = new ArrayList<>();
        if (o.has("current")) {
            implied.add(InputKind.CURRENT);
        }
        if (o.has("rate_hz")) {
            implied.add(InputKind.POISSON);
        }
        if (o.has("matrix")) {
            implied.add(InputKind.MATRIX);
        }
        if (k != null) {
            InputKind kind;
            try {
                kind = InputKind.valueOf(k.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                kind = InputKind.UNKNOWN;
            }
            if (kind == InputKind.UNKNOWN) {
                throw new Problem("kind must be CURRENT, POISSON or MATRIX, got '" + k + "'");
            }
            return kind;
        }
        if (implied.size() != 1) {
            throw new Problem(implied.isEmpty() ? "no value: give current (CURRENT), rate_hz (POISSON) or matrix (MATRIX)"
                    : "several values (" + implied + "): one input has one kind");
        }
        return implied.get(0);
    }

    /** Rejects the value fields of other kinds, which would be ignored silently. */
    private static void onlyFor(ObjectNode o, InputKind kind) {
        Map<String, InputKind> owner = new LinkedHashMap<>();
        owner.put("current", InputKind.CURRENT);
        owner.put("rate_hz", InputKind.POISSON);
        owner.put("weight", InputKind.POISSON);
        owner.put("matrix", InputKind.MATRIX);
        owner.put("scale", InputKind.MATRIX);
        owner.forEach((field, k) -> {
            if (o.has(field) && k != kind) {
                throw new Problem(field + " goes with kind " + k + ", not " + kind);
            }
        });
    }

    private Target target(JsonNode t, InputKind kind) {
        if (!(t instanceof ObjectNode o)) {
            throw new Problem("target must be an object with one of " + sorted(TARGET_FIELDS));
        }
        for (Iterator<String> it = o.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!TARGET_FIELDS.contains(f)) {
                throw new Problem("unknown target field '" + f + "'; the fields are " + sorted(TARGET_FIELDS));
            }
        }
        List<String> ways = new ArrayList<>();
        for (String f : List.of("populations", "area", "sense", "neurons", "coordinates")) {
            if (o.has(f) && !o.get(f).isNull()) {
                ways.add(f);
            }
        }
        if (ways.size() != 1) {
            throw new Problem("target must have exactly one of populations, area, sense, neurons, coordinates; got "
                    + (ways.isEmpty() ? "none" : String.join(", ", ways)));
        }
        Target.Builder b = Target.newBuilder();
        switch (ways.get(0)) {
            case "populations" -> {
                List<String> names = new ArrayList<>();
                JsonNode p = o.get("populations");
                if (p.isTextual()) {
                    names.add(p.asText());
                } else if (p.isArray() && !p.isEmpty()) {
                    p.forEach(n -> {
                        if (!n.isTextual()) {
                            throw new Problem("target.populations must hold names (strings), got " + n);
                        }
                        names.add(n.asText());
                    });
                } else {
                    throw new Problem("target.populations must be a name or a non-empty list of names");
                }
                b.setPopulations(names);
            }
            case "area" -> b.setArea(text(o, "area"));
            case "sense" -> b.setSense(text(o, "sense"));
            case "neurons" -> {
                JsonNode n = o.get("neurons");
                if (!n.isArray() || n.isEmpty()) {
                    throw new Problem("target.neurons must be a non-empty list of neuron ids");
                }
                List<Integer> ids = new ArrayList<>();
                n.forEach(x -> ids.add(nonNegativeInt(x, "target.neurons")));
                b.setNeurons(ids);
            }
            default -> {
                JsonNode c = o.get("coordinates");
                if (!c.isArray() || c.isEmpty()) {
                    throw new Problem("target.coordinates must be a non-empty list of [x, y, z, w]");
                }
                List<Coordinate> cells = new ArrayList<>();
                c.forEach(x -> {
                    if (!x.isArray() || x.size() != 4) {
                        throw new Problem("target.coordinates: each cell is [x, y, z, w], got " + x);
                    }
                    cells.add(new Coordinate(nonNegativeInt(x.get(0), "x"), nonNegativeInt(x.get(1), "y"),
                            nonNegativeInt(x.get(2), "z"), nonNegativeInt(x.get(3), "w")));
                });
                b.setCoordinates(cells);
            }
        }
        if (o.has("z_layer") && !o.get("z_layer").isNull()) {
            if (b.getSense() == null) {
                throw new Problem("target.z_layer goes with target.sense only");
            }
            b.setZLayer(nonNegativeInt(o.get("z_layer"), "target.z_layer"));
        }
        if (kind == InputKind.MATRIX && b.getSense() == null) {
            throw new Problem("a MATRIX input needs target.sense (the matrix is laid onto a sense's area)");
        }
        if (kind != InputKind.MATRIX && b.getSense() != null) {
            throw new Problem("target.sense goes with a MATRIX input only");
        }
        return b.build();
    }

    private static void matrix(JsonNode m, ExternalInput.Builder b) {
        if (m == null || !m.isArray() || m.isEmpty()) {
            throw new Problem("matrix must be a non-empty list of rows, each a list of numbers");
        }
        int rows = m.size();
        int cols = -1;
        float[] flat = null;
        for (int i = 0; i < rows; i++) {
            JsonNode row = m.get(i);
            if (!row.isArray() || row.isEmpty()) {
                throw new Problem("matrix row " + i + " must be a non-empty list of numbers");
            }
            if (cols < 0) {
                cols = row.size();
                flat = new float[rows * cols];
            } else if (row.size() != cols) {
                throw new Problem("matrix row " + i + " has " + row.size() + " values, row 0 has " + cols);
            }
            for (int j = 0; j < cols; j++) {
                JsonNode v = row.get(j);
                if (!v.isNumber() || !Double.isFinite(v.asDouble())) {
                    throw new Problem("matrix[" + i + "][" + j + "] must be a finite number, got " + v);
                }
                flat[i * cols + j] = (float) v.asDouble();
            }
        }
        b.setMatrixRows(rows).setMatrixCols(cols).setMatrixValues(Matrices.pack(flat, rows, cols));
    }

    // ------------------------------------------------------------------ CSV

    private static List<String> header(int number, String line) {
        List<String> cols = new ArrayList<>();
        for (String c : line.split(",", -1)) {
            String name = c.strip();
            if (!CSV_COLUMNS.contains(name)) {
                throw new BadHeaderException(number, "the first line is neither a JSON object nor a CSV header: column '"
                        + name + "' is not one of " + sorted(CSV_COLUMNS));
            }
            if (cols.contains(name)) {
                throw new BadHeaderException(number, "the CSV header names column '" + name + "' twice");
            }
            cols.add(name);
        }
        if (!cols.contains("target") || !cols.contains("current")) {
            throw new BadHeaderException(number, "the CSV header needs the columns target and current, got " + line);
        }
        return cols;
    }

    private ExternalInput csv(int number, String line) {
        String[] cells = line.split(",", -1);
        if (cells.length != columns.size()) {
            throw new Problem(cells.length + " values for " + columns.size() + " columns (" + String.join(",", columns)
                    + "); values cannot contain commas");
        }
        Map<String, String> v = new LinkedHashMap<>();
        for (int i = 0; i < cells.length; i++) {
            String cell = cells[i].strip();
            if (!cell.isEmpty()) {
                v.put(columns.get(i), cell);
            }
        }
        ExternalInput.Builder b = ExternalInput.newBuilder().setNetworkId(networkId).setKind(InputKind.CURRENT);
        b.setInputId(inputId(v.get("input_id"), number));
        b.setTick(tick(v.containsKey("tick") ? parseLong(v.get("tick"), "tick") : null,
                v.containsKey("at_ms") ? parseDouble(v.get("at_ms"), "at_ms") : null));
        b.setDurationTicks(duration(v.containsKey("duration_ticks") ? parseLong(v.get("duration_ticks"), "duration_ticks")
                : null, v.containsKey("duration_ms") ? parseDouble(v.get("duration_ms"), "duration_ms") : null));
        String target = v.get("target");
        if (target == null) {
            throw new Problem("target is empty");
        }
        b.setTarget(csvTarget(target));
        String current = v.get("current");
        if (current == null) {
            throw new Problem("current is empty");
        }
        b.setCurrent(parseDouble(current, "current"));
        return b.build();
    }

    /** {@code NAME} (a population), {@code area:NAME}, or {@code neurons:ID ID ...}. */
    private static Target csvTarget(String t) {
        Target.Builder b = Target.newBuilder();
        if (t.startsWith("area:")) {
            String area = t.substring("area:".length()).strip();
            if (area.isEmpty()) {
                throw new Problem("target 'area:' names no area");
            }
            return b.setArea(area).build();
        }
        if (t.startsWith("neurons:")) {
            List<Integer> ids = new ArrayList<>();
            for (String s : t.substring("neurons:".length()).strip().split("\\s+")) {
                long id = s.isEmpty() ? -1 : parseLong(s, "target neuron id");
                if (id < 0 || id > Integer.MAX_VALUE) {
                    throw new Problem("target '" + t + "': neuron ids are whole numbers >= 0, separated by spaces");
                }
                ids.add((int) id);
            }
            return b.setNeurons(ids).build();
        }
        if (t.contains(":")) {
            throw new Problem("target '" + t + "' is neither a population name, area:NAME nor neurons:ID ID ...");
        }
        return b.setPopulations(List.of(t)).build();
    }

    // ------------------------------------------------------------------ shared

    private String inputId(String given, int number) {
        return given != null ? given : source + ":" + number;
    }

    /** The start tick from {@code tick} or {@code at_ms}, or null (the next tick). */
    private Long tick(Long tick, Double atMs) {
        if (tick != null && atMs != null) {
            throw new Problem("give tick or at_ms, not both");
        }
        if (atMs != null) {
            if (atMs < 0) {
                throw new Problem("at_ms must be >= 0, got " + atMs);
            }
            return Math.round(atMs / dt("at_ms"));
        }
        if (tick != null && tick < 0) {
            throw new Problem("tick must be >= 0, got " + tick);
        }
        return tick;
    }

    /** The duration in ticks from {@code duration_ticks} or {@code duration_ms}; 1 if neither. */
    private int duration(Long ticks, Double ms) {
        if (ticks != null && ms != null) {
            throw new Problem("give duration_ticks or duration_ms, not both");
        }
        long d = ticks != null ? ticks : ms != null ? Math.round(ms / dt("duration_ms")) : 1;
        if (d < 1 || d > Integer.MAX_VALUE) {
            throw new Problem((ticks != null ? "duration_ticks" : "duration_ms") + " must come to at least 1 tick, got "
                    + (ticks != null ? ticks : ms + " ms = " + d + " ticks"));
        }
        return (int) d;
    }

    private double dt(String field) {
        if (dtMs == 0.0) {
            throw new Problem(field + " needs the network's dt_ms, which is not known; give tick or duration_ticks");
        }
        return dtMs;
    }

    private static String text(ObjectNode o, String field) {
        JsonNode n = o.get(field);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isTextual() || n.asText().isBlank()) {
            throw new Problem(field + " must be a non-empty string, got " + n);
        }
        return n.asText();
    }

    private static Long longOrNull(ObjectNode o, String field) {
        JsonNode n = o.get(field);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isIntegralNumber() || !n.canConvertToLong()) {
            throw new Problem(field + " must be a whole number, got " + n);
        }
        return n.asLong();
    }

    private static Double number(ObjectNode o, String field) {
        return finite(o, field, false);
    }

    /** A finite number field; null if absent and not required. */
    private static Double finite(ObjectNode o, String field, boolean required) {
        JsonNode n = o.get(field);
        if (n == null || n.isNull()) {
            if (required) {
                throw new Problem(field + " is missing");
            }
            return null;
        }
        if (!n.isNumber() || !Double.isFinite(n.asDouble())) {
            throw new Problem(field + " must be a finite number, got " + n);
        }
        return n.asDouble();
    }

    private static int nonNegativeInt(JsonNode n, String what) {
        if (n == null || !n.isIntegralNumber() || !n.canConvertToInt() || n.asInt() < 0) {
            throw new Problem(what + " must be a whole number >= 0, got " + n);
        }
        return n.asInt();
    }

    private static long parseLong(String s, String what) {
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw new Problem(what + " must be a whole number, got '" + s + "'");
        }
    }

    private static double parseDouble(String s, String what) {
        try {
            double d = Double.parseDouble(s);
            if (Double.isFinite(d)) {
                return d;
            }
        } catch (NumberFormatException e) {
            // said below
        }
        throw new Problem(what + " must be a finite number, got '" + s + "'");
    }

    private static String sorted(Set<String> names) {
        return String.join(", ", new java.util.TreeSet<>(names));
    }
}
