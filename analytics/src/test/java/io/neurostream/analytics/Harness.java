package io.neurostream.analytics;

import io.neurostream.schemas.Topics;
import io.neurostream.schemas.avro.Alert;
import io.neurostream.schemas.avro.Balance;
import io.neurostream.schemas.avro.Frame;
import io.neurostream.schemas.avro.Rate;
import io.neurostream.schemas.avro.Rejected;
import io.neurostream.schemas.avro.Status;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.LongFunction;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.test.TestRecord;
import org.apache.kafka.streams.TopologyTestDriver;

/** The analytics topology in a {@link TopologyTestDriver}: pipe frames, read what was published. */
final class Harness implements AutoCloseable {
    final AnalyticsConfig config;
    final TopologyTestDriver driver;
    final TestInputTopic<String, Frame> frames;
    final TestOutputTopic<String, Rate> rates;
    final TestOutputTopic<String, Balance> balance;
    final TestOutputTopic<String, Alert> alerts;
    final TestInputTopic<String, Status> status;
    final TestOutputTopic<String, Rejected> rejected;

    Harness(Path stateDir, Map<String, Object> overrides) {
        Map<String, Object> props = new HashMap<>();
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        props.putAll(overrides);
        config = new AnalyticsConfig(props);
        Properties p = AnalyticsApp.config(config);
        driver = new TopologyTestDriver(AnalyticsApp.buildTopology(config), p);
        String prefix = config.topicPrefix();
        frames = driver.createInputTopic(Topics.FRAMES.name(prefix), new StringSerializer(), Topics.FRAMES.valueSerde());
        rates = driver.createOutputTopic(Topics.RATES.name(prefix), new StringDeserializer(), Topics.RATES.valueSerde());
        balance = driver.createOutputTopic(Topics.BALANCE.name(prefix), new StringDeserializer(),
                Topics.BALANCE.valueSerde());
        alerts = driver.createOutputTopic(Topics.ALERTS.name(prefix), new StringDeserializer(),
                Topics.ALERTS.valueSerde());
        status = driver.createInputTopic(Topics.STATUS.name(prefix), new StringSerializer(), Topics.STATUS.valueSerde());
        rejected = driver.createOutputTopic(Topics.REJECTED.name(prefix), new StringDeserializer(),
                Topics.REJECTED.valueSerde());
    }

    /** Pipes the frame of {@code f} starting at simulated ms {@code simMs}. */
    void pipe(FrameFixture f, long simMs, List<FrameFixture.Group> groups) {
        frames.pipeInput(f.network(), f.at(simMs, groups), f.ts(simMs));
    }

    /** Pipes every frame of {@code f} starting in [fromMs, toMs), with the groups {@code groups} gives per start. */
    void pipeRange(FrameFixture f, long fromMs, long toMs, LongFunction<List<FrameFixture.Group>> groups) {
        for (long t = fromMs; t < toMs; t += f.frameMs()) {
            pipe(f, t, groups.apply(t));
        }
    }

    /**
     * Pipes the Status the simulator would publish for run {@code epochMs} of {@code network} having reached
     * simulated ms {@code simMs}, stamped with the wall clock of that moment (epoch + simMs, as in real time).
     */
    void status(String network, long epochMs, long simMs) {
        status.pipeInput(network, FrameFixture.status(network, epochMs, simMs), epochMs + simMs);
    }

    List<Rejected> rejected() {
        return rejected.readValuesToList();
    }

    long framesRejected() {
        return AnalyticsApp.framesRejected(driver.metrics());
    }

    List<Rate> rates() {
        return rates.readValuesToList();
    }

    List<TestRecord<String, Rate>> rateRecords() {
        return rates.readRecordsToList();
    }

    List<Balance> balances() {
        return balance.readValuesToList();
    }

    List<Alert> alerts() {
        return alerts.readValuesToList();
    }

    long lateFramesDropped() {
        return AnalyticsApp.lateFramesDropped(driver.metrics());
    }

    AnalyticsQueries queries() {
        return AnalyticsQueries.over(driver::getKeyValueStore);
    }

    /** The whole-network rates (area null) among {@code rates}. */
    static List<Rate> networkLevel(List<Rate> rates) {
        List<Rate> out = new ArrayList<>();
        for (Rate r : rates) {
            if (r.getArea() == null) {
                out.add(r);
            }
        }
        return out;
    }

    @Override
    public void close() {
        driver.close();
    }
}
