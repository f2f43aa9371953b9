"""Where a ``def`` handler runs: in the thread pool, or inline on the event loop's thread.

A hop to the pool and back (``run_in_executor``: a queue, a thread wake-up, the GIL handed over
and back, a wake-up of the loop, a Task) costs ~25 µs of CPU, several times what a trivial handler
and its whole request cost in python, so a ``def`` handler that has shown itself quick is called
in place, like an ``async def`` one. One that blocks must not stall the other requests of its
process, so (docs/python.md, "Sync handlers"):

- a ``def`` function (handler or condition) starts in the pool: nothing is known about it yet;
- after ``PROMOTE_AFTER`` calls in a row that each returned within ``FAST`` seconds without
  waiting for the engine (an SDK call's reply, also from a thread of its own: the loop's thread
  reads the replies) and without making an event loop, it runs inline;
- an inline call that takes longer than ``SLOW`` seconds, or makes a blocking SDK call, sends it
  back to the pool, and it needs twice as long a run of quick calls to come back: a function that
  is only sometimes slow stalls the loop ever more rarely (at most ``MAX_STREAK``).

Middleware stays in the pool (its ``next()`` waits on the loop). A function that makes an event
loop of its own (``asyncio.run()``) stays there too: inline, the runtime's loop is running in its
thread, so a second one could not run. (Clearing the running loop around each inline call would
lift that, but each set or read of it calls getpid(), ~3 µs a syscall on a sandboxed machine.)
"""

import asyncio
import time

from . import _bridge

PROMOTE_AFTER = 16
FAST = 0.001
SLOW = 0.010
MAX_STREAK = 1 << 16

_clock = time.perf_counter
_current = _bridge.current
_t = _bridge._t


class LoopCounting(asyncio.DefaultEventLoopPolicy):
    """The runner's event loop policy: counts the loops made (``asyncio.run()``, ``new_event_loop()``)."""

    made = 0

    def new_event_loop(self):
        LoopCounting.made += 1
        return super().new_event_loop()


class Placement:
    """What is known of one ``def`` function: whether it runs inline, and its run of quick calls."""

    __slots__ = ("inline", "streak", "need")

    def __init__(self):
        self.inline = False
        self.streak = 0
        self.need = PROMOTE_AFTER

    def run_pooled(self, call, *args, **kw):
        """``call(*args, **kw)`` in a pool thread, counted towards (or against) running inline."""
        inv = _current.get()
        if inv is not None:
            inv.waited = False
        stray, loops = _t.stray_waits, LoopCounting.made
        start = _clock()
        try:
            return call(*args, **kw)
        finally:
            if (_clock() - start < FAST and (inv is None or not inv.waited) and stray == _t.stray_waits
                    and loops == LoopCounting.made):
                self.streak += 1
                if self.streak >= self.need:
                    self.inline = True
            else:
                self.streak = 0

    def run_inline(self, call, *args, **kw):
        """``call(*args, **kw)`` on the loop's thread; a slow or blocking call sends it back."""
        inv = _current.get()
        if inv is not None:
            inv.waited = False
        stray = _t.stray_waits
        start = _clock()
        try:
            return call(*args, **kw)
        finally:
            if _clock() - start > SLOW or (inv is not None and inv.waited) or stray != _t.stray_waits:
                self.inline = False
                self.streak = 0
                self.need = min(self.need * 2, MAX_STREAK)
