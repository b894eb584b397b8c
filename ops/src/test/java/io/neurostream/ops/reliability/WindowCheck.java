package io.neurostream.ops.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.neurostream.schemas.Topics;
import io.neurostream.schemas.avro.Alert;
import io.neurostream.schemas.avro.AlertKind;
import io.neurostream.schemas.avro.AlertState;
import io.neurostream.schemas.avro.AreaFrame;
import io.neurostream.schemas.avro.Balance;
import io.neurostream.schemas.avro.Frame;
import io.neurostream.schemas.avro.Rate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Checks what the analytics committed for one network against the committed frames, computed here
 * independently: every window {@code [start, start + size)} from the run's start to the newest one
 * published, exactly once per (area, E/I class) key; each one's spike and neuron counts and rate equal to
 * the frames' sums; and the alerts equal to the hysteresis (K consecutive windows) replayed over the
 * committed rates and balances. A window emitted twice (a replay after a crash that was not exactly once),
 * lost, or computed over duplicated or missing frames fails here.
 */
final class WindowCheck {
    /** What was checked. */
    record Outcome(long epochMs, int windows, long firstStartMs, long lastStartMs, int rates, int alerts) {
    }

    private WindowCheck() {
    }

    /** The alert bounds the analytics ran with (AnalyticsConfig's keys). */
    record Bounds(int k, double eiMin, double eiMax, double runawayHz, double silenceHz) {
    }

    static Outcome verify(CommittedLog log, String networkId, long sizeMs, long advanceMs, Bounds bounds) {
        List<CommittedLog.Entry<Frame>> frames = log.entries(Topics.FRAMES).stream()
                .filter(e -> networkId.equals(e.key())).toList();
        List<Rate> rates = log.values(Topics.RATES, networkId);
        List<Balance> balances = log.values(Topics.BALANCE, networkId);
        List<Alert> alerts = log.values(Topics.ALERTS, networkId);
        assertThat(rates).as("committed rates of %s", networkId).isNotEmpty();

        // every window once per key, none missing between the first and the newest
        Map<String, TreeMap<Long, Rate>> byKey = new TreeMap<>();
        for (Rate r : rates) {
            String key = r.getArea() + "/" + r.getEClass();
            Rate before = byKey.computeIfAbsent(key, k -> new TreeMap<>()).put(r.getWindowStartMs(), r);
            assertThat(before).as("window [%d, %d) of %s %s emitted twice", r.getWindowStartMs(), r.getWindowEndMs(),
                    networkId, key).isNull();
        }
        long epoch = frames.get(0).timestamp() - (long) Math.floor(frames.get(0).value().getSimTimeMs());
        long first = byKey.values().iterator().next().firstKey();
        long last = byKey.values().iterator().next().lastKey();
        assertThat(first).as("the first window starts with the run").isEqualTo(epoch);
        int windows = (int) ((last - first) / advanceMs + 1);
        for (Map.Entry<String, TreeMap<Long, Rate>> e : byKey.entrySet()) {
            assertThat(e.getValue().firstKey()).as("first window of %s", e.getKey()).isEqualTo(first);
            assertThat(e.getValue().lastKey()).as("newest window of %s", e.getKey()).isEqualTo(last);
            assertThat(e.getValue()).as("windows of %s from %d to %d every %d ms, none missing", e.getKey(), first, last,
                    advanceMs).hasSize(windows);
        }

        // each window's counts equal the committed frames' sums
        for (long s = first; s <= last; s += advanceMs) {
            Map<String, long[]> sums = new LinkedHashMap<>(); // key -> spikes, neurons
            for (CommittedLog.Entry<Frame> f : frames) {
                if (f.timestamp() < s || f.timestamp() >= s + sizeMs) {
                    continue;
                }
                for (AreaFrame a : f.value().getAreas()) {
                    long[] g = sums.computeIfAbsent(a.getArea() + "/" + a.getEClass(), k -> new long[2]);
                    g[0] += a.getSpikes();
                    g[1] = Math.max(g[1], a.getNeurons());
                }
            }
            Map<String, long[]> all = new HashMap<>(sums);
            long[] net = new long[2];
            for (Map.Entry<String, long[]> g : sums.entrySet()) {
                String area = g.getKey().substring(0, g.getKey().indexOf('/'));
                long[] a = all.computeIfAbsent(area + "/null", k -> new long[2]);
                a[0] += g.getValue()[0];
                a[1] += g.getValue()[1];
                net[0] += g.getValue()[0];
                net[1] += g.getValue()[1];
            }
            all.put("null/null", net);
            for (Map.Entry<String, TreeMap<Long, Rate>> e : byKey.entrySet()) {
                Rate r = e.getValue().get(s);
                long[] expect = all.get(e.getKey());
                assertThat(expect).as("frames of group %s in window %d", e.getKey(), s).isNotNull();
                assertThat(new long[] {r.getSpikes(), r.getNeurons()}).as("spikes and neurons of %s in window [%d, %d) "
                        + "(%.1f s simulated)", e.getKey(), s, s + sizeMs, (s - epoch) / 1000.0).containsExactly(expect);
                assertThat(r.getRateHz()).isEqualTo(expect[1] > 0 ? expect[0] / (expect[1] * (sizeMs / 1000.0)) : 0.0);
            }
        }

        // balances: once per (area, window) too
        Map<String, Balance> balanceSeen = new HashMap<>();
        for (Balance b : balances) {
            String key = b.getArea() + "@" + b.getWindowStartMs();
            assertThat(balanceSeen.put(key, b)).as("balance %s emitted twice", key).isNull();
        }

        // the alerts: the hysteresis replayed over the committed windows, in the analytics' order
        List<String> expected = new ArrayList<>();
        Map<String, int[]> state = new HashMap<>(); // key -> {raised, run}
        for (long s = first; s <= last; s += advanceMs) {
            for (Map.Entry<String, TreeMap<Long, Rate>> e : byKey.entrySet()) {
                Rate r = e.getValue().get(s);
                if (r.getEClass() != null || r.getArea() != null) {
                    continue;
                }
                judgeRate(r, bounds, state, expected);
            }
            for (Map.Entry<String, TreeMap<Long, Rate>> e : byKey.entrySet()) {
                Rate r = e.getValue().get(s);
                if (r.getEClass() == null && r.getArea() != null) {
                    judgeRate(r, bounds, state, expected);
                }
            }
            for (Balance b : balances) {
                if (b.getWindowStartMs() != s || b.getArea() == null || !(b.getEInput() + b.getIInput() > 0)) {
                    continue;
                }
                double ratio = b.getBalanceRatio();
                boolean high = ratio > bounds.eiMax();
                boolean low = ratio < bounds.eiMin();
                judge(b.getArea(), AlertKind.EI_RATIO, high || low, s + sizeMs, bounds.k(), state, expected);
            }
        }
        List<String> committed = alerts.stream().map(a -> describe(a.getArea(), a.getAlert(), a.getState(),
                a.getWindowEndMs())).toList();
        // the analytics judges areas in the order they appear in the window; compare per (area, kind) sequence
        assertThat(group(committed)).as("alerts of %s: the committed ones against the hysteresis over the committed "
                + "windows (K = %d)", networkId, bounds.k()).isEqualTo(group(expected));
        return new Outcome(epoch, windows, first - epoch, last - epoch, rates.size(), alerts.size());
    }

