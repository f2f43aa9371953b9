"""The link to the motia engine: JSON frames out, replies in, and the current invocation.

Every SDK call (state, enqueue, streams, logs) becomes a ``call`` frame answered by the engine
with a ``reply``. The reader thread resolves ``concurrent.futures.Future`` objects directly, so a
call may block any thread (even the event loop's) without deadlocking. Whether a call blocks or
returns an awaitable follows the caller: code in a coroutine gets an awaitable, anything else
gets the value (docs/python.md, "Sync and async").
"""

import asyncio
import base64
import concurrent.futures
import contextvars
import dataclasses
import datetime
import decimal
import enum
import inspect
import itertools
import json
import sys
import threading
import uuid

_AWAITING = inspect.CO_COROUTINE | inspect.CO_ASYNC_GENERATOR | inspect.CO_ITERABLE_COROUTINE
# Frames between user code and the SDK that do not decide anything themselves.
_TRANSPARENT = {"<genexpr>", "<listcomp>", "<dictcomp>", "<setcomp>", "<lambda>"}


class Invocation:
    """One handler run: who is calling (step, trace, span) and where HTTP frames go."""

    __slots__ = ("id", "step", "trace_id", "span_id", "legacy", "http_used", "__weakref__")

    def __init__(self, id, step, trace_id, span_id=None, legacy=False):
        self.id = id
        self.step = step
        self.trace_id = trace_id
        self.span_id = span_id
        self.legacy = legacy
        self.http_used = False

    def origin(self):
        o = {"step": self.step, "traceId": self.trace_id}
        if self.span_id:
            o["spanId"] = self.span_id
        return o


current = contextvars.ContextVar("motia_invocation", default=None)


class EngineError(Exception):
    """An engine call failed (an unknown stream, a malformed update op...)."""

    def __init__(self, error):
        self.code = error.get("code")
        self.error = error
        super().__init__(error.get("message", "engine call failed"))


class _Transport:
    def __init__(self):
        self.write = None  # callable(bytes) or None when not running under the engine
        self.lock = threading.Lock()
        self.pending = {}
        self.ids = itertools.count(1)
        # With a loop attached, frames of one loop turn leave in one write (see send()).
        self.loop = None
        self.loop_thread = None
        self.out = []
        self.scheduled = False


_t = _Transport()


def configure(write):
    """Frames go to ``write(bytes)`` (the runner's protocol fd; tests pass a capture)."""
    _t.write = write


def attach_loop(loop):
    """Called on the loop's thread: from now on frames are written once per loop turn."""
    _t.loop = loop
    _t.loop_thread = threading.get_ident()


def connected():
    return _t.write is not None


def to_json(value):
    return _encode(value)


def _default(o):
    dump = getattr(o, "model_dump", None)
    if callable(dump) and not isinstance(o, type):
        try:
            return dump(mode="json")
        except TypeError:
            return dump()
    if isinstance(o, (datetime.datetime, datetime.date, datetime.time)):
        return o.isoformat()
    if dataclasses.is_dataclass(o) and not isinstance(o, type):
        return dataclasses.asdict(o)
    if isinstance(o, (set, frozenset, tuple)):
        return list(o)
    if isinstance(o, decimal.Decimal):
        return float(o)
    if isinstance(o, uuid.UUID):
        return str(o)
    if isinstance(o, enum.Enum):
        return o.value
    if isinstance(o, (bytes, bytearray, memoryview)):
        return bytes(o).decode("utf-8", "replace")
    raise TypeError("%s is not plain data (JSON): it cannot be sent to the engine" % type(o).__name__)


# One encoder for every frame: json.dumps with options builds a JSONEncoder per call.
_encode = json.JSONEncoder(separators=(",", ":"), default=_default, ensure_ascii=False).encode


