package io.neurostream.ingest.example;

import io.neurostream.ingest.Answer;
import io.neurostream.ingest.NeuroStreamClient;
import io.neurostream.ingest.OutputReader;
import io.neurostream.schemas.Topics;
import io.neurostream.schemas.avro.ExternalInput;
import io.neurostream.schemas.avro.InputKind;
import io.neurostream.schemas.avro.SpikeBatch;
import io.neurostream.schemas.avro.Status;
import io.neurostream.schemas.avro.Target;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/** Creates a network, drives it with an input and 1000 steps, and prints what the simulator answered and computed. */
public final class IngestExample {

    /** Arguments: the Kafka bootstrap servers, a spec file with a population named E, a network id. */
    public static void main(String[] args) throws Exception {
        String bootstrap = args.length > 0 ? args[0] : "localhost:9092";
        String spec = Files.readString(Path.of(args.length > 1 ? args[1] : "spec.json"));
        String networkId = args.length > 2 ? args[2] : "example";
        run(Map.of("bootstrap.servers", bootstrap), networkId, spec, System.out);
    }

    /** Runs the example; returns the network's status once its 1000 steps are computed. */
    public static Status run(Map<String, Object> settings, String networkId, String spec, PrintStream out)
            throws InterruptedException {
        try (NeuroStreamClient client = new NeuroStreamClient(settings)) {
            Answer created = client.create(networkId, spec, Duration.ofSeconds(30));
            out.println(created);
            if (!created.isApplied()) {
                throw new IllegalStateException("the network was not created: " + created);
            }

            // 20 (model input unit) into every neuron of population E for 50 ticks, from the next tick
            client.sendAndFlush(ExternalInput.newBuilder().setNetworkId(networkId).setKind(InputKind.CURRENT)
                    .setCurrent(20.0).setDurationTicks(50)
                    .setTarget(Target.newBuilder().setPopulations(List.of("E")).build()).build());

            // STEP is answered when the simulator accepts it; the status shows the ticks being computed
            Answer stepped = client.step(networkId, 1000);
            out.println(stepped);
            long until = stepped.tick().orElseThrow() + 1000;
            long deadline = System.currentTimeMillis() + 60_000;
            Status status = client.status(networkId).orElseThrow();
            while (status.getTick() < until && System.currentTimeMillis() < deadline) {
                Thread.sleep(100);
                status = client.status(networkId).orElseThrow();
            }
            out.println(networkId + " is " + status.getState() + " at tick " + status.getTick());

            // what it computed: its spike batches (committed ones, from the beginning) up to now
            AtomicLong spikes = new AtomicLong();
            try (OutputReader<SpikeBatch> batches = OutputReader.open(settings, Topics.SPIKES,
                    OutputReader.Options.fromBeginning().network(networkId))) {
                batches.readToEnd(b -> spikes.addAndGet(b.value().getCount()), Duration.ofSeconds(30));
            }
            out.println(networkId + " spiked " + spikes.get() + " times in " + status.getTick() + " ticks");

            // a mistake is answered with the simulator's reason, not lost in a log
            Answer wrong = client.set(networkId, "E", "no_such_parameter", 1.0);
            out.println(wrong);

            for (Status s : client.statuses()) {
                out.println(s.getNetworkId() + ": " + s.getState() + ", tick " + s.getTick());
            }
            out.println(client.stop(networkId));
            return status;
        }
    }
}
