#!/usr/bin/env bash
# Side-by-side benchmark of NeuroStream's engine and Brian2 (C++ standalone), one thread each, on
# this machine and in the same run. See docs/benchmarks.md for what is measured and how to read it.
#
#   bench/compare-brian2.sh [--rounds N] [--seeds N] [--only compare|spread|summary] [--skip-build] [OUTDIR]
#
# compare: N rounds (default 3), each interleaving Brian2 CUBA 4000, ours CUBA 4000, Brian2
#          Izhikevich 1000, ours Izhikevich 1000, Brian2 CUBA 40,000, ours CUBA 40,000, every run with
#          --repeat 3 (fastest main loop of three), so that load changes on a shared machine hit both.
#          Brian2's t_sim is process CPU time (std::clock() without OpenMP); ours is reported both as
#          wall-clock t_sim and as CPU time t_sim_cpu, and the summary gives both ratios.
# spread:  CUBA 4000 and Izhikevich 1000 with seeds 1..N (default 8), --repeat 1, both simulators:
#          mean and sd of the E and I rates and of the synaptic events.
# summary: only rewrite summary.md and brian2-rates.json from the results already in OUTDIR.
#
# Writes OUTDIR/results/compare.jsonl, spread.jsonl (one line per run: simulator, network, round or
# seed, and the run's RESULT object), summary.md and brian2-rates.json. OUTDIR defaults to
# /tmp/neurostream-compare. Installs nothing. Needs Debian's Brian2 2.5.1 (/usr/bin/python3),
# g++ and GNU time:  apt-get install -y python3-brian python3-brian-lib cython3 g++ time
# Environment: BRIAN2_DIR (required: the Brian2 benchmark programs cuba.py, izh2003_net.py and common.py,
# see docs/benchmarks.md), JAVA, JAVA_OPTS.
set -euo pipefail

ROUNDS=3
SEEDS=8
ONLY=all
BUILD=1
OUT=/tmp/neurostream-compare
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) ROUNDS="$2"; shift 2 ;;
    --seeds) SEEDS="$2"; shift 2 ;;
    --only) ONLY="$2"; shift 2 ;;
    --skip-build) BUILD=0; shift ;;
    -h|--help) sed -n '2,21p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "unknown option $1 (see --help)" >&2; exit 2 ;;
    *) OUT="$1"; shift ;;
  esac
done
case "$ONLY" in all|compare|spread|summary) ;; *) echo "--only must be compare, spread or summary" >&2; exit 2 ;; esac

REPO="$(cd "$(dirname "$0")/.." && pwd)"
BRIAN2_DIR="${BRIAN2_DIR:-}"
JAVA="${JAVA:-java}"
PY=/usr/bin/python3

mkdir -p "$OUT/results"
OUT="$(cd "$OUT" && pwd)"

# ---------------------------------------------------------------- prerequisites (installs nothing)
if [ "$ONLY" != summary ]; then
  missing=""
  [ -x "$PY" ] && "$PY" -c 'import brian2' 2>/dev/null || missing="$missing python3-brian python3-brian-lib cython3"
  command -v g++ >/dev/null || missing="$missing g++"
  [ -x /usr/bin/time ] || missing="$missing time"
  if [ -n "$missing" ]; then
    echo "Brian2's C++ standalone build needs Debian packages:$missing" >&2
    echo "  apt-get update && apt-get install -y python3-brian python3-brian-lib cython3 g++ time" >&2
    exit 1
  fi
  [ -n "$BRIAN2_DIR" ] || { echo "set BRIAN2_DIR to the directory of the Brian2 benchmark programs (cuba.py, izh2003_net.py, common.py; see docs/benchmarks.md)" >&2; exit 1; }
  for f in cuba.py izh2003_net.py common.py; do
    [ -f "$BRIAN2_DIR/$f" ] || { echo "no $BRIAN2_DIR/$f: set BRIAN2_DIR to the Brian2 benchmark scripts" >&2; exit 1; }
  done
  command -v "$JAVA" >/dev/null || { echo "no java (set JAVA)" >&2; exit 1; }

  if [ "$BUILD" = 1 ]; then
    echo "building ops (mvn -pl ops -am package -DskipTests)" >&2
    (cd "$REPO" && mvn -B -q -pl ops -am package -DskipTests)
  fi
  [ -f "$REPO/ops/target/classpath.txt" ] || { echo "ops is not built: mvn -B -q -pl ops -am package -DskipTests" >&2; exit 1; }
  CP="$REPO/ops/target/classes:$(cat "$REPO/ops/target/classpath.txt")"

  B2="$OUT/brian2-bench"
  rm -rf "$B2" && cp -r "$BRIAN2_DIR" "$B2" && mkdir -p "$B2/results"
fi

# ---------------------------------------------------------------- runners
# Each prints the RESULT object of one run (the last RESULT line); progress goes to stderr.
result_of() { grep '^RESULT ' | tail -n 1 | cut -c8-; }

