package io.neurostream.ops;

import io.neurostream.ops.internal.StopSignal;
import io.neurostream.ops.internal.Wedge;
import java.io.PrintWriter;
import java.time.Duration;
import org.apache.kafka.common.KafkaException;

/**
 * The life of a service command ({@code simulate}, {@code analytics}): start the service, say where it
 * runs, wait for Ctrl-C, SIGTERM or the service's own failure, close it, and turn the outcome into an
 * exit code (0, 130 on a signal after a clean shutdown, 1 on failure). The close is bounded by the
 * shutdown budget of {@link StopSignal}: a service that does not stop within it is left behind.
 */
final class ServiceRunner {
    private ServiceRunner() {
    }

    /** A started service as the runner sees it. */
    interface Running {
        /** Why the service stopped by itself, or null while it runs. */
        String failure();

        /** Closes the service; false if it did not finish closing within {@code max}. */
        boolean close(Duration max);
    }

    /** Creates and starts the service; Kafka's refusal surfaces as a {@link KafkaException}. */
    @FunctionalInterface
    interface Starter {
        Running start();
    }

    static int run(PrintWriter err, String name, String id, String bootstrap, String prefix, Starter starter)
            throws InterruptedException {
        try (StopSignal stop = StopSignal.install("neurostream-" + name + "-shutdown")) {
            Running service;
            try {
                service = starter.start();
            } catch (KafkaException e) {
                return Main.fail(err, "cannot start the " + name + ": " + Main.describe(e), Main.EXIT_FAILURE);
            }
            err.println(name + " " + id + " running against " + bootstrap + " (topics " + prefix + "*); Ctrl-C stops it");
            err.flush();
            while (!stop.await(Duration.ofMillis(500))) {
                String failure = service.failure();
                if (failure != null) {
                    stop.request(failure);
                }
            }
            Wedge.hangIfWedged("shutdown");
            long t0 = System.nanoTime();
            String notClosed = null;
            try {
                Duration max = stop.remainingForClose();
                stop.closeWithin(name, () -> {
                    if (!service.close(max)) {
                        throw new IllegalStateException("it did not finish closing within " + max.toSeconds() + " s");
                    }
                });
            } catch (Exception e) {
                notClosed = Main.describe(e);
            }
            if (stop.reason() != null) {
                return Main.fail(err, stop.reason(), Main.EXIT_FAILURE);
            }
            if (notClosed != null) {
                return Main.fail(err, "the " + name + " did not stop cleanly: " + notClosed, Main.EXIT_FAILURE);
            }
            err.println(name + " stopped cleanly in " + (System.nanoTime() - t0) / 1_000_000 + " ms");
            err.flush();
            return stop.signalled() ? Main.EXIT_INTERRUPTED : Main.EXIT_OK;
        }
    }
}
