package io.neurostream.schemas;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A service's first contact with the cluster: wait until it answers, for a bounded time, and fail with one
 * error that names the address otherwise. A service started beside its broker (both at once) waits for
 * it; a wrong address fails within a minute instead of leaving the service waiting, unready, for ever
 * (Kafka Streams) or for as long as its producer waits for a broker that went away (the simulator's 5 min).
 */
public final class ClusterWait {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterWait.class);

    /** How long one describe attempt may take, ms: a stop asked for meanwhile waits at most this long. */
    static final int ATTEMPT_MS = 2_000;

    private ClusterWait() {
    }

    /** The cluster did not answer within the wait, or refused the client. */
    public static final class UnreachableException extends KafkaException {
        UnreachableException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** The settings an {@link Admin} takes from a service's Kafka settings (the rest would only be warned about). */
    public static Map<String, Object> adminSettings(Map<String, ?> kafkaSettings) {
        Map<String, Object> admin = new HashMap<>(kafkaSettings);
        admin.keySet().retainAll(AdminClientConfig.configNames());
        return admin;
    }

    /** How long a service waits at start: Kafka's {@code max.block.ms} if the settings give it, else 60 s. */
    public static long startWaitMs(Map<String, ?> kafkaSettings) {
        Object set = kafkaSettings.get(ProducerConfig.MAX_BLOCK_MS_CONFIG);
        return set == null ? 60_000 : Long.parseLong(String.valueOf(set).trim());
    }

    /**
     * Waits until the cluster answers a describe, in attempts of {@value #ATTEMPT_MS} ms, for up to
     * {@code waitMs}; warns once if the first attempt finds nobody. An answer that is not a timeout
     * (authentication refused, say) fails at once.
     *
     * @param keepWaiting asked between attempts; false ends the wait
     * @return true once the cluster answered, false if {@code keepWaiting} ended the wait
     * @throws UnreachableException if nothing answered within {@code waitMs}, or the cluster refused
     */
    public static boolean await(Admin admin, Map<String, ?> kafkaSettings, long waitMs, BooleanSupplier keepWaiting)
            throws InterruptedException {
        Object bootstrap = kafkaSettings.get(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG);
        long deadline = System.nanoTime() + waitMs * 1_000_000L;
        boolean warned = false;
        while (keepWaiting.getAsBoolean()) {
            int attemptMs = (int) Math.max(1, Math.min(ATTEMPT_MS, (deadline - System.nanoTime()) / 1_000_000L));
            try {
                admin.describeCluster(new DescribeClusterOptions().timeoutMs(attemptMs)).clusterId().get();
                if (warned) {
                    LOG.info("Kafka answered at {}", bootstrap);
                }
                return true;
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TimeoutException)) {
                    throw new UnreachableException("Kafka at " + bootstrap + " refused the connection: " + e.getCause(), e.getCause());
                }
            }
            if (System.nanoTime() - deadline >= 0) {
                throw new UnreachableException("no Kafka broker answered at bootstrap.servers=" + bootstrap + " within "
                        + waitMs / 1000.0 + " s (max.block.ms): check the address and that the broker is up", null);
            }
            if (!warned) {
                LOG.warn("no Kafka broker answers at {} yet; waiting up to {} s", bootstrap, waitMs / 1000.0);
                warned = true;
            }
        }
        return false;
    }
}
