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

This module is what the rest of the SDK uses: the current invocation, calls and how their results
reach the caller. The frames' text is made in ``_wire``, queued and written in ``_transport``, and
the engine's frames are read by ``_inbox``.
"""

import asyncio
import base64
import concurrent.futures
import contextvars
import inspect
import sys
import threading
import uuid

from ._inbox import Inbox
from ._transport import (  # noqa: F401 - the SDK's modules and tests reach these through _bridge
    EngineError,
    _t,
    attach_loop,
    configure,
    connected,
    fail_pending,
    flush,
    on_reply,
    reply_on_loop,
    send,
    send_reply,
    to_json,
)

_AWAITING = inspect.CO_COROUTINE | inspect.CO_ASYNC_GENERATOR | inspect.CO_ITERABLE_COROUTINE
# Frames between user code and the SDK that do not decide anything themselves.
_TRANSPARENT = {"<genexpr>", "<listcomp>", "<dictcomp>", "<setcomp>", "<lambda>"}


class Invocation:
    """One handler run: who is calling (step, trace, span) and where HTTP frames go."""

    __slots__ = ("id", "step", "trace_id", "span_id", "legacy", "http_used", "waited", "__weakref__")

    def __init__(self, id, step, trace_id, span_id=None, legacy=False):
        self.id = id
        self.step = step
        self.trace_id = trace_id
        self.span_id = span_id
        self.legacy = legacy
        self.http_used = False
        # Set by a call that blocks its caller until the engine replies (_placement.py reads it).
        self.waited = False

    def origin(self):
        o = {"step": self.step, "traceId": self.trace_id}
        if self.span_id:
            o["spanId"] = self.span_id
        return o


current = contextvars.ContextVar("motia_invocation", default=None)


def call(target, args, op=None, name=None):
    """Sends a call frame; returns a concurrent Future, settled where the engine's reply is read
    (``Inbox``)."""
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
    # Whoever made this call waits for the engine: a `def` handler that does so must not run on
    # the loop's thread, which reads the replies (_placement.py).
    inv = current.get()
    if inv is not None:
        inv.waited = True
    elif not awaits and threading.get_ident() != _t.loop_thread:
        _t.stray_waits += 1  # a thread a handler started (no invocation of its own)
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
