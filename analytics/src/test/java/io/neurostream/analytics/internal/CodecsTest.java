package io.neurostream.analytics.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.neurostream.schemas.avro.Alert;
import io.neurostream.schemas.avro.AlertKind;
import io.neurostream.schemas.avro.AlertState;
import io.neurostream.schemas.avro.AreaFrame;
import io.neurostream.schemas.avro.EClass;
import io.neurostream.schemas.avro.Frame;
import io.neurostream.schemas.avro.Rate;
import java.util.List;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.utils.Bytes;
import org.junit.jupiter.api.Test;

/** The state stores' codecs round-trip, and pane keys sort by network then time. */
class CodecsTest {

    @Test
    void shouldRoundTripWindowSumsKeepingGroupOrder() {
        WindowSums w = new WindowSums();
        w.add(frame(List.of(group("V1", EClass.E, 3, 1600, 1.5, 0.25), group("V1", EClass.I, 1, 400, 0.5, 2.0),
                group("A1", EClass.E, 0, 1600, 0.0, 0.0))));
        w.add(frame(List.of(group("V1", EClass.E, 2, 1600, 1.0, 0.75))));
        WindowSums back = Codecs.WINDOW_SUMS.deserializer().deserialize("t", Codecs.WINDOW_SUMS.serializer().serialize("t", w));
        assertThat(back.groups()).isEqualTo(3);
        assertThat(back.area(0)).isEqualTo("V1");
        assertThat(back.eClass(1)).isEqualTo(EClass.I);
        assertThat(back.spikes(0)).isEqualTo(5);
        assertThat(back.neurons(0)).isEqualTo(1600);
        assertThat(back.eInput(0)).isEqualTo(2.5);
        assertThat(back.iInput(0)).isEqualTo(1.0);
        assertThat(back.area(2)).isEqualTo("A1");
    }

    @Test
    void shouldRoundTripClocksAlertStatesAndRecordLists() {
        NetworkClock c = new NetworkClock(1_767_225_600_000L, 1_767_225_601_234L, 1_767_225_600_100L);
        assertThat(NetworkClock.decode(c.encode())).isEqualTo(c);

        Alert a = Alert.newBuilder().setNetworkId("n").setArea(null).setAlert(AlertKind.SILENCE)
                .setState(AlertState.RAISED).setWindowEndMs(5).setValue(0.1).setThreshold(0.5)
                .setConsecutiveWindows(3).setMessage("m").build();
        for (AlertHysteresis h : List.of(new AlertHysteresis(true, 2, a), new AlertHysteresis(false, 1, null))) {
            assertThat(AlertHysteresis.decode(h.encode())).isEqualTo(h);
        }

        Serde<List<Rate>> s = Codecs.recordList(Rate.class);
        List<Rate> rates = List.of(
                FrameWindowProcessor.rate("n", null, null, 0, 1000, 10, 5, 1.0),
                FrameWindowProcessor.rate("n", "A", EClass.I, 0, 1000, 0, 0, 1.0));
        assertThat(s.deserializer().deserialize("t", s.serializer().serialize("t", rates))).isEqualTo(rates);
        assertThat(s.serializer().serialize("t", null)).isNull();
    }

    @Test
    void shouldSortPaneKeysByNetworkThenTime() {
        Bytes a1 = Codecs.paneKey("a", 1_000);
        Bytes a2 = Codecs.paneKey("a", 2_000);
        Bytes b0 = Codecs.paneKey("b", 0);
        Bytes ab = Codecs.paneKey("ab", 0);
        assertThat(a1.compareTo(a2)).isNegative();
        assertThat(a2.compareTo(b0)).isNegative();
        assertThat(Codecs.paneKey("a", Long.MAX_VALUE).compareTo(ab)).isNegative(); // lengths keep ids apart
        assertThat(Codecs.paneKey("a", -5).compareTo(Codecs.paneKey("a", 0))).isNegative();
        assertThat(Codecs.paneStartOf(a2)).isEqualTo(2_000);
    }

    @Test
    void shouldComputeBalanceExactlyAsTheSeedFunction() {
        var b = FrameWindowProcessor.balance("n", "A", 0, 1000, 50.0, 10.0);
        assertThat(b.getBalanceRatio()).isEqualTo(5.0);
        assertThat(b.getEFraction()).isEqualTo(50.0 / 60.0);
        assertThat(b.getIFraction()).isEqualTo(10.0 / 60.0);
        assertThat(String.format("%.4f/%.4f", b.getEFraction(), b.getIFraction())).isEqualTo("0.8333/0.1667");

        var eOnly = FrameWindowProcessor.balance("n", "A", 0, 1000, 5.0, 0.0);
        assertThat(eOnly.getBalanceRatio()).isEqualTo(500.0); // E / max(I, 0.01)
        assertThat(eOnly.getEFraction()).isEqualTo(1.0);

        var iOnly = FrameWindowProcessor.balance("n", "A", 0, 1000, 0.0, 3.0);
        assertThat(iOnly.getBalanceRatio()).isZero();
        assertThat(iOnly.getIFraction()).isEqualTo(1.0);

        var none = FrameWindowProcessor.balance("n", "A", 0, 1000, 0.0, 0.0);
        assertThat(List.of(none.getEFraction(), none.getIFraction(), none.getBalanceRatio())).containsOnly(0.0);
    }

    @Test
    void shouldGiveZeroRateToAGroupWithoutNeurons() {
        assertThat(FrameWindowProcessor.rate("n", "A", EClass.E, 0, 500, 0, 0, 0.5).getRateHz()).isZero();
        assertThat(FrameWindowProcessor.rate("n", "A", EClass.E, 0, 500, 10, 4, 0.5).getRateHz()).isEqualTo(5.0);
    }

    private static AreaFrame group(String area, EClass c, int spikes, int neurons, double e, double i) {
        return AreaFrame.newBuilder().setArea(area).setEClass(c).setSpikes(spikes).setNeurons(neurons).setEInput(e)
                .setIInput(i).setMeanVMv(0).build();
    }

    private static Frame frame(List<AreaFrame> areas) {
        return Frame.newBuilder().setNetworkId("n").setFrame(0).setFirstTick(0).setTicks(1).setDtMs(1).setSimTimeMs(0)
                .setAreas(areas).build();
    }
}
