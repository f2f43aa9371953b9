"""``enqueue({"topic", "data", "messageGroupId"?})``."""

from . import _bridge
from ._model import plain


def _message(message, data=None, **kw):
    if isinstance(message, str):
        message = {"topic": message, "data": data}
    else:
        message = plain(message)
    # Motia's first releases named the topic "type": sent as such, the engine reads it as the topic (and warns).
    key = "type" if isinstance(message, dict) and "topic" not in message else "topic"
    if not isinstance(message, dict) or not isinstance(message.get(key), str) or not message.get(key):
        raise ValueError('enqueue needs {"topic": str, "data": ...} (or enqueue("topic", data))')
    out = {key: message[key], "data": message.get("data")}
    group = message.get("messageGroupId", message.get("message_group_id", kw.get("message_group_id")))
    if group is not None:
        out["messageGroupId"] = group
    for src, dst in (("idempotency_key", "idempotencyKey"), ("delay_seconds", "delaySeconds")):
        v = message.get(dst, message.get(src))
        if v is not None:
            out[dst] = v
    return out


def send(awaits, message, data=None, **kw):
    fut = _bridge.call("enqueue", [_message(message, data, **kw)])
    return _bridge.settle(fut, awaits, lambda _: None)


def enqueue(message, data=None, **kw):
    """Sends a message; waits for the engine's ack (sync callers) or returns an awaitable."""
    return send(_bridge.caller_awaits(), message, data, **kw)


emit = enqueue
