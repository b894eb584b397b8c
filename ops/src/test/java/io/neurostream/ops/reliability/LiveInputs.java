package io.neurostream.ops.reliability;

import io.neurostream.schemas.Topics;
import io.neurostream.schemas.avro.ExternalInput;
import io.neurostream.simulator.Commands;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.LongSupplier;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * A live sensor feed: a thread that sends {@code ExternalInput}s with explicit ticks, each once the
 * network's committed tick has come within {@code leadTicks} of it, so inputs keep flowing while the
 * network runs (and wait while it is down), always ahead of it.
 *
 * <p>Explicit ticks are what makes a live run comparable bit for bit with a reference: an input without a
 * tick acts at the first tick not yet computed when it arrives, which depends on timing (and a restarted
 * simulator re-consumes uncommitted inputs later than the first consumption). The journal records either
 * way, so replay is exact; but a second, independent run cannot be.
 */
final class LiveInputs implements AutoCloseable {
    /**
     * How far ahead of the network's committed tick the fault tests send inputs: 3 s of simulated time
     * at 0.1 ms ticks. A real-time network that was held up for less than {@code simulator.max.lag.ms}
     * (1 s) catches up in a burst, so a feed must lead by more than that plus its own latency (reading
     * the committed tick, a round trip to send, the simulator's next poll) on a loaded machine; with a
     * lead of exactly 1 s, CI once saw an input applied 990 ms late.
     */
    static final long LEAD_TICKS = 30_000;

    private final KafkaProducer<String, byte[]> producer;
    private final String topic;
    private final List<ExternalInput> schedule;
    private final LongSupplier networkTick;
    private final long leadTicks;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile int sent;
    private volatile Throwable failure;

    LiveInputs(Map<String, Object> clientConfig, String prefix, List<ExternalInput> schedule, LongSupplier networkTick,
            long leadTicks) {
        Map<String, Object> p = new HashMap<>(clientConfig);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "live-inputs-" + prefix + schedule.get(0).getNetworkId());
        this.producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
        this.topic = Topics.EXTERNAL_INPUT.name(prefix);
        this.schedule = List.copyOf(schedule);
        this.networkTick = networkTick;
        this.leadTicks = leadTicks;
        this.thread = new Thread(this::run, "live-inputs-" + schedule.get(0).getNetworkId());
        this.thread.setDaemon(true);
        this.thread.start();
    }

    /**
     * Random step currents into E, I or both, one every {@code everyTicks} from {@code firstTick} up to
     * {@code untilTick} (exclusive), each lasting 2 to 40 ms, between -3 and +4 (mV of drive, R = 1).
     */
    static List<ExternalInput> randomCurrents(String networkId, long seed, long firstTick, long everyTicks,
            long untilTick) {
        Random rnd = new Random(seed);
        List<ExternalInput> out = new ArrayList<>();
        List<List<String>> targets = List.of(List.of("E"), List.of("I"), List.of("E", "I"));
        for (long t = firstTick; t < untilTick; t += everyTicks) {
            double current = Math.round((-3.0 + 7.0 * rnd.nextDouble()) * 1000) / 1000.0;
            int duration = 20 + rnd.nextInt(381);
            out.add(Commands.current(networkId, targets.get(rnd.nextInt(3)), current, t, duration));
        }
        return out;
    }

    private void run() {
        try {
            for (ExternalInput in : schedule) {
                while (running && networkTick.getAsLong() < in.getTick() - leadTicks) {
                    Thread.sleep(5);
                }
                if (!running) {
                    return;
                }
                producer.send(new ProducerRecord<>(topic, in.getNetworkId(), Topics.EXTERNAL_INPUT.valueSerde().encode(in)))
                        .get();
                sent++;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Throwable t) {
            failure = t;
        }
    }

    /** How many inputs were sent (and acknowledged) so far. */
    int sent() {
        return sent;
    }

    /** The inputs of the schedule that act before {@code tick}. */
    List<ExternalInput> before(long tick) {
        return schedule.stream().filter(in -> in.getTick() < tick).toList();
    }

    Throwable failure() {
        return failure;
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.join(5000);
        producer.close();
    }
}
