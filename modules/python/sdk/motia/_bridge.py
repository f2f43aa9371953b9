"""The link to the motia engine: JSON frames out, replies in, and the current invocation.

Every SDK call (state, enqueue, streams, logs) becomes a ``call`` frame answered by the engine
with a ``reply``, which resolves a ``concurrent.futures.Future``. The event loop reads the
engine's frames (``Inbox``); a call that blocks the loop's own thread reads them itself while it
waits, so a call may block any thread without deadlocking. Whether a call blocks or returns an
awaitable follows the caller: code in a coroutine gets an awaitable, anything else gets the value
(docs/python.md, "Sync and async").

Frames are JSON lines (the engine sends a JSON array of frames on one line when several leave
together: one parse per batch). One line is not JSON: the answer of an HTTP handler that returned
a JSON body with no headers, ``R<id> <status> <body as JSON>``, whose body goes to the client as
it was serialised here.
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
import os
import select
import sys
import threading
import uuid
from json.encoder import c_make_encoder, encode_basestring

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
        # Frames (str lines) queued by the loop's own thread: only it appends to or takes this list.
        self.loop_out = []
        self.scheduled = False
        # The loop is delivering a batch of the engine's frames; it flushes at the end (Inbox).
        self.delivering = False
        self.inbox = None


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


# NaN and Infinity are not JSON: the engine could not read the frame (a ValueError instead).
_encoder = json.JSONEncoder(separators=(",", ":"), default=_default, ensure_ascii=False, allow_nan=False)
# On the loop's thread, where most frames are made, the C encoder is called directly: `encode`
# sets one up per call. Its circular-reference marks are shared, so other threads use `encode`.
_marks = {}
_c_encode = c_make_encoder and c_make_encoder(_marks, _default, encode_basestring, None, ":", ",", False, False, False)


def _encode(value):
    if threading.get_ident() != _t.loop_thread:
        return _encoder.encode(value)
    return _encode_on_loop(value)


def _encode_on_loop(value):
    """JSON text of ``value``, made on the loop's thread (the only one the C encoder serves)."""
    if _c_encode is None:
        return _encoder.encode(value)
    try:
        return "".join(_c_encode(value, 0))
    except BaseException:
        _marks.clear()  # a failed encoding leaves its marks behind
        raise


# Frames queued in one loop turn past which they leave without waiting for the turn's end: the
# engine starts on the first answers of a long batch while the rest run (bench/python.ts, +10%).
_EAGER = 8


def send(msg, urgent=False):
    """Queues a frame; the frames queued in one loop turn go out in one write at the start of
    the next (a write per frame cost more than the handler). ``urgent`` writes at once, with
    what is queued before it: a call frame, whose caller may block the loop thread itself."""
    _queue(to_json(msg) + "\n", urgent)


# An HTTP handler's JSON answer with no headers of its own: ``R<id> <status> <body as JSON>``.
_REPLY = "R%d %d %s\n"


def send_reply(invocation_id, status, body):
    """The ``R`` line of an HTTP answer, from any thread."""
    _queue(_REPLY % (invocation_id, status, to_json(body)), False)


def reply_on_loop(invocation_id, status, body):
    """``send_reply`` from the loop's thread (the HTTP path): no thread checks, the loop's own queue."""
    _queue_on_loop(_REPLY % (invocation_id, status, _encode_on_loop(body)))


def _queue(line, urgent):
    """Frames made on the loop's thread go to its own queue, with no lock (only that thread
    touches it); other threads (sync handlers) share a locked one. Each keeps its order."""
    if _t.write is None:
        raise RuntimeError("motia: not running under the motia engine (start the project with `motia dev`)")
    loop = _t.loop
    if loop is not None and not urgent:
        if threading.get_ident() == _t.loop_thread:
            _queue_on_loop(line)
            return
        with _t.lock:
            _t.out.append(line)
            if _t.scheduled:
                return
            _t.scheduled = True
        loop.call_soon_threadsafe(flush)
        return
    with _t.lock:
        parts = _t.out
        _t.out = []
        if _t.loop_out and threading.get_ident() == _t.loop_thread:
            parts = _t.loop_out + parts
            _t.loop_out = []
        parts.append(line)
        _t.write(_encoded(parts))


def _queue_on_loop(line):
    out = _t.loop_out
    out.append(line)
    if len(out) >= _EAGER:
        # A long batch answers as it goes: the engine works on these while the rest run.
        _t.loop_out = []
        with _t.lock:  # writes never interleave (another thread's urgent one)
            _t.write(_encoded(out))
    elif not _t.scheduled and not _t.delivering:
        _t.scheduled = True
        _t.loop.call_soon(flush)


def flush():
    """Writes the queued frames (on the loop's thread)."""
    with _t.lock:
        parts = _t.out
        _t.out = []
        _t.scheduled = False
        if _t.loop_out:
            parts = _t.loop_out + parts
            _t.loop_out = []
        if parts:
            _t.write(_encoded(parts))


