package io.neurostream.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import io.neurostream.schemas.SchemaVersions.Version;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;
import org.apache.avro.specific.SpecificRecordBase;
import org.junit.jupiter.api.Test;

/**
 * Records written by every released version, kept as bytes in test resources
 * ({@code golden/<Record>-v<n>.bin}, each an encoding of {@link Samples#full}), still decode.
 *
 * <p>After releasing a new version, write its golden files once with
 * {@code mvn -B -q install -pl schemas -Dtest=GoldenRecordsTest -Dgolden.write=true} and commit them;
 * existing files are never rewritten.
 */
class GoldenRecordsTest {

    @Test
    void shouldDecodeTheGoldenRecordOfEveryReleasedVersion() throws IOException {
        List<String> missing = new ArrayList<>();
        for (Class<? extends SpecificRecordBase> type : SchemaVersions.RECORDS) {
            List<Version> versions = SchemaVersions.released(type);
            for (Version v : versions) {
                String file = "golden/" + type.getSimpleName() + "-v" + v.version() + ".bin";
                byte[] bytes;
                try (InputStream in = getClass().getResourceAsStream(file)) {
                    if (in == null) {
                        if (v == versions.get(versions.size() - 1) && Boolean.getBoolean("golden.write")) {
                            write(file, encode(type, Samples.full(type)));
                        } else {
                            missing.add(file);
                        }
                        continue;
                    }
                    bytes = in.readAllBytes();
                }
                assertThat(readFingerprint(bytes)).as(file).isEqualTo(v.fingerprint());
                SpecificRecordBase decoded = (SpecificRecordBase) AvroSerde.of(type).decode(bytes);
                SpecificRecordBase sample = Samples.full(type);
                for (Schema.Field f : v.schema().getFields()) {
                    if (sample.getSchema().getField(f.name()) != null) {
                        assertThat(decoded.get(f.name())).as("%s field %s", file, f.name()).isEqualTo(sample.get(f.name()));
                    }
                }
            }
        }
        assertThat(missing).as("golden files to write with -Dgolden.write=true (see this class)").isEmpty();
    }

    private static long readFingerprint(byte[] bytes) {
        long fp = 0;
        for (int i = 9; i >= 2; i--) {
            fp = (fp << 8) | (bytes[i] & 0xFF);
        }
        return fp;
    }

    @SuppressWarnings("unchecked")
    private static <T extends SpecificRecord> byte[] encode(Class<T> type, Object record) {
        return AvroSerde.of(type).encode((T) record);
    }

    private static void write(String file, byte[] bytes) throws IOException {
        Path dir = Path.of(System.getProperty("basedir", "."), "src/test/resources/io/neurostream/schemas");
        Path target = dir.resolve(file);
        Files.createDirectories(target.getParent());
        Files.write(target, bytes);
    }
}
