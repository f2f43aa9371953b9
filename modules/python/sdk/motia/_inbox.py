"""The engine's frames, read off the protocol fd by the event loop (no reader thread)."""

import json
import os
import select

from ._transport import _t, fail_pending, flush, on_reply


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
