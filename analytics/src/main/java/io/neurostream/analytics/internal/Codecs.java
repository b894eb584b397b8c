package io.neurostream.analytics.internal;

import io.neurostream.schemas.AvroSerde;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Function;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;

/** Serdes of the state stores' values and the byte keys of the pane store. */
public final class Codecs {
    private Codecs() {
    }

    public static final Serde<WindowSums> WINDOW_SUMS = serde(WindowSums::encode, WindowSums::decode);
    public static final Serde<NetworkClock> NETWORK_CLOCK = serde(NetworkClock::encode, NetworkClock::decode);
    public static final Serde<KnownRun> KNOWN_RUN = serde(KnownRun::encode, KnownRun::decode);
    public static final Serde<AlertHysteresis> ALERT_HYSTERESIS = serde(AlertHysteresis::encode, AlertHysteresis::decode);

    private static <T> Serde<T> serde(Function<T, byte[]> encode, Function<byte[], T> decode) {
        return Serdes.serdeFrom((topic, v) -> v == null ? null : encode.apply(v),
                (topic, b) -> b == null ? null : decode.apply(b));
    }

    /**
     * A list of Avro records: count, then each record's length and single-object encoding (so the
     * records evolve like those on the topics).
     */
    public static <T extends SpecificRecord> Serde<List<T>> recordList(Class<T> type) {
        AvroSerde<T> avro = AvroSerde.of(type);
        return serde(list -> {
            List<byte[]> parts = new ArrayList<>(list.size());
            int n = 4;
            for (T t : list) {
                byte[] b = avro.encode(t);
                parts.add(b);
                n += 4 + b.length;
            }
            ByteBuffer buf = ByteBuffer.allocate(n).putInt(parts.size());
            for (byte[] b : parts) {
                buf.putInt(b.length).put(b);
            }
            return buf.array();
        }, bytes -> {
            ByteBuffer buf = ByteBuffer.wrap(bytes);
            int count = buf.getInt();
            List<T> out = new ArrayList<>(count);
            for (int k = 0; k < count; k++) {
                byte[] b = new byte[buf.getInt()];
                buf.get(b);
                out.add(avro.decode(b));
            }
            return Collections.unmodifiableList(out);
        });
    }

    /**
     * The key of one pane of one network: the network id's UTF-8 length and bytes, then the pane's start
     * (big-endian, sign bit flipped), so a network's panes sort by time and a range of keys is a range of
     * simulated time.
     */
    public static Bytes paneKey(String networkId, long paneStartMs) {
        byte[] id = networkId.getBytes(StandardCharsets.UTF_8);
        return Bytes.wrap(ByteBuffer.allocate(4 + id.length + 8).putInt(id.length).put(id)
                .putLong(paneStartMs ^ Long.MIN_VALUE).array());
    }

    /** The pane start of a {@link #paneKey}. */
    public static long paneStartOf(Bytes key) {
        byte[] k = key.get();
        return ByteBuffer.wrap(k, k.length - 8, 8).getLong() ^ Long.MIN_VALUE;
    }

    /**
     * The key of the hysteresis state of one alert: network id, NUL, {@code *} for the whole network or
     * {@code =} and the area name, NUL, the alert kind. A network's keys share the prefix
     * {@link #alertKeyPrefix}.
     */
    public static String alertKey(String networkId, String area, String kind) {
        return alertKeyPrefix(networkId) + (area == null ? "*" : "=" + area) + '\u0000' + kind;
    }

    public static String alertKeyPrefix(String networkId) {
        return networkId + '\u0000';
    }
}
