package io.neurostream.ingest.sense;

/**
 * One sample of a sensor: a matrix {@code values[x][y]} (every row the same length) at {@code timeS}
 * seconds since its source began. The values are intensities in [0, 1] (images, audio band energies,
 * bytes / 255, synthetic patterns) or the sensor's raw numbers (generic matrices, Kafka records); an
 * {@link Encoder} resizes them to the sense and multiplies them by its gain.
 *
 * @param index  the sample's number from the source's start, 0, 1, 2, ... (looping keeps counting)
 * @param timeS  when the sample is due, seconds since the source began ({@code index / rateHz} for paced sources)
 * @param values the matrix, first axis x
 */
public record Sample(long index, double timeS, float[][] values) {

    public Sample {
        if (values.length == 0 || values[0].length == 0) {
            throw new IllegalArgumentException("sample " + index + " is empty");
        }
        for (int i = 1; i < values.length; i++) {
            if (values[i].length != values[0].length) {
                throw new IllegalArgumentException("sample " + index + ": row " + i + " has " + values[i].length
                        + " values, row 0 has " + values[0].length);
            }
        }
    }

    /** Rows of the matrix (extent along x). */
    public int rows() {
        return values.length;
    }

    /** Columns of the matrix (extent along y). */
    public int cols() {
        return values[0].length;
    }
}
