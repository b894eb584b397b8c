package io.neurostream.ops.internal;

import io.neurostream.schemas.avro.ExternalInput;
import io.neurostream.simulator.Commands;
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
 * time of that period ({@code period x speed}), so the stimulus is continuous.
 *
 * <ul>
 *   <li><b>Vision</b> (sense {@code vision}, z-layers 0 to {@value #VISION_LAYERS} - 1 of V1_like): a
 *       grating drifting along x (spatial period {@value #GRATING_PERIOD_CELLS} cells,
 *       {@value #GRATING_HZ} cycles/s), values in [0, 1] x {@value #VISION_MV} mV, shown for
 *       {@value #VISION_ON_S} s, then blank for as long: V1's rates step up and down every few seconds.</li>
 *   <li><b>Audition</b> (sense {@code audition}, z-layer 0 of A1_like): a chirp, a Gaussian bump along x
 *       (the tonotopic axis, width {@value #CHIRP_SIGMA_CELLS} cells) sweeping x = 0 to 19 in
 *       {@value #CHIRP_SWEEP_S} s, then silence for as long, x {@value #AUDITION_MV} mV.</li>
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
    public static final double GRATING_PERIOD_CELLS = 10.0;
    public static final double GRATING_HZ = 2.0;
    public static final double VISION_ON_S = 3.0;
    public static final double VISION_MV = 12.0;
    public static final double CHIRP_SWEEP_S = 1.0;
    public static final double CHIRP_SIGMA_CELLS = 2.0;
    public static final double AUDITION_MV = 12.0;

    private final Producer<String, ExternalInput> producer;
    private final String topic;
    private final String networkId;
    private final double speed;
    private final int durationTicks;
    private final ScheduledExecutorService timer;
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private long startNanos;

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
            for (int z = 0; z < VISION_LAYERS; z++) {
                send(Commands.matrix(networkId, "vision", z, grating(t), VISION_MV, null, durationTicks));
            }
            send(Commands.matrix(networkId, "audition", 0, chirp(t), AUDITION_MV, null, durationTicks));
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

    /** The drifting grating at simulated time {@code t} s: values in [0, 1], [x][y]; all 0 while blank. */
    public static float[][] grating(double t) {
        float[][] m = new float[SIZE][SIZE];
        if ((long) Math.floor(t / VISION_ON_S) % 2 == 1) {
            return m;
        }
        for (int x = 0; x < SIZE; x++) {
            float v = (float) (0.5 + 0.5 * Math.sin(2 * Math.PI * (x / GRATING_PERIOD_CELLS - GRATING_HZ * t)));
            for (int y = 0; y < SIZE; y++) {
                m[x][y] = v;
            }
        }
        return m;
    }

    /** The chirp at simulated time {@code t} s: a Gaussian bump along x sweeping up, then silence; [x][y]. */
    public static float[][] chirp(double t) {
        float[][] m = new float[SIZE][SIZE];
        double phase = t % (2 * CHIRP_SWEEP_S);
        if (phase >= CHIRP_SWEEP_S) {
            return m;
        }
        double center = (SIZE - 1) * phase / CHIRP_SWEEP_S;
        for (int x = 0; x < SIZE; x++) {
            double d = (x - center) / CHIRP_SIGMA_CELLS;
            float v = (float) Math.exp(-0.5 * d * d);
            for (int y = 0; y < SIZE; y++) {
                m[x][y] = v;
            }
        }
        return m;
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