def send(msg, urgent=False):
    """Queues a frame; the frames queued in one loop turn go out in one write at the start of
    the next (a write per frame cost more than the handler). ``urgent`` writes at once, with
    what is queued before it: a call frame, whose caller may block the loop thread itself."""
    data = (to_json(msg) + "\n").encode("utf-8")
    write = _t.write
    if write is None:
        raise RuntimeError("motia: not running under the motia engine (start the project with `motia dev`)")
    loop = _t.loop
    if loop is None or urgent:
        with _t.lock:
            if _t.out:
                _t.out.append(data)
                data = b"".join(_t.out)
                _t.out = []
            write(data)
        return
    with _t.lock:
        _t.out.append(data)
        if _t.scheduled:
            return
        _t.scheduled = True
    if threading.get_ident() == _t.loop_thread:
        loop.call_soon(flush)
    else:
        loop.call_soon_threadsafe(flush)


def flush():
    """Writes the queued frames."""
    with _t.lock:
        out, _t.out = _t.out, []
        _t.scheduled = False
        if out:
            _t.write(b"".join(out))


def call(target, args, op=None, name=None):
    """Sends a call frame; returns a concurrent Future the reader thread resolves."""
    fut = concurrent.futures.Future()
    inv = current.get()
    origin = inv.origin() if inv is not None else {"step": "python", "traceId": uuid.uuid4().hex}
    cid = next(_t.ids)
    msg = {"type": "call", "callId": cid, "target": target, "args": list(args), "origin": origin}
    if op is not None:
        msg["op"] = op
    if name is not None:
        msg["name"] = name
    _t.pending[cid] = fut
    try:
        send(msg, urgent=True)
    except Exception as err:  # not JSON, or no engine: fails in the caller
        _t.pending.pop(cid, None)
        fut.set_exception(err)
    return fut


def on_reply(msg):
    fut = _t.pending.pop(msg.get("callId"), None)
    if fut is None or fut.done():
        return
    if msg.get("ok"):
        fut.set_result(msg.get("value"))
    else:
        fut.set_exception(EngineError(msg.get("error") or {}))


def fail_pending(reason):
    """The engine went away: every waiting call fails instead of hanging."""
    pending, _t.pending = _t.pending, {}
    for fut in pending.values():
        if not fut.done():
            fut.set_exception(EngineError({"message": reason}))


def caller_awaits(depth=2):
    """True when the user code calling the SDK method is a coroutine (it can ``await``).

    ``depth`` counts frames above this one: 1 is the SDK method, 2 its caller. Comprehensions
    and lambdas defer to the frame that holds them, so ``await gather(*(s.get(g, i) for i in
    ids))`` in an async handler gets awaitables.
    """
    try:
        f = sys._getframe(depth)
    except ValueError:
        return False
    while f is not None and f.f_code.co_name in _TRANSPARENT:
        f = f.f_back
    return bool(f is not None and f.f_code.co_flags & _AWAITING)


def settle(fut, awaits, transform=None):
    """A call's result the way the caller expects it: an awaitable, or the value (blocking)."""
    if awaits:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            loop = None
        if loop is not None:
            out = loop.create_future()

            def done(f):
                def resolve():
                    if out.done():
                        return
                    err = f.exception()
                    if err is not None:
                        out.set_exception(err)
                        return
                    try:
                        out.set_result(transform(f.result()) if transform else f.result())
                    except Exception as e:  # noqa: BLE001 - the transform's own failure
                        out.set_exception(e)

                loop.call_soon_threadsafe(resolve)

            fut.add_done_callback(done)
            return out
    value = fut.result()
    return transform(value) if transform else value


class Done:
    """An already-completed awaitable that is also its value: for calls with nothing to wait for."""

    __slots__ = ("value",)

    def __init__(self, value=None):
        self.value = value

    def __await__(self):
        return self.value
        yield  # pragma: no cover - makes this a generator

    def __repr__(self):
        return "Done(%r)" % (self.value,)


def b64(data):
    return base64.b64encode(bytes(data)).decode("ascii")


def unb64(text):
    return base64.b64decode(text) if text else b""