brian2() { # brian2 NETWORK ARGS...
  local net="$1"; shift
  local script=cuba.py extra=() dir="$OUT/b2sa_$net"
  case "$net" in
    cuba) ;;
    cuba40k) extra=(--scale 10) ;;
    izhikevich2003) script=izh2003_net.py ;;
  esac
  (cd "$B2" && "$PY" -W ignore "$script" --target cpp_standalone "${extra[@]}" --outdir "$dir" "$@") | result_of
}

ours() { # ours NETWORK ARGS...
  # shellcheck disable=SC2086
  "$JAVA" ${JAVA_OPTS:-} -cp "$CP" io.neurostream.ops.bench.BenchCommand "$@" | result_of
}

record() { # record FILE SIMULATOR NETWORK KEY VALUE RESULT
  local r="$6"
  [ -n "$r" ] || { echo "no RESULT from $2 $3 ($4 $5)" >&2; exit 1; }
  printf '{"simulator":"%s","network":"%s","%s":%s,"result":%s}\n' "$2" "$3" "$4" "$5" "$r" >> "$1"
  "$PY" -c 'import json,sys; r=json.loads(sys.argv[1]); print("  %-11s %-14s t_sim %.4f s  E %.3f Hz  I %.3f Hz  %d syn events" % (sys.argv[2], sys.argv[3], r["t_sim"], r["rate_e_hz"], r["rate_i_hz"], r["syn_events"]), file=sys.stderr)' "$r" "$2" "$3"
}

# ---------------------------------------------------------------- compare: interleaved rounds
if [ "$ONLY" = all ] || [ "$ONLY" = compare ]; then
  F="$OUT/results/compare.jsonl"; : > "$F"
  for round in $(seq 1 "$ROUNDS"); do
    echo "round $round/$ROUNDS" >&2
    for net in cuba izhikevich2003 cuba40k; do
      record "$F" brian2 "$net" round "$round" "$(brian2 "$net" --repeat 3)"
      record "$F" neurostream "$net" round "$round" "$(ours "$net" --threads 1 --repeat 3)"
    done
  done
fi

# ---------------------------------------------------------------- spread: rates over seeds
if [ "$ONLY" = all ] || [ "$ONLY" = spread ]; then
  F="$OUT/results/spread.jsonl"; : > "$F"
  for seed in $(seq 1 "$SEEDS"); do
    echo "seed $seed/$SEEDS" >&2
    for net in cuba izhikevich2003; do
      record "$F" brian2 "$net" seed "$seed" "$(brian2 "$net" --repeat 1 --seed "$seed")"
      record "$F" neurostream "$net" seed "$seed" "$(ours "$net" --threads 1 --repeat 1 --warmup 0 --seed "$seed")"
    done
  done
fi

# ---------------------------------------------------------------- summary
"$PY" - "$OUT/results" <<'EOF'
import datetime, json, os, statistics, subprocess, sys

res = sys.argv[1]
def dump(x, ind=''):  # JSON, one key per line, lists on one line
    if isinstance(x, dict):
        inner = ind + '  '
        return '{\n' + ',\n'.join(inner + json.dumps(k) + ': ' + dump(v, inner) for k, v in x.items()) + '\n' + ind + '}'
    return json.dumps(x)
def load(name):
    p = os.path.join(res, name)
    return [json.loads(l) for l in open(p)] if os.path.exists(p) else []

