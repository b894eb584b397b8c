"""Reads a network's spikes and rates into NumPy, sends it a current, and prints what it saw.

    /usr/bin/python3 example.py --network demo --population V1_E
"""
import argparse

import numpy as np

from neurostream_client import NeuroStream, plot_raster, spike_checksum

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--bootstrap-server", default="localhost:9092")
parser.add_argument("--topic-prefix", default="neurostream.")
parser.add_argument("--network", default="demo")
parser.add_argument("--last-ticks", type=int, help="read only about the newest N ticks' spikes")
parser.add_argument("--until-tick", type=int, help="wait for the spikes of every tick before this one")
parser.add_argument("--population", help="send a 1000-tick current into this population")
parser.add_argument("--current", type=float, default=5.0, help="the current, in the model's input unit")
parser.add_argument("--spikes-csv", help="save the spikes here: tick,neuron per line")
parser.add_argument("--raster", help="save a raster plot here (PNG; needs matplotlib)")
args = parser.parse_args()

with NeuroStream(args.bootstrap_server, topic_prefix=args.topic_prefix) as ns:
    status = ns.status(args.network)
    print(f"{args.network}: {status['state']} at tick {status['tick']} (dt {status['dt_ms']} ms)")

    from_tick = max(0, status["tick"] - args.last_ticks) if args.last_ticks else None
    spikes = ns.spikes(args.network, from_tick=from_tick, until_tick=args.until_tick)
    neurons = np.unique(spikes.neurons).size
    print(f"{len(spikes.ticks)} spikes of {neurons} neurons in ticks [{spikes.start_tick}, {spikes.end_tick}),"
          f" {spikes.frames} frames, checksum {spike_checksum(spikes.ticks, spikes.neurons)}")
    if args.spikes_csv:
        np.savetxt(args.spikes_csv, np.column_stack([spikes.ticks, spikes.neurons]), fmt="%d", delimiter=",")
    if args.raster:
        ax = plot_raster(spikes, dt_ms=status["dt_ms"])
        ax.figure.savefig(args.raster, dpi=100)

    rates = ns.rates(args.network)
    whole = np.array([a is None and c is None for a, c in zip(rates["area"], rates["e_class"])], dtype=bool)
    if whole.any():
        print(f"{len(rates['rate_hz'])} rates; whole network, last window:"
              f" {rates['rate_hz'][whole][-1]:.1f} Hz, mean {rates['rate_hz'][whole].mean():.1f} Hz")
    else:
        print(f"{len(rates['rate_hz'])} rates")

    if args.population:
        input_id = ns.send_current(args.network, args.current, populations=[args.population], duration_ticks=1000)
        print(f"sent {args.current} into {args.population} for 1000 ticks: input {input_id}")
