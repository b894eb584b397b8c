"""NeuroStream from Python: a network's spikes and rates as NumPy arrays, inputs, statuses.

A small client for notebooks and scripts. It reads the topics a NeuroStream simulator and its analytics
write (docs/topics.md) and writes inputs to ``external-input``, with the same records the Java modules
use: Avro single-object encoding without a schema registry, i.e. the two bytes ``C3 01``, the 8-byte
little-endian CRC-64-AVRO fingerprint of the writer schema's Parsing Canonical Form, then the Avro
binary body.

The writer schemas are the released versions the Java ``schemas`` module keeps
(``schemas/src/main/resources/io/neurostream/schemas/released/<Record>/v<n>.avsc``, also inside the
``neurostream-schemas`` jar). Every released version is accepted by its fingerprint and resolved to the
newest one, so a record written by an older simulator decodes to the same dict as a new one (a field
added later reads as its default). Those files are self-contained: types that ``src/main/avro``
declares in a file of their own (``Target``, ``EClass``, ...) are inlined where they are used, which is
what the fingerprint is computed over (see :func:`canonical_form`).

Dependencies: ``confluent_kafka``, ``avro`` and ``numpy`` (Debian: ``python3-confluent-kafka``,
``python3-avro``, ``python3-numpy``); ``matplotlib`` only for :func:`plot_raster`.

    ns = NeuroStream("localhost:9092")
    spikes = ns.spikes("demo")                         # every committed spike so far
    spikes.ticks, spikes.neurons                       # int64 and int32 arrays, ordered by tick, neuron
    ns.send_current("demo", 5.0, populations=["V1_E"], duration_ticks=1000)
"""

import io
import json
import os
import time
import uuid
import zipfile
from collections import namedtuple

import avro.io
import avro.schema
import numpy as np
from confluent_kafka import Consumer, KafkaError, KafkaException, Producer, TopicPartition

__all__ = [
    "NeuroStream", "Schemas", "Spikes", "BadRecord", "SpikeAssembler", "canonical_form", "fingerprint",
    "crc64_avro", "spike_checksum", "unpack_spikes", "plot_raster", "DEFAULT_TOPIC_PREFIX", "SCHEMAS_ENV",
]

#: The default prefix of topic names (the simulator's ``neurostream.topic.prefix``).
DEFAULT_TOPIC_PREFIX = "neurostream."
#: Environment variable naming where the released schemas are: a folder or a jar (see :class:`Schemas`).
SCHEMAS_ENV = "NEUROSTREAM_SCHEMAS"
#: Where released versions live inside the schemas jar or resources folder.
RELEASED_ROOT = "io/neurostream/schemas/released/"

_MAGIC = b"\xc3\x01"
_HEADER_BYTES = 10
_PRIMITIVES = frozenset(["null", "boolean", "int", "long", "float", "double", "bytes", "string"])
_MASK64 = (1 << 64) - 1


class BadRecord(ValueError):
    """A value that is not a NeuroStream record: no single-object header, an unknown fingerprint, a bad body."""


# ---------------------------------------------------------------------------------------------------
# Fingerprints: CRC-64-AVRO over the Parsing Canonical Form

_EMPTY64 = 0xC15D213AA4D7A795


def _crc_table():
    table = []
    for i in range(256):
        fp = i
        for _ in range(8):
            fp = (fp >> 1) ^ (_EMPTY64 if fp & 1 else 0)
        table.append(fp)
    return table


_CRC_TABLE = _crc_table()


def crc64_avro(data):
    """The CRC-64-AVRO fingerprint of ``data`` (bytes), as the Avro specification defines it."""
    fp = _EMPTY64
    for b in data:
        fp = (fp >> 8) ^ _CRC_TABLE[(fp ^ b) & 0xFF]
    return fp


def canonical_form(schema, named=None):
    """The Parsing Canonical Form of a schema (parsed JSON: dict, list or str), as a string.

    Only what decides how data is read is kept (names made full, then type, fields, symbols, items,
    values, size, in that order); docs, defaults, aliases and other properties go, and a primitive with
    properties becomes its bare name: ``{"type": "string", "avro.java.string": "String"}`` is
    ``"string"``. (Debian's python3-avro 1.11 keeps the braces, which gives a different fingerprint from
    Java's, so this module does not use its ``canonical_form``.)

    A named type appears in full at its first use and as its full name after that. ``named`` maps full
    names to definitions kept elsewhere, e.g. the other ``.avsc`` files of ``src/main/avro``: a
    reference to a name not yet defined in ``schema`` is replaced by (inlined as) that definition. The
    fingerprint of a schema that merely references ``Target`` is a different number from the one Java
    writes, because Java's parser has the definition in place.
    """
    return _pcf(schema, "", set(), named or {})


