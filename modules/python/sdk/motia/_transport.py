"""Frames out and replies in: the queue of frame lines, their writes, and the pending calls.

Frames made in one turn of the event loop leave in one write at the start of the next (a write
per frame cost more than the handler). Frames made on the loop's own thread go to a list only
that thread touches (no lock); other threads share a locked one. Each keeps its order.
"""

import itertools
import threading

from . import _wire


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
        # Blocking calls made by threads that are not an invocation's (_bridge.settle).
        self.stray_waits = 0


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
    if threading.get_ident() != _t.loop_thread:
        return _wire.encode(value)
    return _wire.encode_on_loop(value)


# Frames queued in one loop turn past which they leave without waiting for the turn's end: the
# engine starts on the first answers of a long batch while the rest run (bench/python.ts, +10%).
_EAGER = 8


def send(msg, urgent=False):
    """Queues a frame; the frames queued in one loop turn go out in one write at the start of
    the next. ``urgent`` writes at once, with what is queued before it: a call frame, whose
    caller may block the loop thread itself."""
    _queue(to_json(msg) + "\n", urgent)


# An HTTP handler's JSON answer with no headers of its own: ``R<id> <status> <body as JSON>``.
_REPLY = "R%d %d %s\n"


def send_reply(invocation_id, status, body):
    """The ``R`` line of an HTTP answer, from any thread."""
    _queue(_REPLY % (invocation_id, status, to_json(body)), False)


def reply_on_loop(invocation_id, status, body):
    """``send_reply`` from the loop's thread (the HTTP path): no thread checks, the loop's own queue."""
    _queue_on_loop(_REPLY % (invocation_id, status, _wire.encode_on_loop(body)))


def _queue(line, urgent):
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
        _t.write(_wire.encoded(parts))


def _queue_on_loop(line):
    out = _t.loop_out
    out.append(line)
    if len(out) >= _EAGER:
        # A long batch answers as it goes: the engine works on these while the rest run.
        _t.loop_out = []
        with _t.lock:  # writes never interleave (another thread's urgent one)
            _t.write(_wire.encoded(out))
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
            _t.write(_wire.encoded(parts))


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
