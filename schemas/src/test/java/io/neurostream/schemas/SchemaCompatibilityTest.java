package io.neurostream.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import io.neurostream.schemas.SchemaVersions.Version;
import io.neurostream.schemas.avro.ExternalInput;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecordBase;
import org.junit.jupiter.api.Test;

/**
 * The build's compatibility check: every current schema reads, and is read by, every released version
 * of its record; every current schema is released; and the check does catch incompatible changes.
 */
class SchemaCompatibilityTest {

    private static final String RELEASE_HOWTO = "release it: see io.neurostream.schemas.internal.ReleaseSchemas"
            + " (or, if the current version never shipped anywhere, delete its file and release again)";

    @Test
    void shouldKeepEveryCurrentSchemaCompatibleBothWaysWithEveryReleasedVersion() {
        List<String> problems = new ArrayList<>();
        for (Class<? extends SpecificRecordBase> type : SchemaVersions.RECORDS) {
            Schema current = SchemaVersions.current(type);
            for (Version v : SchemaVersions.released(type)) {
                for (String p : SchemaVersions.incompatibilities(current, v.schema())) {
                    problems.add(type.getSimpleName() + " (src/main/avro) against " + v + ": " + p);
                }
            }
        }
        assertThat(problems).as("incompatible schema changes").isEmpty();
    }

    @Test
    void shouldHaveReleasedEveryCurrentSchema() {
        for (Class<? extends SpecificRecordBase> type : SchemaVersions.RECORDS) {
            List<Version> released = SchemaVersions.released(type);
            assertThat(released).as("released versions of %s; %s", type.getSimpleName(), RELEASE_HOWTO).isNotEmpty();
            Version latest = released.get(released.size() - 1);
            assertThat(SchemaVersions.hex(latest.fingerprint()))
                    .as("%s in src/main/avro differs from its latest release %s; %s", type.getSimpleName(), latest,
                            RELEASE_HOWTO)
                    .isEqualTo(SchemaVersions.hex(SchemaVersions.fingerprint(SchemaVersions.current(type))));
            for (int i = 0; i < released.size(); i++) {
                assertThat(released.get(i).version()).isEqualTo(i + 1);
            }
        }
    }

    @Test
    void shouldDetectARequiredFieldAddedWithoutADefault() {
        Schema changed = withField(released(), "{\"name\":\"priority\",\"type\":\"int\",\"doc\":\"d\"}");
        assertThat(SchemaVersions.incompatibilities(changed, released()))
                .anyMatch(p -> p.startsWith("the current schema cannot read") && p.contains("priority"));
    }

    @Test
    void shouldDetectAFieldRemovedThatOldReadersNeed() {
        String json = released().toString().replace("{\"name\":\"network_id\",", "{\"name\":\"network_key\",");
        Schema renamed = new Schema.Parser().parse(json);
        assertThat(SchemaVersions.incompatibilities(renamed, released()))
                .anyMatch(p -> p.startsWith("readers of the released schema cannot read") && p.contains("network_id"));
    }

    @Test
    void shouldDetectAChangedFieldType() {
        String json = released().toString().replace("\"name\":\"tick\",\"type\":[\"null\",\"long\"]",
                "\"name\":\"tick\",\"type\":[\"null\",\"string\"]");
        assertThat(json).contains("\"tick\",\"type\":[\"null\",\"string\"]");
        Schema changed = new Schema.Parser().parse(json);
        List<String> problems = SchemaVersions.incompatibilities(changed, released());
        assertThat(problems).anyMatch(p -> p.startsWith("the current schema cannot read"));
        assertThat(problems).anyMatch(p -> p.startsWith("readers of the released schema cannot read"));
    }

    @Test
    void shouldDetectAnEnumSymbolRemovedFromAnEnumWithoutDefault() {
        Schema v0 = parse(AvroSerdeTest.class, "older/ExternalInput-v0.avsc");
        // v0's InputKind has no UNKNOWN default: it cannot read a kind it does not know
        String json = released().toString().replace("\"symbols\":[\"CURRENT\",\"POISSON\",\"MATRIX\",\"UNKNOWN\"]",
                "\"symbols\":[\"CURRENT\",\"POISSON\",\"MATRIX\",\"SPIKES\",\"UNKNOWN\"]");
        Schema newer = new Schema.Parser().parse(json);
        assertThat(SchemaVersions.readProblems(v0, newer)).anyMatch(p -> p.contains("SPIKES"));
        // while the released version, with its UNKNOWN default, reads it
        assertThat(SchemaVersions.incompatibilities(newer, released())).isEmpty();
    }

    @Test
    void shouldAcceptAnOptionalFieldAddedWithADefault() {
        Schema changed = withField(released(),
                "{\"name\":\"priority\",\"type\":[\"null\",\"int\"],\"default\":null,\"doc\":\"d\"}");
        assertThat(SchemaVersions.incompatibilities(changed, released())).isEmpty();
    }

    @Test
    void shouldDocumentEveryFieldOfEverySchema() {
        List<String> undocumented = new ArrayList<>();
        Map<Schema, Boolean> seen = new IdentityHashMap<>();
        for (Class<? extends SpecificRecordBase> type : SchemaVersions.RECORDS) {
            collectUndocumented(SchemaVersions.current(type), seen, undocumented);
        }
        assertThat(undocumented).as("fields and types without a doc string").isEmpty();
    }

    private static void collectUndocumented(Schema s, Map<Schema, Boolean> seen, List<String> out) {
        if (seen.put(s, Boolean.TRUE) != null) {
            return;
        }
        switch (s.getType()) {
            case RECORD -> {
                if (isBlank(s.getDoc())) {
                    out.add(s.getFullName());
                }
                for (Schema.Field f : s.getFields()) {
                    if (isBlank(f.doc())) {
                        out.add(s.getName() + "." + f.name());
                    }
                    collectUndocumented(f.schema(), seen, out);
                }
            }
            case ENUM -> {
                if (isBlank(s.getDoc())) {
                    out.add(s.getFullName());
                }
            }
            case UNION -> s.getTypes().forEach(t -> collectUndocumented(t, seen, out));
            case ARRAY -> collectUndocumented(s.getElementType(), seen, out);
            case MAP -> collectUndocumented(s.getValueType(), seen, out);
            default -> {
            }
        }
    }

    private static boolean isBlank(String doc) {
        return doc == null || doc.isBlank();
    }

    private static Schema released() {
        return SchemaVersions.released(ExternalInput.class).get(0).schema();
    }

    private static Schema withField(Schema s, String fieldJson) {
        String json = s.toString();
        int end = json.lastIndexOf("]");
        return new Schema.Parser().parse(json.substring(0, end) + "," + fieldJson + json.substring(end));
    }

    static Schema parse(Class<?> base, String resource) {
        try (var in = base.getResourceAsStream(resource)) {
            return new Schema.Parser().parse(in);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
