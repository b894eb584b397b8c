"""Tests of neurostream_client that need no broker: fingerprints, decoding of every released version,
encoding, spike unpacking and reassembly. Run from this folder: /usr/bin/python3 -m unittest -v"""
import glob
import json
import os
import unittest

import numpy as np

import neurostream_client as nc

REPO = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
GOLDEN = os.path.join(REPO, "schemas", "src", "test", "resources", "io", "neurostream", "schemas", "golden")
CURRENT = os.path.join(REPO, "schemas", "src", "main", "avro")


def read_bytes(path):
    with open(path, "rb") as f:
        return f.read()


def read_json(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


class FingerprintTest(unittest.TestCase):
    schemas = nc.Schemas()

    def test_every_golden_record_names_a_released_version_by_its_fingerprint_and_decodes(self):
        files = sorted(glob.glob(os.path.join(GOLDEN, "*.bin")))
        self.assertGreater(len(files), 10)
        for f in files:
            record, version = os.path.basename(f)[:-4].rsplit("-v", 1)
            value = read_bytes(f)
            with self.subTest(golden=os.path.basename(f)):
                fp = int.from_bytes(value[2:10], "little")
                self.assertEqual((int(version), fp), self.schemas.versions(record)[int(version) - 1])
                decoded = self.schemas.decode(value, record)
                fields = [x["name"] for x in read_json(os.path.join(CURRENT, record + ".avsc"))["fields"]]
                self.assertEqual(fields, list(decoded), "read with the newest version, every field present")

    def test_an_older_version_reads_with_the_newer_fields_defaults(self):
        v1 = self.schemas.decode(read_bytes(os.path.join(GOLDEN, "SpikeBatch-v1.bin")))
        self.assertEqual((0, 1), (v1["part"], v1["parts"]))
        applied = self.schemas.decode(read_bytes(os.path.join(GOLDEN, "AppliedInput-v1.bin")))
        self.assertEqual(-1, applied["run_id"])

    def test_the_fingerprint_of_a_source_schema_needs_its_referenced_types_inlined(self):
        sources = {}
        for f in glob.glob(os.path.join(CURRENT, "*.avsc")):
            s = read_json(f)
            sources[s["namespace"] + "." + s["name"]] = s
        referencing = 0
        for record in self.schemas.records():
            source = sources["io.neurostream.schemas.avro." + record]
            newest = self.schemas.versions(record)[-1][1]
            with self.subTest(record=record):
                self.assertEqual(newest, nc.fingerprint(source, named=sources))
                try:
                    alone = nc.fingerprint(source)
                except KeyError:
                    alone = None
                if alone != newest:
                    referencing += 1
        self.assertGreater(referencing, 0, "some record (Rate: EClass) references a type of another file")

    def test_a_primitive_with_properties_is_its_bare_name_in_the_canonical_form(self):
        self.assertEqual('"string"', nc.canonical_form({"type": "string", "avro.java.string": "String"}))
        self.assertEqual('{"type":"array","items":"int"}', nc.canonical_form({"type": "array", "items": "int", "doc": "x"}))

    def test_a_value_without_the_header_or_with_an_unknown_fingerprint_is_a_bad_record(self):
        with self.assertRaisesRegex(nc.BadRecord, "C3 01"):
            self.schemas.decode(b'{"x": 1}')
        with self.assertRaisesRegex(nc.BadRecord, "unknown writer schema fingerprint"):
            self.schemas.decode(b"\xc3\x01" + bytes(8) + b"\x00")
        status = read_bytes(os.path.join(GOLDEN, "Status-v3.bin"))
        with self.assertRaisesRegex(nc.BadRecord, "Status v3 record where SpikeBatch was expected"):
            self.schemas.decode(status, "SpikeBatch")

    def test_an_encoded_input_carries_the_newest_fingerprint_and_decodes_with_defaults(self):
        value = self.schemas.encode("ExternalInput", {"network_id": "n", "kind": "CURRENT",
                                                      "target": {"populations": ["E"]}, "current": 2.5})
        self.assertEqual(b"\xc3\x01" + self.schemas.versions("ExternalInput")[-1][1].to_bytes(8, "little"), value[:10])
        back = self.schemas.decode(value, "ExternalInput")
        self.assertEqual(["E"], back["target"]["populations"])
        self.assertIsNone(back["target"]["neurons"])
        self.assertEqual((1, 2.5, None), (back["duration_ticks"], back["current"], back["tick"]))
        with self.assertRaisesRegex(ValueError, "no field curent"):
            self.schemas.encode("ExternalInput", {"network_id": "n", "kind": "CURRENT", "target": {}, "curent": 1.0})


def batch(frame, part, parts, ticks_and_neurons, first_tick=100, ticks=10):
    offsets = [t - first_tick for t, _ in ticks_and_neurons]
    return {"network_id": "n", "frame": frame, "first_tick": first_tick, "ticks": ticks,
            "count": len(ticks_and_neurons),
            "neuron_ids": np.array([n for _, n in ticks_and_neurons], dtype="<i4").tobytes(),
            "tick_offsets": np.array(offsets, dtype="<u2").tobytes(), "part": part, "parts": parts}


class SpikeTest(unittest.TestCase):
    def test_a_batch_unpacks_into_ticks_and_neurons(self):
        ticks, neurons = nc.unpack_spikes(batch(0, 0, 1, [(100, 7), (100, 70000), (109, 3)]))
        self.assertEqual([100, 100, 109], ticks.tolist())
        self.assertEqual([7, 70000, 3], neurons.tolist())

    def test_an_offset_outside_the_frame_is_a_bad_record(self):
        with self.assertRaisesRegex(nc.BadRecord, "outside its 10 ticks"):
            nc.unpack_spikes(batch(0, 0, 1, [(110, 1)]))

    def test_parts_of_a_frame_are_joined_in_order_and_an_unfinished_frame_is_dropped(self):
        a = nc.SpikeAssembler()
        self.assertIsNone(a.add(batch(1, 0, 2, [(100, 1), (101, 2)])))
        whole = a.add(batch(1, 1, 2, [(105, 3)]))
        self.assertEqual((3, 0, 1), (whole["count"], whole["part"], whole["parts"]))
        self.assertEqual([100, 101, 105], nc.unpack_spikes(whole)[0].tolist())
        self.assertIsNone(a.add(batch(2, 0, 3, [(100, 1)])))
        self.assertIsNone(a.add(batch(2, 2, 3, [(100, 1)])))  # part 1 missing
        self.assertEqual(1, a.dropped)
        self.assertIsNotNone(a.add(batch(3, 0, 1, [])))


if __name__ == "__main__":
    unittest.main()
