package io.neurostream.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.neurostream.schemas.BadRecordException.Reason;
import io.neurostream.schemas.avro.Control;
import io.neurostream.schemas.avro.ExternalInput;
import io.neurostream.schemas.avro.InputKind;
import io.neurostream.schemas.avro.SpikeBatch;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificRecordBase;
import org.junit.jupiter.api.Test;

class AvroSerdeTest {

    @Test
    void shouldRoundTripEveryRecordThroughItsTopicSerde() {
        for (Topic<?> topic : Topics.all()) {
            for (SpecificRecordBase sample : List.of(Samples.full(topic.valueType()), Samples.minimal(topic.valueType()))) {
                assertThat(roundTrip(topic, sample)).as(topic.baseName()).isEqualTo(sample);
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static <V extends org.apache.avro.specific.SpecificRecord> Object roundTrip(Topic<V> topic, Object sample) {
        String name = topic.name();
        byte[] bytes = topic.valueSerde().serializer().serialize(name, (V) sample);
        return topic.valueSerde().deserializer().deserialize(name, bytes);
    }

    @Test
    void shouldWriteTheSingleObjectEncodingOfTheGeneratedClasses() throws IOException {
        ExternalInput in = Samples.matrixInput();
        byte[] ours = AvroSerde.of(ExternalInput.class).encode(in);

        ByteBuffer theirs = in.toByteBuffer();
        assertThat(ByteBuffer.wrap(ours)).isEqualTo(theirs);
        assertThat(ExternalInput.fromByteBuffer(ByteBuffer.wrap(ours))).isEqualTo(in);
        // Avro's own decoder, given the released versions' SchemaStore, reads them too
        assertThat(ExternalInput.createDecoder(SchemaVersions.store(ExternalInput.class)).decode(ours)).isEqualTo(in);
        assertThat(ours[0] & 0xFF).isEqualTo(0xC3);
        assertThat(ours[1]).isEqualTo((byte) 0x01);
    }

    @Test
    void shouldDecodeNullAsATombstone() {
        AvroSerde<ExternalInput> serde = AvroSerde.of(ExternalInput.class);
        assertThat(serde.encode(null)).isNull();
        assertThat(serde.deserialize("t", null)).isNull();
    }

    @Test
    void shouldShareOneSerdePerType() {
        assertThat(AvroSerde.of(SpikeBatch.class)).isSameAs(AvroSerde.of(SpikeBatch.class));
        assertThat(AvroSerde.of(SpikeBatch.class).serializer()).isSameAs(AvroSerde.of(SpikeBatch.class));
    }

    @Test
    void shouldDecodeRecordsWrittenWithAnOlderSchemaFillingDefaults() throws IOException {
        // the property Avro reads to trust packages is not set: AvroSerde must trust its classes itself
        assertThat(System.getProperty("org.apache.avro.SERIALIZABLE_PACKAGES")).isNull();
        Schema v0 = older("ExternalInput-v0.avsc");
        GenericRecord old = new GenericData.Record(v0);
        old.put("network_id", "net-old");
        old.put("tick", 7L);
        old.put("kind", new GenericData.EnumSymbol(v0.getField("kind").schema(), "CURRENT"));
        Schema target = v0.getField("target").schema();
        GenericRecord t = new GenericData.Record(target);
        t.put("area", "V1");
        old.put("target", t);
        old.put("current", 3.5);
        byte[] bytes = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), v0).encode(old).array();

        ExternalInput decoded = AvroSerde.of(ExternalInput.class, List.of(v0)).decode(bytes);

        assertThat(decoded.getNetworkId()).isEqualTo("net-old");
        assertThat(decoded.getTick()).isEqualTo(7L);
        assertThat(decoded.getKind()).isEqualTo(InputKind.CURRENT);
        assertThat(decoded.getTarget().getArea()).isEqualTo("V1");
        assertThat(decoded.getCurrent()).isEqualTo(3.5);
        // fields v0 did not have take the current schema's defaults
        assertThat(decoded.getInputId()).isNull();
        assertThat(decoded.getDurationTicks()).isEqualTo(1);
        assertThat(decoded.getWeight()).isEqualTo(1.0);
        assertThat(decoded.getScale()).isEqualTo(1.0);
    }

    @Test
    void shouldRefuseAnOlderVersionItWasNotGivenAsUnknownFingerprint() throws IOException {
        Schema v0 = older("ExternalInput-v0.avsc");
        GenericRecord old = new GenericData.Record(v0);
        old.put("network_id", "n");
        old.put("kind", new GenericData.EnumSymbol(v0.getField("kind").schema(), "CURRENT"));
        old.put("target", new GenericData.Record(v0.getField("target").schema()));
        byte[] bytes = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), v0).encode(old).array();

        assertThatThrownBy(() -> AvroSerde.of(ExternalInput.class).decode(bytes))
                .isInstanceOfSatisfying(BadRecordException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.UNKNOWN_FINGERPRINT));
    }

    @Test
    void shouldRefuseAWriterSchemaTheCurrentOneCannotRead() {
        Schema notAnInput = Control.getClassSchema();
        assertThatThrownBy(() -> AvroSerde.of(ExternalInput.class, List.of(notAnInput)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cannot decode");
    }

    @Test
    void shouldReportWhichRecordAForeignFingerprintBelongsTo() {
        byte[] control = AvroSerde.of(Control.class).encode(Samples.createCommand());
        assertThatThrownBy(() -> AvroSerde.of(ExternalInput.class).decode(control))
                .isInstanceOfSatisfying(BadRecordException.class, e -> {
                    assertThat(e.reason()).isEqualTo(Reason.UNKNOWN_FINGERPRINT);
                    assertThat(e.getMessage()).contains("Control v1").contains("not ExternalInput");
                });
    }

    @Test
    void shouldRaiseASerializationExceptionForARecordThatBreaksItsSchema() {
        ExternalInput broken = Samples.currentInput();
        broken.setNetworkId(null);
        assertThatThrownBy(() -> AvroSerde.of(ExternalInput.class).encode(broken))
                .isInstanceOf(org.apache.kafka.common.errors.SerializationException.class)
                .hasMessageContaining("ExternalInput");
    }

    @Test
    void shouldEncodeAndDecodeFromManyThreadsAtOnce() throws Exception {
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
        try {
            List<java.util.concurrent.Future<Integer>> results = new java.util.ArrayList<>();
            for (int t = 0; t < 8; t++) {
                results.add(pool.submit(() -> {
                    int n = 0;
                    for (int i = 0; i < 2_000; i++) {
                        for (Topic<?> topic : Topics.all()) {
                            Object sample = Samples.full(topic.valueType());
                            if (roundTrip(topic, sample).equals(sample)) {
                                n++;
                            }
                        }
                    }
                    return n;
                }));
            }
            for (java.util.concurrent.Future<Integer> r : results) {
                assertThat(r.get()).isEqualTo(2_000 * Topics.all().size());
            }
        } finally {
            pool.shutdownNow();
        }
    }

    static Schema older(String file) throws IOException {
        try (InputStream in = AvroSerdeTest.class.getResourceAsStream("older/" + file)) {
            return new Schema.Parser().parse(in);
        }
    }
}