def _full_name(name, namespace):
    if "." in name or not namespace:
        return name
    return namespace + "." + name


def _pcf(s, namespace, seen, named):
    if isinstance(s, str):
        if s in _PRIMITIVES:
            return json.dumps(s)
        full = _full_name(s, namespace)
        if full not in seen and full in named:
            return _pcf(named[full], namespace, seen, named)
        return json.dumps(full)
    if isinstance(s, list):
        return "[" + ",".join(_pcf(branch, namespace, seen, named) for branch in s) + "]"
    if not isinstance(s, dict):
        raise ValueError("not a schema: %r" % (s,))
    t = s["type"]
    if isinstance(t, str) and t in ("record", "error", "enum", "fixed"):
        full = _full_name(s["name"], s.get("namespace", namespace))
        if full in seen:
            return json.dumps(full)
        seen.add(full)
        inner = full.rsplit(".", 1)[0] if "." in full else ""
        out = ['"name":' + json.dumps(full), '"type":' + json.dumps(t)]
        if t in ("record", "error"):
            fields = ['{"name":' + json.dumps(f["name"]) + ',"type":' + _pcf(f["type"], inner, seen, named) + "}"
                      for f in s["fields"]]
            out.append('"fields":[' + ",".join(fields) + "]")
        elif t == "enum":
            out.append('"symbols":[' + ",".join(json.dumps(x) for x in s["symbols"]) + "]")
        else:
            out.append('"size":' + str(int(s["size"])))
        return "{" + ",".join(out) + "}"
    if t == "array":
        return '{"type":"array","items":' + _pcf(s["items"], namespace, seen, named) + "}"
    if t == "map":
        return '{"type":"map","values":' + _pcf(s["values"], namespace, seen, named) + "}"
    return _pcf(t, namespace, seen, named)  # {"type": "string", ...props} or {"type": "Target"}


def fingerprint(schema, named=None):
    """The single-object encoding's fingerprint of a schema: CRC-64-AVRO of :func:`canonical_form`."""
    return crc64_avro(canonical_form(schema, named).encode("utf-8"))


# ---------------------------------------------------------------------------------------------------
# Released schemas: decode any version, encode with the newest

_Version = namedtuple("_Version", "record version json schema fingerprint")


