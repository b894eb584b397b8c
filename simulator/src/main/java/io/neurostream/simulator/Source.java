package io.neurostream.simulator;

/** Where a consumed record came from: topic, partition and offset (offset -1 when not from Kafka). */
public record Source(String topic, int partition, long offset) {
    /** A source for records fed by hand (tests, the test driver). */
    public static Source of(String topic, long offset) {
        return new Source(topic, 0, offset);
    }
}