out = []
comp = load('compare.jsonl')
if comp:
    out.append('## Side by side, one thread each\n')
    out.append('t_sim: fastest main loop of 3 runs. Brian2 C++ standalone without OpenMP times its main loop with '
               'std::clock(), i.e. process CPU time; ours is wall-clock time (t_sim) and CPU time of all JVM threads (t_sim_cpu). '
               'ratio = ours / Brian2.\n')
    for net in ['cuba', 'izhikevich2003', 'cuba40k']:
        rows = [c for c in comp if c['network'] == net]
        rounds = sorted({c['round'] for c in rows})
        get = lambda sim, r: next(c['result'] for c in rows if c['simulator'] == sim and c['round'] == r)
        cpu = lambda r: get('neurostream', r).get('t_sim_cpu', float('nan'))
        ratios = [get('neurostream', r)['t_sim'] / get('brian2', r)['t_sim'] for r in rounds]
        cratios = [cpu(r) / get('brian2', r)['t_sim'] for r in rounds]
        out.append(f'### {net}\n')
        out.append('| round | Brian2 t_sim (s, CPU) | ours t_sim (s, wall) | ours t_sim_cpu (s) | ratio wall | ratio CPU '
                   '| Brian2 E / I (Hz) | ours E / I (Hz) | Brian2 syn events | ours syn events | load 1 min |')
        out.append('|---|---|---|---|---|---|---|---|---|---|---|')
        for r, q, qc in zip(rounds, ratios, cratios):
            b, o = get('brian2', r), get('neurostream', r)
            out.append(f"| {r} | {b['t_sim']:.4f} | {o['t_sim']:.4f} | {cpu(r):.4f} | {q:.2f} | {qc:.2f} "
                       f"| {b['rate_e_hz']:.3f} / {b['rate_i_hz']:.3f} | {o['rate_e_hz']:.3f} / {o['rate_i_hz']:.3f} "
                       f"| {b['syn_events']:,} | {o['syn_events']:,} | {o['loadavg_1m_at_end']:.1f} |")
        bm = statistics.median(get('brian2', r)['t_sim'] for r in rounds)
        om = statistics.median(get('neurostream', r)['t_sim'] for r in rounds)
        cm = statistics.median(cpu(r) for r in rounds)
        o = get('neurostream', rounds[0])
        out.append(f"| **median** | {bm:.4f} | {om:.4f} | {cm:.4f} | **{statistics.median(ratios):.2f}** "
                   f"| **{statistics.median(cratios):.2f}** | | | | | |\n")
        out.append(f"synapses: Brian2 {get('brian2', rounds[0])['synapses']:,}, NeuroStream {o['synapses']:,}; "
                   f"NeuroStream bytes per synapse: static CSR {o['bytes_per_synapse']:.2f}, "
                   f"heap held by the network {o['heap_bytes_per_synapse']:.2f}\n")
    small = [c['result'] for c in comp if c['simulator'] == 'brian2' and c['network'] == 'cuba']
    large = [c['result'] for c in comp if c['simulator'] == 'brian2' and c['network'] == 'cuba40k']
    if small and large and 't_binary_maxrss_kib' in small[0] and 't_binary_maxrss_kib' in large[0]:
        rss = lambda rs: statistics.median(r['t_binary_maxrss_kib'] for r in rs) * 1024
        per = (rss(large) - rss(small)) / (large[0]['synapses'] - small[0]['synapses'])
        out.append(f"Brian2 bytes per synapse, from its binary's max RSS (GNU time), CUBA 40,000 minus CUBA 4000, "
                   f"over the synapses added (includes the 36,000 extra neurons and spike monitor): {per:.1f}\n")

spread = load('spread.jsonl')
rates = {}
if spread:
    seeds = sorted({s['seed'] for s in spread})
    nseeds = f'{seeds[0]}..{seeds[-1]}' if seeds == list(range(seeds[0], seeds[-1] + 1)) else ', '.join(map(str, seeds))
    out.append(f'## Rates over seeds {nseeds} (mean ± sd, sample sd)\n')
    out.append('| network | simulator | rate E (Hz) | rate I (Hz) | synaptic events |')
    out.append('|---|---|---|---|---|')
    for net in ['cuba', 'izhikevich2003']:
        for sim in ['brian2', 'neurostream']:
            rs = sorted((s for s in spread if s['network'] == net and s['simulator'] == sim), key=lambda s: s['seed'])
            if not rs:
                continue
            entry = {'seeds': [s['seed'] for s in rs]}
            for k in ['rate_e_hz', 'rate_i_hz', 'syn_events']:
                v = [s['result'][k] for s in rs]
                entry[k] = {'mean': statistics.mean(v), 'sd': statistics.stdev(v) if len(v) > 1 else 0.0, 'values': v}
            if sim == 'brian2':
                rates[net] = entry
            e, i, s = entry['rate_e_hz'], entry['rate_i_hz'], entry['syn_events']
            out.append(f"| {net} | {sim} | {e['mean']:.3f} ± {e['sd']:.3f} | {i['mean']:.3f} ± {i['sd']:.3f} "
                       f"| {s['mean']:,.0f} ± {s['sd']:,.0f} |")
    out.append('')
    b2v = next(s['result'].get('brian2', '?') for s in spread if s['simulator'] == 'brian2')
    rates['source'] = (f"Brian2 {b2v} (Debian python3-brian), cpp_standalone, one thread (no OpenMP), 1 s simulated, "
                       f"seeds {nseeds}, in a copy of the Brian2 benchmark programs (BRIAN2_DIR): "
                       f"/usr/bin/python3 -W ignore cuba.py --target cpp_standalone --outdir DIR --repeat 1 --seed S; "
                       f"/usr/bin/python3 -W ignore izh2003_net.py --target cpp_standalone --outdir DIR --repeat 1 --seed S "
                       f"(run by bench/compare-brian2.sh --only spread on {datetime.date.today().isoformat()}). "
                       f"rate = spikes of the class / its neurons / 1 s; syn_events = sum over neurons of spikes x out-degree; "
                       f"sd is the sample standard deviation (n-1)")
    with open(os.path.join(res, 'brian2-rates.json'), 'w') as f:
        f.write(dump(rates) + '\n')

text = '\n'.join(out)
with open(os.path.join(res, 'summary.md'), 'w') as f:
    f.write(text + '\n')
print(text)
EOF
echo "results in $OUT/results" >&2
