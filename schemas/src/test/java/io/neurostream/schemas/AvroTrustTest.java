package io.neurostream.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import io.neurostream.schemas.avro.ExternalInput;
import io.neurostream.schemas.avro.InputKind;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.junit.jupiter.api.Test;

/**
 * The generated classes work in a fresh JVM that never touched AvroSerde and has no
 * {@code org.apache.avro.SERIALIZABLE_PACKAGES}: copying a record with an enum field and resolving an
 * older writer schema are exactly what Avro 1.12's class check forbids for untrusted packages.
 */
class AvroTrustTest {

    @Test
    void shouldUseGeneratedClassesInAFreshJvmWithoutAnySerdeOrSystemProperty() throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(java.toString(), "-XX:TieredStopAtLevel=1", "-Xshare:auto",
                "-cp", System.getProperty("java.class.path"), Probe.class.getName())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(out).as("output of the probe JVM").contains("probe ok").doesNotContain("Forbidden");
        assertThat(p.exitValue()).isZero();
    }

    /** Run in its own JVM by the test above. */
    public static final class Probe {
        public static void main(String[] args) throws IOException {
            if (System.getProperty("org.apache.avro.SERIALIZABLE_PACKAGES") != null) {
                throw new IllegalStateException("the probe must run without the trust property");
            }
            ExternalInput copy = ExternalInput.newBuilder(Samples.matrixInput()).build();
            if (copy.getKind() != InputKind.MATRIX) {
                throw new IllegalStateException("copy lost its kind");
            }

            Schema v0 = SchemaCompatibilityTest.parse(AvroSerdeTest.class, "older/ExternalInput-v0.avsc");
            GenericRecord old = new GenericData.Record(v0);
            old.put("network_id", "n");
            old.put("kind", new GenericData.EnumSymbol(v0.getField("kind").schema(), "POISSON"));
            old.put("target", new GenericData.Record(v0.getField("target").schema()));
            java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
            BinaryEncoder enc = EncoderFactory.get().binaryEncoder(bytes, null);
            new GenericDatumWriter<GenericRecord>(v0).write(old, enc);
            enc.flush();
            ExternalInput decoded = new SpecificDatumReader<ExternalInput>(v0, ExternalInput.getClassSchema())
                    .read(null, DecoderFactory.get().binaryDecoder(bytes.toByteArray(), null));
            if (decoded.getKind() != InputKind.POISSON || decoded.getDurationTicks() != 1) {
                throw new IllegalStateException("decoded " + decoded);
            }
            System.out.println("probe ok " + List.of(copy.getNetworkId(), decoded.getNetworkId()));
        }
    }
}
