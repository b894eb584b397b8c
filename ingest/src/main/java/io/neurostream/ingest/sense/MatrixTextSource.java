package io.neurostream.ingest.sense;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;

/**
 * Generic matrices for any sense (somatosensory, taste, smell, vestibular, or any other), as text, read
 * as they come (so it serves a file or a pipe). Values are taken as they are (no normalisation): the
 * encoder's gain scales them.
 *
 * <ul>
 *   <li>{@link Format#JSON_LINES}: one sample per non-blank line, a matrix {@code [[v, ...], [v, ...]]}
 *       (outer index x), an object {@code {"values": [[...]]}}, or a flat vector {@code [v, v, ...]}
 *       taken as a column ({@code n x 1}: entry i on x = i).</li>
 *   <li>{@link Format#CSV}: a matrix per block of lines, blocks separated by one or more blank lines;
 *       line i of a block is row i (x = i), its comma-separated numbers the columns (y).</li>
 *   <li>{@link Format#CSV_LINES}: a vector per line, taken as a column ({@code n x 1}).</li>
 * </ul>
 * Every value must be a finite number and every row of a matrix as long as the first; otherwise the
 * source fails with the file, the line and what is wrong.
 */
public final class MatrixTextSource implements Source {
    /** How the text holds samples. */
    public enum Format { JSON_LINES, CSV, CSV_LINES }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final BufferedReader in;
    private final Format format;
    private final double rateHz;
    private final String name;
    private long line;
    private long index;

    public MatrixTextSource(BufferedReader in, Format format, double rateHz, String name) {
        this.in = in;
        this.format = format;
        this.rateHz = rateHz;
        this.name = name;
    }

    @Override
    public double rateHz() {
        return rateHz;
    }

    @Override
    public Sample next() throws IOException {
        float[][] m = switch (format) {
            case JSON_LINES -> nextJson();
            case CSV -> nextCsvBlock();
            case CSV_LINES -> nextCsvLine();
        };
        if (m == null) {
            return null;
        }
        long k = index++;
        return new Sample(k, k / rateHz, m);
    }

    private float[][] nextJson() throws IOException {
        String s = nextNonBlankLine();
        if (s == null) {
            return null;
        }
        JsonNode n;
        try {
            n = JSON.readTree(s);
        } catch (JsonProcessingException e) {
            throw bad("not JSON: " + e.getOriginalMessage());
        }
        String where = name + ":" + line;
        return fromJson(n, where);
    }

    /**
     * A matrix from JSON: {@code [[...], ...]}, a flat vector {@code [...]} (a column), or
     * {@code {"values": ...}} holding either.
     *
     * @param where names the record in a message (file:line, topic-partition@offset)
     */
    public static float[][] fromJson(JsonNode n, String where) {
        if (n != null && n.isObject() && n.has("values")) {
            n = n.get("values");
        }
        if (n == null || !n.isArray() || n.isEmpty()) {
            throw new BadSampleException(where + ": expected a non-empty array of numbers or of rows, or {\"values\": ...}");
        }
        if (!n.get(0).isArray()) {
            float[][] m = new float[n.size()][1];
            for (int i = 0; i < n.size(); i++) {
                m[i][0] = number(n.get(i), where, "[" + i + "]");
            }
            return m;
        }
        int cols = n.get(0).size();
        float[][] m = new float[n.size()][];
        for (int i = 0; i < n.size(); i++) {
            JsonNode row = n.get(i);
            if (!row.isArray() || row.size() != cols || cols == 0) {
                throw new BadSampleException(where + ": row " + i + " has " + (row.isArray() ? row.size() + " values" : "no array")
                        + ", row 0 has " + cols);
            }
            m[i] = new float[cols];
            for (int j = 0; j < cols; j++) {
                m[i][j] = number(row.get(j), where, "[" + i + "][" + j + "]");
            }
        }
        return m;
    }

    private static float number(JsonNode v, String where, String at) {
        if (!v.isNumber() || !Double.isFinite(v.asDouble()) || !Float.isFinite((float) v.asDouble())) {
            throw new BadSampleException(where + ": value " + at + " is " + v + ", not a finite number");
        }
        return (float) v.asDouble();
    }

    private float[][] nextCsvBlock() throws IOException {
        String s = nextNonBlankLine();
        if (s == null) {
            return null;
        }
        java.util.List<float[]> rows = new java.util.ArrayList<>();
        while (s != null && !s.isBlank()) {
            float[] row = csv(s);
            if (!rows.isEmpty() && row.length != rows.get(0).length) {
                throw bad("this row has " + row.length + " values, the block's first row has " + rows.get(0).length);
            }
            rows.add(row);
            s = in.readLine();
            line++;
        }
        return rows.toArray(new float[0][]);
    }

    private float[][] nextCsvLine() throws IOException {
        String s = nextNonBlankLine();
        if (s == null) {
            return null;
        }
        float[] v = csv(s);
        float[][] m = new float[v.length][1];
        for (int i = 0; i < v.length; i++) {
            m[i][0] = v[i];
        }
        return m;
    }

    /** The next line that is not blank (counting every line read), or null at the end of the text. */
    private String nextNonBlankLine() throws IOException {
        String s;
        do {
            s = in.readLine();
            line++;
            if (s == null) {
                return null;
            }
        } while (s.isBlank());
        return s;
    }

    private float[] csv(String s) {
        String[] parts = s.split(",", -1);
        float[] out = new float[parts.length];
        for (int i = 0; i < parts.length; i++) {
            String p = parts[i].strip();
            try {
                out[i] = Float.parseFloat(p);
            } catch (NumberFormatException e) {
                throw bad("value " + (i + 1) + " is '" + p + "', not a number");
            }
            if (!Float.isFinite(out[i])) {
                throw bad("value " + (i + 1) + " is '" + p + "', not a finite number");
            }
        }
        return out;
    }

    private BadSampleException bad(String what) {
        return new BadSampleException(name + ":" + line + ": " + what);
    }

    @Override
    public String describe() {
        return name + " (" + format.name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ') + ")";
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
