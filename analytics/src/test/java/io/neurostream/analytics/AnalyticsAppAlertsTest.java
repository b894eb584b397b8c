package io.neurostream.analytics;

import static io.neurostream.analytics.FrameFixture.EPOCH;
import static io.neurostream.analytics.FrameFixture.e;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import io.neurostream.schemas.avro.Alert;
import io.neurostream.schemas.avro.AlertKind;
import io.neurostream.schemas.avro.AlertState;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Alerts and their hysteresis (K = 3) over tumbling 100 ms windows with no grace, so every window is
 * set on its own: ten 10 ms frames each. Area A has 100 E neurons: s spikes per frame is a rate of s Hz.
 */
class AnalyticsAppAlertsTest {

    @TempDir
    Path stateDir;
    Harness h;

    private Harness harness(Map<String, Object> extra) {
        Map<String, Object> p = new HashMap<>();
        p.put(AnalyticsConfig.WINDOW_SIZE_MS, 100L);
        p.put(AnalyticsConfig.WINDOW_ADVANCE_MS, 100L);
        p.put(AnalyticsConfig.WINDOW_GRACE_MS, 0L);
        p.putAll(extra);
        h = new Harness(stateDir, p);
        return h;
    }

    @AfterEach
    void close() {
        if (h != null) {
            h.close();
        }
    }

    /** Feeds one 100 ms window per entry, then one frame more so the last window is final. */
    private static final class Windows {
        final Harness h;
        final FrameFixture net;
        long next;

        Windows(Harness h, String network) {
            this.h = h;
            this.net = new FrameFixture(network, EPOCH, 10);
        }

        /** A window where area A fires at {@code rateA} Hz with input eA, iA per frame; area B steady at 10 Hz. */
        Windows window(int rateA, double eA, double iA) {
            h.pipeRange(net, next, next + 100, t -> List.of(e("A", rateA, 100, eA, iA), e("B", 10, 100, 1.0, 1.0)));
            next += 100;
            return this;
        }

        Windows rates(int... ratesA) {
            for (int r : ratesA) {
                window(r, 1.0, 1.0);
            }
            return this;
        }

        Windows ratios(double... ratiosA) {
            for (double r : ratiosA) {
                window(10, r, 1.0);
            }
            return this;
        }

        void flush() {
            h.pipe(net, next, List.of(e("A", 10, 100, 1.0, 1.0), e("B", 10, 100, 1.0, 1.0)));
        }
    }

    @Test
    void shouldRaiseAfterKConsecutiveOutOfBandWindowsOnceAndClearAfterKInBandOnce() {
        harness(Map.of());
        // window:        0   1   2   3   4   5   6   7   8   9  10  11  12  13
        // out (> 50 Hz):     x   x       x   x   x   x   x       x
        new Windows(h, "n1").rates(10, 60, 60, 10, 60, 60, 60, 60, 60, 10, 60, 10, 10, 10).flush();

        List<Alert> alerts = h.alerts();
        // area A only: the network's mean (A and B) peaks at 35 Hz
        assertThat(alerts).extracting(Alert::getArea, Alert::getAlert, Alert::getState, Alert::getWindowEndMs,
                Alert::getValue, Alert::getThreshold, Alert::getConsecutiveWindows).containsExactly(
                tuple("A", AlertKind.RUNAWAY, AlertState.RAISED, EPOCH + 700, 60.0, 50.0, 3),
                tuple("A", AlertKind.RUNAWAY, AlertState.CLEARED, EPOCH + 1400, 10.0, 50.0, 0));
        assertThat(alerts).allSatisfy(a -> assertThat(a.getNetworkId()).isEqualTo("n1"));
        assertThat(alerts.get(0).getMessage()).isEqualTo("RUNAWAY raised in area A of network n1: rate 60.00 Hz > "
                + "50.00 Hz for 3 windows in a row, the last [0.600 s, 0.700 s) of simulated time");
    }

