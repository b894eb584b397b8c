package io.neurostream.ops.internal;

import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.ConfigKey;
import org.apache.kafka.common.config.types.Password;

/** Renders a ConfigDef for {@code --help}: each key with its type, default, valid values and documentation. */
public final class ConfigHelp {
    private static final int WIDTH = 80;
    private static final String INDENT = "      ";

    private ConfigHelp() {
    }

    /** One entry per key, in the order the ConfigDef defines them. */
    public static List<String> lines(ConfigDef def) {
        List<String> out = new ArrayList<>();
        for (ConfigKey k : def.configKeys().values()) {
            StringBuilder head = new StringBuilder("  ").append(k.name).append("  (").append(k.type.toString().toLowerCase());
            if (k.hasDefault()) {
                head.append(", default ").append(defaultText(k));
            }
            String valid = k.validator == null ? "" : k.validator.toString();
            // a range is short enough for the first line; anything longer gets a line of its own
            boolean shortValid = !valid.isBlank() && valid.startsWith("[") && head.length() + valid.length() + 3 <= WIDTH;
            if (shortValid) {
                head.append(", ").append(valid);
            }
            head.append(")");
            out.add(head.toString());
            out.addAll(wrap(k.documentation == null ? "" : k.documentation, INDENT, WIDTH));
            if (!valid.isBlank() && !shortValid) {
                out.addAll(wrap("Valid: " + valid + ".", INDENT, WIDTH));
            }
            out.add(INDENT + "env " + Settings.keyToEnv(k.name));
        }
        return out;
    }

    private static String defaultText(ConfigKey k) {
        Object v = k.defaultValue;
        if (v == null) {
            return "none";
        }
        if (v instanceof Password) {
            return "[hidden]";
        }
        String s = ConfigDef.convertToString(v, k.type);
        return s.isEmpty() ? "\"\"" : s;
    }

    /** Words of {@code text} in lines of at most {@code width} characters, each starting with {@code indent}. */
    static List<String> wrap(String text, String indent, int width) {
        List<String> lines = new ArrayList<>();
        StringBuilder line = new StringBuilder(indent);
        for (String word : text.trim().split("\\s+")) {
            if (word.isEmpty()) {
                continue;
            }
            if (line.length() > indent.length() && line.length() + 1 + word.length() > width) {
                lines.add(line.toString());
                line = new StringBuilder(indent);
            }
            if (line.length() > indent.length()) {
                line.append(' ');
            }
            line.append(word);
        }
        if (line.length() > indent.length()) {
            lines.add(line.toString());
        }
        return lines;
    }
}
