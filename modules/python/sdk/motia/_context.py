"""``ctx``: the superset of every generation's context (docs/python.md has the table)."""

import inspect

from . import _bridge, _enqueue
from ._logging import logger
from .state import StateManager
from .streams import Streams


_STATE = StateManager(legacy=False)
_LEGACY_STATE = StateManager(legacy=True)


class FlowContext:
    """``trace_id``, ``trigger``, ``is_*()``, ``get_data()``, ``match()`` (1.x); ``emit``/``enqueue``,
    ``state``, ``streams``, ``logger``, ``flows`` (0.x and RC contexts). New attributes may be set
    (``ctx.user = ...`` in middleware)."""

    def __class_getitem__(cls, item):
        return cls

    # Stateless, so shared by every context (a handler may still assign its own).
    logger = logger
    streams = Streams()

    def __init__(self, trace_id=None, trigger=None, input_value=None, flows=(), legacy=False):
        self.trace_id = trace_id
        self.traceId = trace_id
        self.trigger = trigger
        self.input_value = input_value
        self.flows = list(flows)
        self.state = _LEGACY_STATE if legacy else _STATE

    # -- emitting ------------------------------------------------------------------------------
    def enqueue(self, message, data=None, **kw):
        return _enqueue.send(_bridge.caller_awaits(), message, data, **kw)

    def emit(self, message, data=None, **kw):
        return _enqueue.send(_bridge.caller_awaits(), message, data, **kw)

    # -- trigger checks ------------------------------------------------------------------------
    def _type(self):
        return getattr(self.trigger, "type", None)

    def is_api(self, *_):
        return self._type() == "http"

    is_http = is_api

    def is_queue(self, *_):
        return self._type() == "queue"

    is_event = is_queue

    def is_cron(self, *_):
        return self._type() == "cron"

    def is_state(self, *_):
        return self._type() == "state"

    def is_stream(self, *_):
        return self._type() == "stream"

    def get_data(self):
        t = self._type()
        if t == "http":
            return getattr(self.input_value, "body", None)
        if t == "cron":
            return None
        return self.input_value

    getData = get_data

    async def match(self, handlers):
        t = self._type()
        keys = {"http": ("http", "api"), "queue": ("queue", "event")}.get(t, (t,))
        fn = next((handlers[k] for k in keys if k in handlers), None)
        if fn is None:
            fn = handlers.get("default")
        if fn is None:
            raise RuntimeError("No handler matched for trigger type: %s" % t)
        from ._invoke import call_user  # the calling rule of handlers applies to sub-handlers

        if t == "cron":
            out = call_user(fn, None, self, kind="cron", cron_arg=None)
        else:
            out = call_user(fn, self.input_value, self, kind=t)
        while inspect.isawaitable(out):
            out = await out
        return out
