package io.neurostream.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.neurostream.schemas.BadRecordException.Reason;
import io.neurostream.schemas.avro.ExternalInput;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

class MatricesTest {

    @Test
    void shouldPackRowMajorWithTheFirstAxisX() {
        ByteBuffer b = Matrices.pack(new double[][] {{1, 2, 3}, {4, 5, 6}});
        ByteBuffer le = b.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        assertThat(le.getFloat(4 * (1 * 3 + 0))).isEqualTo(4f); // [x=1][y=0]
        assertThat(le.getFloat(4 * (0 * 3 + 2))).isEqualTo(3f); // [x=0][y=2]
    }

    @Test
    void shouldUnpackTheMatrixOfAnInputAfterTheSerde() {
        ExternalInput in = Samples.matrixInput();
        AvroSerde<ExternalInput> serde = AvroSerde.of(ExternalInput.class);
        assertThat(Matrices.unpack(serde.decode(serde.encode(in)))).containsExactly(0f, 0.5f, 1f, 1.5f, 2f, 2.5f);
    }

    @Test
    void shouldCallAMatrixOfTheWrongSizeInvalid() {
        ExternalInput in = Samples.matrixInput();
        in.setMatrixCols(4);
        assertThatThrownBy(() -> Matrices.unpack(in))
                .isInstanceOfSatisfying(BadRecordException.class, e -> assertThat(e.reason()).isEqualTo(Reason.INVALID));
        assertThatThrownBy(() -> Matrices.pack(new float[5], 2, 3)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Matrices.pack(new double[][] {{1, 2}, {3}})).isInstanceOf(IllegalArgumentException.class);
    }
}
