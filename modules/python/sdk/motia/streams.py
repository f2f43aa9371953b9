"""``Stream("name")``: items at stream/group/id, pushed to WebSocket subscribers on every write."""

from . import _bridge
from ._model import plain, update_ops

#: Names of every Stream created so far: the runner reports them, so clients may join streams
#: that exist only in Python code.
created_names = set()


class Stream:
    """``Stream("todo")`` or ``Stream(StreamConfig(name=...))``; ``Stream[dict]("x")`` too.

    ``item_only=True`` is ``ctx.streams.<name>`` (0.x / RC contexts): ``set`` and ``update``
    return the item instead of ``{"old_value", "new_value"}``.
    """

    def __class_getitem__(cls, item):
        return cls

    def __init__(self, config, item_only=False):
        name = config if isinstance(config, str) else getattr(config, "name", None)
        if name is None and isinstance(config, dict):
            name = config.get("name")
        if not isinstance(name, str) or not name:
            raise ValueError("Stream needs a name: Stream('todo') or Stream(StreamConfig(name='todo'))")
        self.name = name
        self.config = config
        self._item_only = item_only
        created_names.add(name)

    def _call(self, awaits, op, args, transform=None):
        return _bridge.settle(_bridge.call("stream", args, op=op, name=self.name), awaits, transform)

    def _write_result(self):
        return (lambda r: r and r.get("new_value")) if self._item_only else None

    def get(self, group_id, id):
        return self._call(_bridge.caller_awaits(), "get", [group_id, id])

    def set(self, group_id, id, data):
        return self._call(_bridge.caller_awaits(), "set", [group_id, id, plain(data)], self._write_result())

    def update(self, group_id, id, ops):
        return self._call(_bridge.caller_awaits(), "update", [group_id, id, update_ops(ops)], self._write_result())

    def delete(self, group_id, id):
        return self._call(_bridge.caller_awaits(), "delete", [group_id, id])

    def get_group(self, group_id):
        return self._call(_bridge.caller_awaits(), "getGroup", [group_id])

    getGroup = get_group
    list = get_group

    def list_groups(self):
        return self._call(_bridge.caller_awaits(), "listGroups", [])

    listGroups = list_groups

    def send(self, channel, event):
        channel = plain(channel)
        if isinstance(channel, dict):
            channel = {"groupId": channel.get("groupId", channel.get("group_id")), **({"id": channel["id"]} if channel.get("id") is not None else {})}
        return self._call(_bridge.caller_awaits(), "send", [channel, plain(event)], lambda _: None)


class Streams:
    """``ctx.streams.<name>``."""

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return Stream(name, item_only=True)

    def __getitem__(self, name):
        return Stream(name, item_only=True)
