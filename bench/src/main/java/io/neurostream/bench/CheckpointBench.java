package io.neurostream.bench;

import io.neurostream.schemas.Topics;
import io.neurostream.schemas.avro.Checkpoint;
import io.neurostream.schemas.avro.Rejected;
import io.neurostream.simulator.Commands;
import io.neurostream.simulator.SimulatorConfig;
import io.neurostream.simulator.SimulatorCore;
import io.neurostream.simulator.SimulatorOutput;
import io.neurostream.simulator.Source;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * What a checkpoint of a big network costs the simulator: the network is created and stepped in a
 * simulator core (no Kafka: its records are dropped as they come), then checkpointed the way the service
 * does it, in chunks of the largest size the default record limit allows. Prints the checkpoint's size and
 * chunks, the time it took, the bytes the checkpointing thread allocated while it ran, and the heap in use
 * before and after, as one {@code RESULT {json}} line.
 *
 * <pre>
 * mvn -B -q -pl bench -am package -DskipTests
 * java -Xmx2g -cp "bench/target/classes:$(cat bench/target/classpath.txt)" io.neurostream.bench.CheckpointBench million.json
 * </pre>
 */
@Command(name = "checkpoint-bench", mixinStandardHelpOptions = true,
        description = "Times a checkpoint of a network through the simulator core and reports the memory it takes.",
        footer = {"", "Examples:", "  java -Xmx2g -cp ... io.neurostream.bench.CheckpointBench million.json --ticks 10"})
public final class CheckpointBench implements Callable<Integer> {
    private static final String NETWORK = "big";

    @Parameters(index = "0", paramLabel = "SPEC", description = "The network spec (JSON) to checkpoint.")
    Path spec;

    @Option(names = "--ticks", description = "Ticks to compute before the checkpoint (default: ${DEFAULT-VALUE}).",
            defaultValue = "10")
    long ticks;

    @Option(names = "--repeat", description = "Checkpoints to take, one after the other (default: ${DEFAULT-VALUE}).",
            defaultValue = "3")
    int repeat;

    public static void main(String[] args) {
        System.exit(new CommandLine(new CheckpointBench()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        if (!Files.isReadable(spec)) {
            System.err.println("checkpoint-bench: cannot read the spec " + spec + " (no such file, or not readable)");
            return 2;
        }
        SimulatorConfig config = new SimulatorConfig(Map.of());
        Chunks chunks = new Chunks();
        SimulatorCore core = new SimulatorCore(config, chunks);
        long t0 = System.nanoTime();
        core.onRecord(new Source(Topics.CONTROL.name(config.topicPrefix()), 0, 0), NETWORK,
                Topics.CONTROL.valueSerde().encode(Commands.create(NETWORK, Files.readString(spec))), 0L, 0L);
        core.onRecord(new Source(Topics.CONTROL.name(config.topicPrefix()), 0, 1), NETWORK,
                Topics.CONTROL.valueSerde().encode(Commands.step(NETWORK, ticks)), 0L, 0L);
        while (core.doWork(0L, 0L) > 0) {
            // builds, then computes the ticks frame by frame
        }
        if (core.network(NETWORK) == null || core.network(NETWORK).tick() != ticks) {
            System.err.println("the network was not built and stepped: " + (core.network(NETWORK) == null
                    ? "not hosted (" + chunks.rejected + ")" : core.network(NETWORK).state() + " " + core.network(NETWORK).message()));
            return 1;
        }
        double buildAndStepS = (System.nanoTime() - t0) / 1e9;
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        StringBuilder runs = new StringBuilder();
        for (int r = 0; r < repeat; r++) {
            System.gc();
            long heapBefore = usedHeap();
            chunks.reset();
            long allocated = threads.getCurrentThreadAllocatedBytes();
            long start = System.nanoTime();
            if (!core.checkpointNow(NETWORK, 0L, 0L)) {
                System.err.println("the checkpoint was not written (see the log)");
                return 1;
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            allocated = threads.getCurrentThreadAllocatedBytes() - allocated;
            long heapAfter = usedHeap();
            System.out.printf("checkpoint %d: %,d bytes in %d chunks, %.3f s, %,d bytes allocated, heap in use %,d -> %,d bytes%n",
                    r, chunks.bytes, chunks.count, seconds, allocated, heapBefore, heapAfter);
            runs.append(r == 0 ? "" : ",").append(String.format(java.util.Locale.ROOT,
                    "{\"bytes\":%d,\"chunks\":%d,\"seconds\":%.4f,\"allocated\":%d,\"heap_before\":%d,\"heap_after\":%d}",
                    chunks.bytes, chunks.count, seconds, allocated, heapBefore, heapAfter));
        }
        System.out.printf(java.util.Locale.ROOT, "RESULT {\"neurons\":%d,\"synapses\":%d,\"build_and_step_s\":%.2f,\"runs\":[%s]}%n",
                core.network(NETWORK).network().size(), core.network(NETWORK).network().synapseCount(), buildAndStepS, runs);
        core.network(NETWORK).network().close();
        return 0;
    }

    private static long usedHeap() {
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    /** Counts checkpoint chunks and their bytes, notes rejections; drops everything else. */
    private static final class Chunks extends SimulatorOutput.Discarding {
        long count;
        long bytes;
        String rejected = "nothing rejected";

        void reset() {
            count = 0;
            bytes = 0;
        }

        @Override
        public void checkpoint(String networkId, Checkpoint chunk, long timestampMs) {
            count++;
            bytes += chunk.getData().remaining();
        }

        @Override
        public void rejected(String key, Rejected r, long timestampMs) {
            rejected = (rejected.startsWith("nothing") ? "rejected: " : rejected + "; ") + r.getReason();
        }
    }
}