def _encoded(parts):
    """The bytes of queued frame lines. A str holding a lone surrogate (``"\\ud800"``, which is
    not Unicode text) has no UTF-8 form: only then is each line encoded alone, so that one line
    never costs the others of the write (they were taken off the queue already)."""
    try:
        return "".join(parts).encode("utf-8")
    except UnicodeEncodeError:
        return b"".join(_encoded_line(line) for line in parts)


def _encoded_line(line):
    """One line with a lone surrogate. An HTTP answer holding one (an ``R`` line, a ``done`` frame
    with a response, a streamed response's headers) becomes that invocation's error: its client
    gets a 500 naming the problem. Any other frame (a call, a log line, an error's message) keeps
    the surrogate as the JSON escape ``\\ud800`` (a lone surrogate only occurs inside a JSON
    string), which the engine reads back as the same string."""
    try:
        return line.encode("utf-8")
    except UnicodeEncodeError as err:
        bad = err.object[err.start]
    inv_id = None
    if line.startswith("R"):
        inv_id = int(line[1 : line.index(" ")])
    else:
        try:
            msg = json.loads(line)
        except ValueError:
            msg = None
        if msg.__class__ is dict and (
            (msg.get("type") == "done" and "response" in (msg.get("outcome") or {})) or msg.get("type") == "http"
        ):
            inv_id = msg.get("id")
    if inv_id is None:
        return line.encode("utf-8", "backslashreplace")
    message = ("the response holds the lone surrogate U+%04X (a str that is not valid Unicode text): it has "
               "no UTF-8 form, so it cannot be sent" % ord(bad))
    error = {"name": "InvalidResponse", "code": "E_HANDLER_FAILED", "message": message}
    frame = {"type": "done", "id": inv_id, "outcome": {"status": "error", "error": error, "retryable": False}}
    return (json.dumps(frame) + "\n").encode("utf-8")


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


class Inbox:
    """The engine's frames, read off the protocol fd without a reader thread: by the event loop
    when the fd is readable (a thread hop per chunk cost more than the handlers it carried), and
    by a call that blocks the loop's own thread while it waits (``settle``). Replies settle their
    calls at once; the other frames go to ``deliver`` on the loop, in order."""

    def __init__(self, fd, deliver, on_close):
        self.fd = fd
        self.deliver = deliver
        self.on_close = on_close
        # The start of a line cut off by the end of what was read: its chunks, joined once its
        # newline arrives (joining at every read made a large frame's reading quadratic: 30 MB
        # took 4 s in 64 KB reads).
        self.held = []
        self.closed = False
        os.set_blocking(fd, False)

    def attach(self, loop):
        _t.inbox = self
        loop.add_reader(self.fd, self.on_readable)

    def on_readable(self):
        batch = self.read()
        if batch:
            # What the batch answers at once leaves at its end, in this loop iteration, rather
            # than from a callback in the next one (an extra turn of the loop per batch).
            _t.delivering = True
            try:
                self.deliver(batch)
            finally:
                _t.delivering = False
                if _t.loop_out:
                    flush()

    def read(self):
        """Reads what the pipe holds; returns the frames that are not replies."""
        if self.closed:
            return None
        try:
            chunk = os.read(self.fd, 1 << 16)
        except BlockingIOError:
            return None
        if not chunk:
            self.closed = True
            if _t.loop is not None:
                _t.loop.remove_reader(self.fd)
            fail_pending("the engine closed the connection")
            self.on_close()
            return None
        if b"\n" not in chunk:
            self.held.append(chunk)
            return None
        if self.held:
            self.held.append(chunk)
            chunk = b"".join(self.held)
            self.held = []
        lines = chunk.split(b"\n")
        rest = lines.pop()
        if rest:
            self.held.append(rest)
        batch = []
        for line in lines:
            if not line:
                continue
            try:
                frames = json.loads(line)
            except ValueError:
                continue
            # A batch is a list of frames; a frame that is itself a list (a tuple) starts with its tag.
            if frames.__class__ is not list or (frames and frames[0].__class__ is str):
                frames = (frames,)
            for msg in frames:
                if msg.__class__ is dict and msg.get("type") == "reply":
                    on_reply(msg)
                else:
                    batch.append(msg)
        return batch

    def wait(self, fut):
        """Reads frames on the loop's thread until ``fut`` is settled (its caller blocks the loop)."""
        loop = _t.loop
        while not fut.done() and not self.closed:
            select.select([self.fd], [], [])
            batch = self.read()
            if batch:
                loop.call_soon(self.deliver, batch)


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

                # A reply read by the loop itself needs no wake-up.
                if loop is _t.loop and threading.get_ident() == _t.loop_thread:
                    loop.call_soon(resolve)
                else:
                    loop.call_soon_threadsafe(resolve)

            fut.add_done_callback(done)
            return out
    inbox = _t.inbox
    if inbox is not None and not fut.done() and threading.get_ident() == _t.loop_thread:
        inbox.wait(fut)  # nobody else reads the reply while this thread waits
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
