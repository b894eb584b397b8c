package io.neurostream.schemas;

import io.neurostream.schemas.BadRecordException.Reason;
import io.neurostream.schemas.avro.ExternalInput;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Packs and unpacks the matrix of a MATRIX {@link ExternalInput}: {@code rows x cols} float32,
 * little-endian, row-major, first axis x (value {@code [i][j]} at {@code 4 * (i * cols + j)}).
 */
public final class Matrices {

    private Matrices() {
    }

    /** Packs a row-major {@code rows x cols} matrix held in a flat array. */
    public static ByteBuffer pack(float[] rowMajor, int rows, int cols) {
        if (rows < 1 || cols < 1 || (long) rows * cols != rowMajor.length) {
            throw new IllegalArgumentException("a " + rows + " x " + cols + " matrix needs " + (long) rows * cols
                    + " values, got " + rowMajor.length);
        }
        ByteBuffer b = ByteBuffer.allocate(4 * rowMajor.length).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(rowMajor);
        return b;
    }

    /** Packs {@code m[x][y]}; every row must have the same length. Values are rounded to float32. */
    public static ByteBuffer pack(double[][] m) {
        int rows = m.length;
        int cols = rows == 0 ? 0 : m[0].length;
        float[] flat = new float[rows * cols];
        for (int i = 0; i < rows; i++) {
            if (m[i].length != cols) {
                throw new IllegalArgumentException("row " + i + " has " + m[i].length + " values, row 0 has " + cols);
            }
            for (int j = 0; j < cols; j++) {
                flat[i * cols + j] = (float) m[i][j];
            }
        }
        return pack(flat, rows, cols);
    }

    /**
     * The matrix of a MATRIX input, row-major ({@code [i * cols + j]}), before {@code scale}.
     *
     * @throws BadRecordException ({@link Reason#INVALID}) if the input has no matrix or its size does not
     *                            match {@code matrix_rows x matrix_cols}
     */
    public static float[] unpack(ExternalInput input) {
        Integer rows = input.getMatrixRows();
        Integer cols = input.getMatrixCols();
        ByteBuffer values = input.getMatrixValues();
        if (rows == null || cols == null || values == null || rows < 1 || cols < 1
                || values.remaining() != 4L * rows * cols) {
            throw new BadRecordException(Reason.INVALID, "ExternalInput " + input.getInputId() + " for network "
                    + input.getNetworkId() + ": a matrix needs matrix_rows >= 1, matrix_cols >= 1 and 4 x rows x cols"
                    + " bytes of matrix_values; got rows " + rows + ", cols " + cols + ", "
                    + (values == null ? "no values" : values.remaining() + " bytes"));
        }
        float[] out = new float[rows * cols];
        values.duplicate().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
        return out;
    }
}