class Schemas:
    """Every released version of every record, by fingerprint.

    ``source`` is a folder or a jar/zip holding ``io/neurostream/schemas/released/<Record>/v<n>.avsc``
    (the schemas module's ``src/main/resources``, the repository root, the released folder itself, or
    ``neurostream-schemas-*.jar``). Without it: the environment variable ``NEUROSTREAM_SCHEMAS``, else
    the repository this file sits in.
    """

    def __init__(self, source=None):
        files = _released_files(_schema_source(source))
        self._versions = {}
        self.by_fingerprint = {}
        for (record, n), text in sorted(files.items()):
            parsed = json.loads(text)
            v = _Version(record, n, parsed, avro.schema.parse(text), fingerprint(parsed))
            self._versions.setdefault(record, []).append(v)
            self.by_fingerprint[v.fingerprint] = v
        for record, versions in self._versions.items():
            numbers = [v.version for v in versions]
            if numbers != list(range(1, len(numbers) + 1)):
                raise ValueError("released versions of %s are %s, not 1 .. %d" % (record, numbers, len(numbers)))
        if not self._versions:
            raise ValueError("no released schemas found")
        self._readers = {}

    def records(self):
        """The names of the records with released versions."""
        return sorted(self._versions)

    def versions(self, record):
        """The released versions of ``record``, oldest first, as (version, fingerprint) pairs."""
        return [(v.version, v.fingerprint) for v in self._latest_list(record)]

    def latest(self, record):
        """The newest released schema of ``record`` (an ``avro.schema.Schema``)."""
        return self._latest_list(record)[-1].schema

    def _latest_list(self, record):
        if record not in self._versions:
            raise ValueError("no released record %s (known: %s)" % (record, ", ".join(self.records())))
        return self._versions[record]

    def decode(self, value, record=None):
        """A record (dict) from its single-object encoding, read with the newest version of its record.

        ``record`` (e.g. ``"SpikeBatch"``), when given, is what the value must be. Raises
        :class:`BadRecord` for a value without the header, with a fingerprint of no released version,
        of another record, or with a body that does not decode.
        """
        if value is None or len(value) < _HEADER_BYTES or value[:2] != _MAGIC:
            raise BadRecord("not a single-object encoded Avro record (no C3 01 header): %r" % (bytes(value or b"")[:12],))
        fp = int.from_bytes(value[2:_HEADER_BYTES], "little")
        writer = self.by_fingerprint.get(fp)
        if writer is None:
            raise BadRecord("unknown writer schema fingerprint %s (header bytes %s): written by a newer "
                            "release? update the schemas" % (hex(fp), value[2:_HEADER_BYTES].hex()))
        if record is not None and writer.record != record:
            raise BadRecord("a %s v%d record where %s was expected" % (writer.record, writer.version, record))
        reader = self._readers.get(fp)
        if reader is None:
            reader = avro.io.DatumReader(writer.schema, self.latest(writer.record))
            self._readers[fp] = reader
        try:
            return reader.read(avro.io.BinaryDecoder(io.BytesIO(value[_HEADER_BYTES:])))
        except Exception as e:  # the avro library raises several unrelated types for a bad body
            raise BadRecord("%s v%d record does not decode: %s" % (writer.record, writer.version, e)) from e

    def encode(self, record, datum):
        """The single-object encoding of ``datum`` (a dict) with the newest version of ``record``; fields
        left out take their schema defaults."""
        newest = self._latest_list(record)[-1]
        full = _with_defaults(newest.json, datum, newest.json.get("namespace", ""), {})
        out = io.BytesIO()
        out.write(_MAGIC)
        out.write(newest.fingerprint.to_bytes(8, "little"))
        avro.io.DatumWriter(newest.schema).write(full, avro.io.BinaryEncoder(out))
        return out.getvalue()


def _with_defaults(schema, datum, namespace, defined):
    """``datum`` with the defaults of missing record fields filled in, recursively (the avro library's
    writer wants every field)."""
    if isinstance(schema, str):
        full = _full_name(schema, namespace)
        return _with_defaults(defined[full], datum, namespace, defined) if full in defined else datum
    if isinstance(schema, list):
        for branch in schema:
            b = defined.get(_full_name(branch, namespace)) if isinstance(branch, str) else branch
            if isinstance(b, dict) and b.get("type") == "record" and isinstance(datum, dict):
                return _with_defaults(b, datum, namespace, defined)
        return datum
    t = schema.get("type")
    if isinstance(t, (dict, list)) or (isinstance(t, str) and t not in ("record", "enum", "fixed", "array", "map")
                                       and t not in _PRIMITIVES):
        return _with_defaults(t, datum, namespace, defined)
    if t in ("record", "enum", "fixed"):
        full = _full_name(schema["name"], schema.get("namespace", namespace))
        defined[full] = schema
        namespace = full.rsplit(".", 1)[0] if "." in full else ""
    if t == "record" and isinstance(datum, dict):
        unknown = set(datum) - {f["name"] for f in schema["fields"]}
        if unknown:
            raise ValueError("%s has no field %s" % (schema["name"], ", ".join(sorted(unknown))))
        out = {}
        for f in schema["fields"]:
            if f["name"] in datum:
                out[f["name"]] = _with_defaults(f["type"], datum[f["name"]], namespace, defined)
            elif "default" in f:
                out[f["name"]] = f["default"]
            else:
                raise ValueError("%s needs field %s" % (schema["name"], f["name"]))
        return out
    if t == "array" and isinstance(datum, (list, tuple)):
        return [_with_defaults(schema["items"], x, namespace, defined) for x in datum]
    return datum


def _schema_source(source):
    if source is not None:
        return str(source)
    env = os.environ.get(SCHEMAS_ENV)
    if env:
        return env
    here = os.path.dirname(os.path.abspath(__file__))
    for up in (os.path.join(here, "..", ".."), here):
        candidate = os.path.join(up, "schemas", "src", "main", "resources")
        if os.path.isdir(os.path.join(candidate, RELEASED_ROOT)):
            return os.path.normpath(candidate)
    raise ValueError("where are the released schemas? pass Schemas(source) or set %s to the neurostream-schemas "
                     "jar or to schemas/src/main/resources of a NeuroStream checkout" % SCHEMAS_ENV)


