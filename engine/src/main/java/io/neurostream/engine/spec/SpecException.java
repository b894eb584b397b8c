package io.neurostream.engine.spec;

/**
 * A network spec is wrong: unknown key, unknown area, population or model, a value out of range,
 * or a malformed file. The message names the file and the key path (for example
 * {@code cuba.json: populations[1].params.tau_membrane: must be > 0, got -20.0}) and is meant to be
 * shown to a person as it is, without a stack trace.
 */
public final class SpecException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String source;
    private final String path;

    public SpecException(String source, String path, String problem) {
        super(format(source, path, problem));
        this.source = source;
        this.path = path;
    }

    private static String format(String source, String path, String problem) {
        StringBuilder sb = new StringBuilder();
        if (source != null && !source.isEmpty()) {
            sb.append(source).append(": ");
        }
        if (path != null && !path.isEmpty()) {
            sb.append(path).append(": ");
        }
        return sb.append(problem).toString();
    }

    /** The file (or other source name) the spec came from. */
    public String source() {
        return source;
    }

    /** The key path of the offending value, e.g. {@code populations[0].count}. */
    public String path() {
        return path;
    }
}