    @Test
    void shouldNotRaiseAgainWhileRaisedNorClearOnAShortDip() {
        harness(Map.of());
        Windows w = new Windows(h, "n1").rates(60, 60, 60);
        w.rates(60, 60, 60, 60, 60, 10, 10, 60, 60, 60, 10, 60, 60).flush(); // dips of 2 and 1 windows

        assertThat(h.alerts()).extracting(Alert::getState, Alert::getWindowEndMs)
                .containsExactly(tuple(AlertState.RAISED, EPOCH + 300));
        assertThat(h.queries().openAlerts("n1")).extracting(Alert::getAlert, Alert::getArea)
                .containsExactly(tuple(AlertKind.RUNAWAY, "A"));
    }

    @Test
    void shouldRaiseAndClearSilencePerAreaAndLeaveWindowsWithoutInputUnjudgedForTheBalance() {
        harness(Map.of());
        // A silent and without any input (E + I = 0: balance_ratio 0, which is below 0.4 but not judged)
        Windows w = new Windows(h, "n1");
        for (int k = 0; k < 4; k++) {
            w.window(0, 0.0, 0.0);
        }
        w.rates(10, 10, 10).flush();

        assertThat(h.alerts()).extracting(Alert::getArea, Alert::getAlert, Alert::getState, Alert::getWindowEndMs,
                Alert::getValue, Alert::getThreshold).containsExactly(
                tuple("A", AlertKind.SILENCE, AlertState.RAISED, EPOCH + 300, 0.0, 0.5),
                tuple("A", AlertKind.SILENCE, AlertState.CLEARED, EPOCH + 700, 10.0, 0.5));
    }

    @Test
    void shouldApplyAPerNetworkBandOverride() {
        // "lab.strict" (a network id with a dot) allows balance ratios up to 1.5 only; the default band is [0.4, 3]
        harness(Map.of("analytics.alert.lab.strict.ei.ratio.max", "1.5"));
        Windows strict = new Windows(h, "lab.strict");
        Windows normal = new Windows(h, "normal");
        for (Windows w : List.of(strict, normal)) {
            w.ratios(2.0, 2.0, 2.0, 2.0);
        }
        assertThat(h.alerts()).extracting(Alert::getNetworkId, Alert::getArea, Alert::getAlert, Alert::getState,
                Alert::getValue, Alert::getThreshold).containsExactly(
                tuple("lab.strict", "A", AlertKind.EI_RATIO, AlertState.RAISED, 2.0, 1.5));
        assertThat(h.queries().openAlerts("lab.strict")).extracting(Alert::getAlert, Alert::getThreshold)
                .containsExactly(tuple(AlertKind.EI_RATIO, 1.5));
        assertThat(h.queries().openAlerts("normal")).isEmpty();

        for (Windows w : List.of(strict, normal)) {
            w.ratios(1.0, 1.0, 1.0);
            w.flush();
        }
        assertThat(h.alerts()).extracting(Alert::getNetworkId, Alert::getAlert, Alert::getState, Alert::getValue)
                .containsExactly(tuple("lab.strict", AlertKind.EI_RATIO, AlertState.CLEARED, 1.0));
        assertThat(h.queries().openAlerts("lab.strict")).isEmpty();
    }

    @Test
    void shouldRaiseEiRatioBelowTheMinimumAndAboveTheMaximumAsOneCondition() {
        harness(Map.of(AnalyticsConfig.ALERT_CONSECUTIVE_WINDOWS, 2));
        // low, high: two windows out of band in a row (either side) raise with K = 2
        new Windows(h, "n1").ratios(0.2, 5.0, 1.0, 1.0).flush();
        assertThat(h.alerts()).extracting(Alert::getAlert, Alert::getState, Alert::getValue, Alert::getThreshold)
                .containsExactly(tuple(AlertKind.EI_RATIO, AlertState.RAISED, 5.0, 3.0),
                        tuple(AlertKind.EI_RATIO, AlertState.CLEARED, 1.0, 3.0));
    }

    @Test
    void shouldKeepAnAlertRaisedAcrossManyWindowsWithoutAStorm() {
        harness(Map.of());
        Windows w = new Windows(h, "n1");
        List<Integer> rates = new ArrayList<>();
        for (int k = 0; k < 50; k++) {
            rates.add(k % 2 == 0 ? 60 : 100); // out of band all along, jittering
        }
        w.rates(rates.stream().mapToInt(Integer::intValue).toArray()).flush();
        assertThat(h.alerts()).hasSize(1);
    }
}
