package io.neurostream.schemas.internal;

import io.neurostream.schemas.SchemaVersions;
import io.neurostream.schemas.SchemaVersions.Version;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaFormatter;
import org.apache.avro.specific.SpecificRecordBase;

/**
 * Releases the current schemas: for every record whose current schema differs (by fingerprint) from its
 * latest released version, writes the next {@code released/<Record>/v<n>.avsc} into the resources
 * folder, after checking it is compatible both ways with every released version.
 *
 * <p>How to run (from the repository root, after changing a {@code .avsc}):
 * <pre>
 * mvn -B -q -pl schemas compile exec:java \
 *     -Dexec.mainClass=io.neurostream.schemas.internal.ReleaseSchemas \
 *     -Dexec.args=schemas/src/main/resources
 * </pre>
 * Expected output: one line per record, {@code unchanged Frame v1} or {@code released Frame v2 ...};
 * exit status 1, and nothing written for that record, if a change is incompatible. A version that
 * has not shipped anywhere yet may be overwritten instead: delete its file and run this again.
 */
public final class ReleaseSchemas {

    private ReleaseSchemas() {
    }

    public static void main(String[] args) throws IOException {
        Path resources = Path.of(args.length > 0 ? args[0] : "src/main/resources");
        if (!Files.isDirectory(resources)) {
            System.err.println("no such folder: " + resources.toAbsolutePath()
                    + " (give the schemas module's src/main/resources)");
            System.exit(2);
        }
        List<String> failures = release(resources, System.out::println);
        failures.forEach(System.err::println);
        if (!failures.isEmpty()) {
            System.exit(1);
        }
    }

    /** Writes the new versions; returns the incompatibilities that kept some from being written. */
    public static List<String> release(Path resources, java.util.function.Consumer<String> log) throws IOException {
        List<String> failures = new ArrayList<>();
        for (Class<? extends SpecificRecordBase> type : SchemaVersions.RECORDS) {
            Schema current = SchemaVersions.current(type);
            long fp = SchemaVersions.fingerprint(current);
            List<Version> released = SchemaVersions.released(type);
            if (!released.isEmpty() && released.get(released.size() - 1).fingerprint() == fp) {
                log.accept("unchanged " + released.get(released.size() - 1));
                continue;
            }
            List<String> problems = new ArrayList<>();
            for (Version v : released) {
                for (String p : SchemaVersions.incompatibilities(current, v.schema())) {
                    problems.add(type.getSimpleName() + " against " + v + ": " + p);
                }
            }
            if (!problems.isEmpty()) {
                failures.addAll(problems);
                continue;
            }
            int n = released.size() + 1;
            Path file = resources.resolve(SchemaVersions.RELEASED_ROOT + type.getSimpleName() + "/v" + n + ".avsc");
            Files.createDirectories(file.getParent());
            Files.writeString(file, SchemaFormatter.format("json/pretty", current) + "\n", StandardCharsets.UTF_8);
            log.accept("released " + type.getSimpleName() + " v" + n + " (fingerprint " + SchemaVersions.hex(fp)
                    + ") to " + file);
        }
        return failures;
    }
}
