package io.neurostream.ops.reliability;

import io.neurostream.schemas.Topics;
import java.util.ArrayList;
import java.util.List;

/** Network ids chosen by the partition Kafka's default partitioner gives them. */
final class Networks {
    private Networks() {
    }

    /** {@code perPartition} ids on each of {@code partitions} partitions ("n0", "n1", … taken in order), partition by partition. */
    static List<String> onEachPartition(int partitions, int perPartition) {
        List<String> out = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            int found = 0;
            for (int i = 0; found < perPartition; i++) {
                String id = "n" + i;
                if (Topics.partitionOf(id, partitions) == p) {
                    out.add(id);
                    found++;
                }
            }
        }
        return out;
    }
}
