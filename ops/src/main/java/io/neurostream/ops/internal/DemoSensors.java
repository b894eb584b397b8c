package io.neurostream.ops.internal;

import io.neurostream.schemas.avro.ExternalInput;
import io.neurostream.ingest.sense.Encoder;
import io.neurostream.ingest.sense.Sample;
import io.neurostream.ingest.sense.SenseShape;
import io.neurostream.ingest.sense.SyntheticSource;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The demo's live sensory stream: every {@value #PERIOD_MS} ms of wall time, one vision matrix and one
 * audition matrix (20 x 20, first axis x) as {@code MATRIX} ExternalInputs, each lasting the simulated
 * time of that period ({@code period x speed}), so the stimulus is continuous. The patterns and the encoding
 * are the ones a user gets from {@code neurostream ingest synthetic:grating} and {@code synthetic:chirp}
 * ({@link SyntheticSource}, {@link Encoder#current}), with their default parameters.
 *
 * <ul>
 *   <li><b>Vision</b> (sense {@code vision}, z-layers 0 to {@value #VISION_LAYERS} - 1 of V1_like): a
 *       grating drifting along x (spatial period {@value SyntheticSource#GRATING_PERIOD_CELLS} cells,
 *       {@value SyntheticSource#GRATING_HZ} cycles/s), values in [0, 1] x {@value #VISION_MV} mV, shown for
 *       {@value SyntheticSource#GRATING_ON_S} s, then blank for as long: V1's rates step up and down every few seconds.</li>
 *   <li><b>Audition</b> (sense {@code audition}, z-layer 0 of A1_like): a chirp, a Gaussian bump along x
 *       (the tonotopic axis, width {@value SyntheticSource#CHIRP_SIGMA_CELLS} cells) sweeping x = 0 to 19 in
 *       {@value SyntheticSource#CHIRP_SWEEP_S} s, then silence for as long, x {@value #AUDITION_MV} mV.</li>
 * </ul>
 *
 * <p>The pattern follows the wall clock since {@link #start()} times the speed, i.e. simulated time while
 * the simulator keeps pace. Inputs carry no tick: each applies from the first tick not yet computed.
 */
public final class DemoSensors implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DemoSensors.class);

    public static final long PERIOD_MS = 50;
    public static final int SIZE = 20;
    public static final int VISION_LAYERS = 5;
    public static final double VISION_MV = 12.0;
    private static final SyntheticSource.Pattern GRATING = SyntheticSource.pattern("grating");
    private static final SyntheticSource.Pattern CHIRP = SyntheticSource.pattern("chirp");
    public static final double AUDITION_MV = 12.0;

    private final Producer<String, ExternalInput> producer;
    private final String topic;
    private final String networkId;
    private final double speed;
    private final int durationTicks;
    private final Encoder vision;
    private final Encoder audition;
    private final ScheduledExecutorService timer;
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private long startNanos;
    private long index;

    /**
     * @param producer  where to send (the caller closes it after {@link #close()})
     * @param topic     the external-input topic
     * @param networkId the demo network
     * @param dtMs      the network's tick, ms
     * @param speed     the network's speed (simulated time per wall time), greater than 0
     */
    public DemoSensors(Producer<String, ExternalInput> producer, String topic, String networkId, double dtMs, double speed) {
        if (!(speed > 0)) {
            throw new IllegalArgumentException("the sensors need a real-time speed > 0, got " + speed);
        }
        this.producer = producer;
        this.topic = topic;
        this.networkId = networkId;
        this.speed = speed;
        this.durationTicks = (int) Math.max(1, Math.round(PERIOD_MS * speed / dtMs));
        int[] visionLayers = new int[VISION_LAYERS];
        for (int z = 0; z < VISION_LAYERS; z++) {
            visionLayers[z] = z;
        }
        this.vision = Encoder.current(networkId, SenseShape.of("vision", SIZE, SIZE, VISION_LAYERS), visionLayers, VISION_MV);
        this.audition = Encoder.current(networkId, SenseShape.of("audition", SIZE, SIZE, 1), new int[] {0}, AUDITION_MV);
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "neurostream-demo-sensors");
            t.setDaemon(true);
            return t;
        });
    }

    /** Starts sending, one batch every {@value #PERIOD_MS} ms. */
    public void start() {
        startNanos = System.nanoTime();
        timer.scheduleAtFixedRate(this::sendOnce, 0, PERIOD_MS, TimeUnit.MILLISECONDS);
    }

    private void sendOnce() {
        try {
            double t = (System.nanoTime() - startNanos) / 1e9 * speed;
            long k = index++;
            vision.encode(new Sample(k, t, grating(t)), null, durationTicks).forEach(this::send);
            audition.encode(new Sample(k, t, chirp(t)), null, durationTicks).forEach(this::send);
        } catch (RuntimeException e) {
            // never let the timer die: a failed batch is counted and the next one tries again
            failed.incrementAndGet();
            LOG.warn("demo sensors could not send: {}", e.toString());
        }
    }

    private void send(ExternalInput input) {
        producer.send(new ProducerRecord<>(topic, networkId, input), (meta, e) -> {
            if (e == null) {
                sent.incrementAndGet();
            } else if (failed.getAndIncrement() == 0) {
                LOG.warn("demo sensors: a record was not delivered: {}", e.toString());
            }
        });
    }

    /** The drifting grating at simulated time {@code t} s ({@code neurostream ingest synthetic:grating}): [x][y]. */
    public static float[][] grating(double t) {
        return GRATING.at(t, SIZE, SIZE);
    }

    /** The chirp at simulated time {@code t} s ({@code neurostream ingest synthetic:chirp}): [x][y]. */
    public static float[][] chirp(double t) {
        return CHIRP.at(t, SIZE, SIZE);
    }

    /** Records delivered so far. */
    public long sent() {
        return sent.get();
    }

    /** Records or batches that failed so far. */
    public long failed() {
        return failed.get();
    }

    /** Stops the timer (waiting for a batch in progress) and flushes what was sent. */
    @Override
    public void close() {
        timer.shutdown();
        try {
            if (!timer.awaitTermination(5, TimeUnit.SECONDS)) {
                timer.shutdownNow();
            }
        } catch (InterruptedException e) {
            timer.shutdownNow();
            Thread.currentThread().interrupt();
        }
        producer.flush();
    }
}
