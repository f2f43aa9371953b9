"""``is_api_trigger(t)``, ``is_api_step(step)``, ``get_api_triggers(step)`` and the rest."""

from ._loader import as_mapping
from ._model import lookup

_KINDS = {"api": ("http", "api"), "queue": ("queue", "event"), "cron": ("cron",), "state": ("state",),
          "stream": ("stream",)}


def _type(t):
    m = as_mapping(t) or {}
    return m.get("type")


def _triggers(step):
    cfg = getattr(step, "config", step)
    m = as_mapping(cfg) or {}
    return list(lookup(m, "triggers") or [])


def _make(kind):
    types = _KINDS[kind]
    return (lambda t: _type(t) in types,
            lambda s: any(_type(t) in types for t in _triggers(s)),
            lambda s: [t for t in _triggers(s) if _type(t) in types])


is_api_trigger, is_api_step, get_api_triggers = _make("api")
is_queue_trigger, is_queue_step, get_queue_triggers = _make("queue")
is_cron_trigger, is_cron_step, get_cron_triggers = _make("cron")
is_state_trigger, is_state_step, get_state_triggers = _make("state")
is_stream_trigger, is_stream_step, get_stream_triggers = _make("stream")
is_event_step = is_queue_step


def is_noop_step(step):
    return len(_triggers(step)) == 0
