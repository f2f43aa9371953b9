"""Metrics from Python steps into the runtime's registry (docs/observability.md, Python meter).

    from motia import metrics

    shipped = metrics.get_meter("shop").create_counter("shop.orders.shipped", unit="{order}")

    async def handler(order, ctx):
        shipped.add(1, {"kind": order["kind"]})

Counters, up-down counters and histograms, named like OpenTelemetry's Python API. Measurements
are summed per series in this process and sent to the engine in one frame at most every
``FLUSH_SECONDS`` (never a frame per measurement), as the Bun workers do.
"""

import threading

from . import _bridge

FLUSH_SECONDS = 0.5
# OpenTelemetry's default explicit buckets; unit "s" gets the runtime's seconds buckets instead.
_DEFAULT_BUCKETS = [0, 5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000]

_lock = threading.Lock()
_points = {}
_timer = None


def _labels(attributes):
    if not attributes:
        return {}
    out = {}
    for k, v in attributes.items():
        if v is None:
            continue
        if isinstance(v, bool):
            v = "true" if v else "false"
        elif isinstance(v, (list, tuple)):
            v = ",".join(str(x) for x in v)
        out[str(k)] = str(v)
    return out


def _measure(inst, value, attributes):
    global _timer
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError("motia.metrics: %s: expected a number, got %r" % (inst.name, value))
    labels = _labels(attributes)
    key = (inst.name, tuple(sorted(labels.items())))
    with _lock:
        p = _points.get(key)
        if p is None:
            p = {"name": inst.name, "type": inst.type, "attributes": labels, "values": []}
            if inst.unit:
                p["unit"] = inst.unit
            if inst.description:
                p["description"] = inst.description
            if inst.buckets is not None:
                p["buckets"] = inst.buckets
            _points[key] = p
        if inst.type == "histogram":
            p["values"].append(value)
        elif p["values"]:
            p["values"][0] += value
        else:
            p["values"].append(value)
        if _timer is None:
            _timer = threading.Timer(FLUSH_SECONDS, flush)
            _timer.daemon = True
            _timer.start()


def flush():
    """Sends what was measured since the last flush (called on a timer; callable any time)."""
    global _points, _timer
    with _lock:
        points, _points, _timer = _points, {}, None
    if points:
        try:
            _bridge.send({"type": "metrics", "points": list(points.values())})
        except RuntimeError:
            pass  # not under the engine (a unit test importing the step): nowhere to send


class _Instrument:
    type = "counter"

    def __init__(self, name, unit="", description="", buckets=None):
        self.name = name
        self.unit = unit or ""
        self.description = description or ""
        self.buckets = buckets


class Counter(_Instrument):
    """A monotonic sum: ``add`` a non-negative amount."""

    type = "counter"

    def add(self, amount, attributes=None):
        if isinstance(amount, (int, float)) and amount < 0:
            raise ValueError("motia.metrics: %s: a counter only goes up (got %r)" % (self.name, amount))
        _measure(self, amount, attributes)


class UpDownCounter(_Instrument):
    """A sum that goes up and down (items in a cache, open connections)."""

    type = "updowncounter"

    def add(self, amount, attributes=None):
        _measure(self, amount, attributes)


class Histogram(_Instrument):
    """A distribution of values (durations in seconds with unit "s", sizes...)."""

    type = "histogram"

    def record(self, amount, attributes=None):
        _measure(self, amount, attributes)


class Meter:
    def __init__(self, name, version=None):
        self.name = name
        self.version = version

    def create_counter(self, name, unit="", description=""):
        return Counter(name, unit, description)

    def create_up_down_counter(self, name, unit="", description=""):
        return UpDownCounter(name, unit, description)

    def create_histogram(self, name, unit="", description="", explicit_bucket_boundaries_advisory=None):
        if explicit_bucket_boundaries_advisory is not None:
            buckets = [float(b) for b in explicit_bucket_boundaries_advisory]
        else:
            buckets = None if unit == "s" else list(_DEFAULT_BUCKETS)
        return Histogram(name, unit, description, buckets)


def get_meter(name, version=None):
    """A meter (its name is not a label: instruments are named in full, ``shop.orders``)."""
    return Meter(name, version)
