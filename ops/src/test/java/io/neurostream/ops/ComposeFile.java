package io.neurostream.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.NodeList;

/**
 * The repository's docker-compose.yml read as YAML (and the root pom beside it), for the tests that check
 * the compose stack without a Docker engine. Paths are relative to the ops module, where Surefire runs.
 */
final class ComposeFile {
    /** The repository root, seen from the ops module. */
    static final Path ROOT = Path.of("..");
    static final Path COMPOSE = ROOT.resolve("docker-compose.yml");
    static final YAMLMapper YAML = new YAMLMapper();

    private final JsonNode root;

    private ComposeFile(JsonNode root) {
        this.root = root;
    }

    static ComposeFile read() {
        try {
            return new ComposeFile(YAML.readTree(COMPOSE.toFile()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    JsonNode services() {
        return root.get("services");
    }

    JsonNode service(String name) {
        return services().get(name);
    }

    /** The top-level named volumes. */
    JsonNode volumes() {
        return root.get("volumes");
    }

    /** The container path where {@code service} mounts {@code source} (a named volume or a host path). */
    Optional<String> mountTarget(String service, String source) {
        for (String v : texts(service(service).get("volumes"))) {
            String[] parts = v.split(":");
            if (parts[0].equals(source)) {
                return Optional.of(parts[1]);
            }
        }
        return Optional.empty();
    }

    /** The value after {@code option} in the service's command, if the command has it. */
    Optional<String> commandOption(String service, String option) {
        List<String> command = texts(service(service).get("command"));
        int i = command.indexOf(option);
        return i < 0 || i + 1 >= command.size() ? Optional.empty() : Optional.of(command.get(i + 1));
    }

    static List<String> texts(JsonNode array) {
        List<String> l = new ArrayList<>();
        if (array != null) {
            array.forEach(n -> l.add(n.asText()));
        }
        return l;
    }

    /** A property of the root pom.xml, e.g. {@code kafka.version}. */
    static String rootPomProperty(String name) {
        try {
            var factory = DocumentBuilderFactory.newInstance();
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            NodeList nodes = factory.newDocumentBuilder().parse(ROOT.resolve("pom.xml").toFile())
                    .getElementsByTagName(name);
            if (nodes.getLength() != 1) {
                throw new IllegalStateException("pom.xml has " + nodes.getLength() + " <" + name + "> elements");
            }
            return nodes.item(0).getTextContent().trim();
        } catch (Exception e) {
            throw new IllegalStateException("cannot read " + name + " from the root pom.xml: " + e, e);
        }
    }
}
