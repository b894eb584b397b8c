package io.neurostream.analytics;

import io.neurostream.analytics.internal.AlertHysteresis;
import io.neurostream.analytics.internal.Codecs;
import io.neurostream.analytics.internal.Names;
import io.neurostream.schemas.avro.Alert;
import io.neurostream.schemas.avro.Balance;
import io.neurostream.schemas.avro.Rate;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * Reads the analytics' state stores: the latest final rates and balance of a network and its open alerts.
 * {@link AnalyticsApp} answers these for a running application; over a {@code TopologyTestDriver} use
 * {@code AnalyticsQueries.over(driver::getKeyValueStore)}.
 *
 * <p>Only networks whose partition this instance hosts are answered; others read as empty. With several
 * instances, {@link AnalyticsApp#hostOf(String)} tells where a network lives.
 */
public final class AnalyticsQueries {

    /** Store of the latest final window's {@link Rate}s per network (key: network id). */
    public static final String LATEST_RATES_STORE = Names.LATEST_RATES_STORE;
    /** Store of the latest final window's {@link Balance}s per network (key: network id). */
    public static final String LATEST_BALANCE_STORE = Names.LATEST_BALANCE_STORE;
    /** Store of the alert hysteresis per (network, area, kind). */
    public static final String ALERT_STATE_STORE = Names.ALERT_STATE_STORE;

    /** Finds a key-value store by name (e.g. {@code TopologyTestDriver::getKeyValueStore}). */
    @FunctionalInterface
    public interface Stores {
        <K, V> ReadOnlyKeyValueStore<K, V> keyValueStore(String name);
    }

    private final Stores stores;

    private AnalyticsQueries(Stores stores) {
        this.stores = Objects.requireNonNull(stores, "stores");
    }

    public static AnalyticsQueries over(Stores stores) {
        return new AnalyticsQueries(stores);
    }

    /**
     * The rates of the network's latest final window: the whole network (area and e_class null), then per
     * area (e_class null) followed by that area's classes. Empty if no window of the network is final yet
     * (or the network is not hosted here).
     */
    public List<Rate> latestRates(String networkId) {
        List<Rate> r = stores.<String, List<Rate>>keyValueStore(LATEST_RATES_STORE).get(networkId);
        return r == null ? List.of() : r;
    }

    /** The balances of the network's latest final window: the whole network (area null), then per area. */
    public List<Balance> latestBalance(String networkId) {
        List<Balance> b = stores.<String, List<Balance>>keyValueStore(LATEST_BALANCE_STORE).get(networkId);
        return b == null ? List.of() : b;
    }

    /** The alerts of the network raised and not yet cleared: their RAISED records, ordered by area then kind. */
    public List<Alert> openAlerts(String networkId) {
        ReadOnlyKeyValueStore<String, AlertHysteresis> s = stores.keyValueStore(ALERT_STATE_STORE);
        List<Alert> open = new ArrayList<>();
        try (KeyValueIterator<String, AlertHysteresis> it = s.prefixScan(Codecs.alertKeyPrefix(networkId),
                new StringSerializer())) {
            while (it.hasNext()) {
                KeyValue<String, AlertHysteresis> kv = it.next();
                if (kv.value.raised()) {
                    open.add(kv.value.alert());
                }
            }
        }
        return open;
    }
}