def _read_text(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def _released_files(source):
    """{(record, n): text} of every released/<Record>/v<n>.avsc under ``source`` (folder or jar)."""
    found = {}

    def add(path, read):
        rel = path.replace(os.sep, "/")
        if RELEASED_ROOT not in rel and not rel.startswith("released/"):
            rel = RELEASED_ROOT + rel
        parts = rel.split("/")
        if len(parts) >= 2 and parts[-1].startswith("v") and parts[-1].endswith(".avsc") and parts[-1][1:-5].isdigit():
            found[(parts[-2], int(parts[-1][1:-5]))] = read()

    if os.path.isfile(source):
        with zipfile.ZipFile(source) as jar:
            for name in jar.namelist():
                if name.startswith(RELEASED_ROOT) and name.endswith(".avsc"):
                    add(name, lambda n=name: jar.read(n).decode("utf-8"))
    elif os.path.isdir(source):
        root = source
        for sub in (os.path.join("schemas", "src", "main", "resources", RELEASED_ROOT), RELEASED_ROOT):
            if os.path.isdir(os.path.join(source, sub)):
                root = os.path.join(source, sub)
                break
        for dirpath, _, names in os.walk(root):
            for name in names:
                if name.endswith(".avsc"):
                    path = os.path.join(dirpath, name)
                    add(os.path.relpath(path, root), lambda p=path: _read_text(p))
    else:
        raise ValueError("no such schemas folder or jar: %s" % source)
    if not found:
        raise ValueError("no released schemas (%s<Record>/v<n>.avsc) under %s" % (RELEASED_ROOT, source))
    return found


# ---------------------------------------------------------------------------------------------------
# Spikes

#: A network's spikes: ``ticks`` (int64) and ``neurons`` (int32), one entry per spike, ordered by tick,
#: then neuron; the frames read cover ticks [``start_tick``, ``end_tick``); ``frames``: how many.
Spikes = namedtuple("Spikes", "ticks neurons start_tick end_tick frames")


def unpack_spikes(batch):
    """(ticks, neurons) of one whole SpikeBatch (dict): int64 and int32 arrays.

    ``neuron_ids`` holds ``count`` little-endian int32, ``tick_offsets`` ``count`` little-endian uint16;
    spike i is neuron ``neuron_ids[i]`` on tick ``first_tick + tick_offsets[i]``.
    """
    count = batch["count"]
    ids, offsets = batch["neuron_ids"], batch["tick_offsets"]
    if count < 0 or len(ids) != 4 * count or len(offsets) != 2 * count:
        raise BadRecord("SpikeBatch of %s frame %d says %d spikes but carries %d bytes of neuron ids and %d of tick "
                        "offsets" % (batch["network_id"], batch["frame"], count, len(ids), len(offsets)))
    neurons = np.frombuffer(ids, dtype="<i4").astype(np.int32)
    off = np.frombuffer(offsets, dtype="<u2").astype(np.int64)
    if count and off.max() >= batch["ticks"]:
        raise BadRecord("SpikeBatch of %s frame %d has a tick offset outside its %d ticks"
                        % (batch["network_id"], batch["frame"], batch["ticks"]))
    return batch["first_tick"] + off, neurons


class SpikeAssembler:
    """Reassembles frames split into parts (SpikeBatch ``part``/``parts``), for one network's batches in
    offset order, as io.neurostream.schemas.SpikeBatches.Assembler does: :meth:`add` returns the whole
    frame (part 0 of 1) once its last part is in, else None; a part that does not continue the frame
    being assembled drops that frame and counts it in ``dropped``."""

    def __init__(self):
        self.dropped = 0
        self._reset(False)

    def _reset(self, drop):
        if drop:
            self.dropped += 1
        self._first = None
        self._next = 0
        self._ids = []
        self._offsets = []
        self._count = 0

    def add(self, part):
        parts = max(1, part.get("parts", 1))
        if parts == 1 and part.get("part", 0) == 0:
            if self._first is not None:
                self._reset(True)
            return part
        if part["part"] == 0:
            if self._first is not None:
                self._reset(True)
            self._first = part
        elif (self._first is None or part["frame"] != self._first["frame"] or part["part"] != self._next
              or part["parts"] != self._first["parts"]):
            self._reset(self._first is not None)
            return None
        self._ids.append(part["neuron_ids"])
        self._offsets.append(part["tick_offsets"])
        self._count += part["count"]
        self._next = part["part"] + 1
        if self._next < parts:
            return None
        whole = dict(self._first, count=self._count, neuron_ids=b"".join(self._ids),
                     tick_offsets=b"".join(self._offsets), part=0, parts=1)
        self._reset(False)
        return whole


def _mix(z):
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK64
    return z ^ (z >> 31)


def spike_checksum(ticks, neurons):
    """The spike checksum ``neurostream run`` prints (io.neurostream.engine.SpikeChecksum), 16 hex digits:
    ``h = mix(h ^ (tick * 2**32 + neuron))`` over the spikes in order (by tick, then neuron), from
    ``0x6E6575726F737472``, where mix is SplitMix64's finaliser. Equal spikes give equal checksums."""
    h = 0x6E6575726F737472
    for t, n in zip(np.asarray(ticks, dtype=np.int64).tolist(), np.asarray(neurons, dtype=np.int64).tolist()):
        h = _mix(h ^ (((t << 32) + (n & 0xFFFFFFFF)) & _MASK64))
    return "%016x" % h


def plot_raster(spikes, dt_ms=None, ax=None, **scatter):
    """A raster plot of :class:`Spikes` (neuron over tick, or over ms when ``dt_ms`` is given) on
    ``ax`` (a new figure if None); returns the axes. Needs matplotlib (Debian: python3-matplotlib)."""
    try:
        import matplotlib.pyplot as plt
    except ImportError as e:
        raise ImportError("plot_raster needs matplotlib: apt-get install python3-matplotlib "
                          "(or pip install matplotlib)") from e
    if ax is None:
        _, ax = plt.subplots(figsize=(10, 4))
    x = spikes.ticks * dt_ms if dt_ms else spikes.ticks
    scatter.setdefault("s", 1)
    scatter.setdefault("marker", "|")
    scatter.setdefault("color", "black")
    ax.scatter(x, spikes.neurons, **scatter)
    ax.set_xlabel("time (ms)" if dt_ms else "tick")
    ax.set_ylabel("neuron")
    return ax


# ---------------------------------------------------------------------------------------------------
# The client

class NeuroStream:
    """Reads a NeuroStream deployment's topics and sends it inputs.

    ``bootstrap_servers``: the Kafka cluster; ``topic_prefix``: the prefix of the topic names (the
    simulator's ``neurostream.topic.prefix``); ``config``: more librdkafka settings for both consumer
    and producer (security, e.g. ``{"security.protocol": "SASL_SSL", ...}``); ``schemas``: a
    :class:`Schemas` or its source; ``timeout_s``: how long a read waits at most.

    Every read is ``isolation.level=read_committed``: the simulator writes in transactions, and an
    aborted frame or journal entry never happened.
    """

    def __init__(self, bootstrap_servers, topic_prefix=DEFAULT_TOPIC_PREFIX, config=None, schemas=None, timeout_s=30.0):
        self.topic_prefix = topic_prefix
        self.timeout_s = timeout_s
        self.schemas = schemas if isinstance(schemas, Schemas) else Schemas(schemas)
        self._config = dict(config or {})
        self._config["bootstrap.servers"] = bootstrap_servers
        self._producer = None

    def topic(self, base_name):
        """The full name of a topic, e.g. ``topic("spikes")`` is ``neurostream.spikes``."""
        return self.topic_prefix + base_name

    def read(self, base_name, network_id=None, follow=False, timeout_s=None, from_timestamp_ms=None):
        """Yields the decoded records (dicts) of a topic in offset order per partition, only those keyed by
        ``network_id`` when given, from the beginning or from the first record whose Kafka timestamp is at
        least ``from_timestamp_ms``.

        Stops at the end the topic had when the read began; with ``follow``, goes on waiting for more
        (stop by leaving the loop). Raises TimeoutError after ``timeout_s`` without a record while
        records are still due.

        Only committed records are read (``isolation.level=read_committed``). The end is the high
        watermark taken at the start, not librdkafka's end-of-partition event: on a topic a running
        simulator writes, a transaction is nearly always open, and a read_committed consumer then never
        gets that event (the reason ``kcat -e`` does not exit on such topics).
        """
        timeout_s = self.timeout_s if timeout_s is None else timeout_s
        topic = self.topic(base_name)
        key = network_id.encode("utf-8") if network_id is not None else None
        consumer = Consumer(dict(self._config, **{
            "group.id": "neurostream-python-" + uuid.uuid4().hex[:12],
            "enable.auto.commit": False,
            "isolation.level": "read_committed",
            "enable.partition.eof": True,
            "auto.offset.reset": "earliest",
        }))
        try:
            meta = consumer.list_topics(topic, timeout=timeout_s).topics.get(topic)
            if meta is None or meta.error is not None or not meta.partitions:
                raise ValueError("no topic %s (is the topic prefix %r right?)" % (topic, self.topic_prefix))
            partitions = sorted(meta.partitions)
            ends = {}
            for p in partitions:
                low, high = consumer.get_watermark_offsets(TopicPartition(topic, p), timeout=timeout_s, cached=False)
                ends[p] = high
            starts = [TopicPartition(topic, p, -2) for p in partitions]  # -2: OFFSET_BEGINNING
            if from_timestamp_ms is not None:
                wanted = [TopicPartition(topic, p, int(from_timestamp_ms)) for p in partitions]
                starts = [TopicPartition(topic, t.partition, t.offset if t.offset >= 0 else ends[t.partition])
                          for t in consumer.offsets_for_times(wanted, timeout=timeout_s)]
            done = {t.partition for t in starts if t.offset >= ends[t.partition] or t.offset == -2 and ends[t.partition] == 0}
            if not follow and len(done) == len(partitions):
                return
            consumer.assign(starts)
            deadline = time.monotonic() + timeout_s
            while True:
                msg = consumer.poll(0.2)
                if msg is None:
                    if time.monotonic() > deadline:
                        raise TimeoutError("read %s for %.0f s without a new record before %s" % (
                            topic, timeout_s, "what was waited for" if follow else "its end"))
                    continue
                deadline = time.monotonic() + timeout_s
                if msg.error():
                    if msg.error().code() != KafkaError._PARTITION_EOF:
                        raise KafkaException(msg.error())
                    done.add(msg.partition())  # at the end with no transaction open
                else:
                    if msg.offset() + 1 >= ends[msg.partition()]:
                        done.add(msg.partition())
                    if key is None or msg.key() == key:
                        yield self.schemas.decode(msg.value())
                if not follow and len(done) == len(partitions):
                    return
        finally:
            consumer.close()

    def spikes(self, network_id, from_tick=None, until_tick=None, timeout_s=None):
        """The committed spikes of a network as :class:`Spikes` (frames split into parts reassembled).

        ``from_tick``: start with the first frame that begins at or after it (found by record timestamp,
        the run's epoch + tick x dt_ms, from the network's status) instead of the topic's beginning.
        Without ``until_tick``: up to what is committed now. With it: waits (up to ``timeout_s`` between
        frames) until the frames cover every tick before ``until_tick``, and keeps the ticks before it.
        The topic keeps a bounded history (docs/topics.md); a network that was reset or re-created under
        the same id has its earlier runs' spikes there too, ticks starting again from 0."""
        start_ms = None
        if from_tick is not None:
            status = self.status(network_id, timeout_s=timeout_s)
            if status is None:
                raise ValueError("network %s has no status, so no run epoch to find tick %d by" % (network_id, from_tick))
            start_ms = status["run_epoch_ms"] + int(from_tick * status["dt_ms"])
        assembler = SpikeAssembler()
        ticks, neurons = [], []
        start_tick, end_tick, frames = None, 0, 0
        for part in self.read("spikes", network_id, follow=until_tick is not None, timeout_s=timeout_s,
                              from_timestamp_ms=start_ms):
            batch = assembler.add(part)
            if batch is None or (from_tick is not None and batch["first_tick"] < from_tick):
                continue
            t, n = unpack_spikes(batch)
            ticks.append(t)
            neurons.append(n)
            frames += 1
            if start_tick is None:
                start_tick = batch["first_tick"]
            end_tick = batch["first_tick"] + batch["ticks"]
            if until_tick is not None and end_tick >= until_tick:
                break
        t = np.concatenate(ticks) if ticks else np.zeros(0, dtype=np.int64)
        n = np.concatenate(neurons) if neurons else np.zeros(0, dtype=np.int32)
        if until_tick is not None:
            keep = t < until_tick
            t, n, end_tick = t[keep], n[keep], min(end_tick, until_tick)
        return Spikes(t, n, end_tick if start_tick is None else start_tick, end_tick, frames)

    def rates(self, network_id, timeout_s=None):
        """The analytics' firing rates of a network so far, as columns (a dict of NumPy arrays, one entry
        per Rate record; ``pandas.DataFrame(rates)`` makes a table): window_start_ms, window_end_ms
        (epoch ms of record-timestamp time), area and e_class (None = all), spikes, neurons, rate_hz."""
        rows = list(self.read("rates", network_id, timeout_s=timeout_s))
        out = {
            "window_start_ms": np.array([r["window_start_ms"] for r in rows], dtype=np.int64),
            "window_end_ms": np.array([r["window_end_ms"] for r in rows], dtype=np.int64),
            "area": np.array([r["area"] for r in rows], dtype=object),
            "e_class": np.array([r["e_class"] for r in rows], dtype=object),
            "spikes": np.array([r["spikes"] for r in rows], dtype=np.int64),
            "neurons": np.array([r["neurons"] for r in rows], dtype=np.int32),
            "rate_hz": np.array([r["rate_hz"] for r in rows], dtype=np.float64),
        }
        return out

    def statuses(self, timeout_s=None):
        """The newest Status (dict) of every network, by network id (the compacted topic ``status``)."""
        latest = {}
        for s in self.read("status", timeout_s=timeout_s):
            latest[s["network_id"]] = s
        return latest

    def status(self, network_id, timeout_s=None):
        """The newest Status of one network, or None if it has none."""
        latest = None
        for s in self.read("status", network_id, timeout_s=timeout_s):
            latest = s
        return latest

    def send_input(self, network_id, kind, target, input_id=None, **fields):
        """Sends an ExternalInput to ``external-input`` and waits until the broker has it; returns its
        ``input_id`` (a new one if not given), which the journal (AppliedInput) and rejections echo.

        ``kind``: ``"CURRENT"``, ``"POISSON"`` or ``"MATRIX"``; ``target``: a Target dict with exactly
        one of populations, area, sense (+ z_layer), neurons, coordinates; ``fields``: the other
        ExternalInput fields (current, rate_hz, weight, tick, duration_ticks, ...; see
        ExternalInput.avsc). A bad input is not an exception here: the simulator puts it on ``rejected``.
        """
        input_id = input_id or "py-" + uuid.uuid4().hex[:16]
        value = self.schemas.encode("ExternalInput", dict(fields, network_id=network_id, input_id=input_id,
                                                          kind=kind, target=target))
        self._send(self.topic("external-input"), network_id, value)
        return input_id

    def send_current(self, network_id, current, populations=None, area=None, neurons=None, tick=None,
                     duration_ticks=1, input_id=None):
        """Sends a CURRENT input (``current`` in the model's input unit, into every targeted neuron on
        each of ``duration_ticks`` ticks from ``tick``, or from the next tick not yet computed);
        name the neurons by ``populations`` (list of names), ``area`` or ``neurons`` (ids). Returns the
        input id."""
        target = {k: v for k, v in (("populations", populations), ("area", area), ("neurons", neurons))
                  if v is not None}
        if len(target) != 1:
            raise ValueError("name the neurons one way: populations, area or neurons")
        return self.send_input(network_id, "CURRENT", target, input_id=input_id, current=float(current),
                               tick=tick, duration_ticks=int(duration_ticks))

    def _send(self, topic, key, value):
        if self._producer is None:
            # murmur2_random: the Java client's partitioner, so a network's input lands on the partition
            # number its control and simulator are on (librdkafka's default would hash differently)
            self._producer = Producer(dict(self._config, **{"partitioner": "murmur2_random", "acks": "all",
                                                            "enable.idempotence": True}))
        failure = []

        def delivered(err, _msg):
            if err is not None:
                failure.append(err)

        self._producer.produce(topic, key=key.encode("utf-8"), value=value, on_delivery=delivered)
        left = self._producer.flush(self.timeout_s)
        if failure:
            raise KafkaException(failure[0])
        if left:
            raise TimeoutError("the broker did not acknowledge the input within %.0f s" % self.timeout_s)

    def close(self):
        """Flushes and drops the producer (reads open and close their own consumers)."""
        if self._producer is not None:
            self._producer.flush(self.timeout_s)
            self._producer = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
