package io.neurostream.analytics.internal;

import io.neurostream.schemas.avro.Balance;
import io.neurostream.schemas.avro.Rate;
import java.util.List;

/**
 * One final window of one network, passed from the window processor to the alert processor in the same
 * task (never serialized).
 *
 * @param runEpochMs record timestamp of the run's simulated time 0, to name windows in simulated time
 */
public record WindowResult(String networkId, long runEpochMs, long windowStartMs, long windowEndMs, List<Rate> rates,
        List<Balance> balances) {
}