    private static void judgeRate(Rate r, Bounds bounds, Map<String, int[]> state, List<String> expected) {
        double hz = r.getRateHz();
        long end = r.getWindowEndMs();
        judge(r.getArea(), AlertKind.RUNAWAY, hz > bounds.runawayHz(), end, bounds.k(), state, expected);
        judge(r.getArea(), AlertKind.SILENCE, hz < bounds.silenceHz(), end, bounds.k(), state, expected);
    }

    private static void judge(String area, AlertKind kind, boolean out, long windowEnd, int k,
            Map<String, int[]> state, List<String> expected) {
        int[] st = state.computeIfAbsent(area + "/" + kind, x -> new int[2]);
        if (st[0] == 0) {
            if (!out) {
                st[1] = 0;
            } else if (st[1] + 1 >= k) {
                expected.add(describe(area, kind, AlertState.RAISED, windowEnd));
                st[0] = 1;
                st[1] = 0;
            } else {
                st[1]++;
            }
        } else {
            if (out) {
                st[1] = 0;
            } else if (st[1] + 1 >= k) {
                expected.add(describe(area, kind, AlertState.CLEARED, windowEnd));
                st[0] = 0;
                st[1] = 0;
            } else {
                st[1]++;
            }
        }
    }

    private static String describe(String area, AlertKind kind, AlertState state, long windowEnd) {
        return Objects.toString(area, "network") + " " + kind + " " + state + " @" + windowEnd;
    }

    private static Map<String, List<String>> group(List<String> alerts) {
        Map<String, List<String>> m = new TreeMap<>();
        for (String a : alerts) {
            String[] parts = a.split(" ");
            m.computeIfAbsent(parts[0] + " " + parts[1], k -> new ArrayList<>()).add(a);
        }
        return m;
    }
}
