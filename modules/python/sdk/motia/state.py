"""``stateManager`` / ``state_manager``: the engine's state, grouped by scope (group id)."""

from . import _bridge
from ._model import update_ops


class GroupList(list):
    """``list_groups()`` result: a list, which upstream code may also read as ``["groups"]``."""

    def __getitem__(self, key):
        if key == "groups":
            return list(self)
        return list.__getitem__(self, key)

    def get(self, key, default=None):
        return list(self) if key == "groups" else default


class StateManager:
    """Every method blocks in sync code and returns an awaitable in a coroutine.

    ``legacy=True`` is the 0.x ``context.state``: ``set`` returns the value stored instead of
    ``{"old_value", "new_value"}``.
    """

    def __init__(self, legacy=False):
        self._legacy = legacy

    def _call(self, awaits, op, args, transform=None):
        return _bridge.settle(_bridge.call("state", args, op=op), awaits, transform)

    def get(self, group_id, key):
        return self._call(_bridge.caller_awaits(), "get", [group_id, key])

    def set(self, group_id, key, value):
        pick = (lambda r: r and r.get("new_value")) if self._legacy else None
        return self._call(_bridge.caller_awaits(), "set", [group_id, key, value], pick)

    def update(self, group_id, key, ops):
        return self._call(_bridge.caller_awaits(), "update", [group_id, key, update_ops(ops)])

    def delete(self, group_id, key):
        return self._call(_bridge.caller_awaits(), "delete", [group_id, key])

    def list(self, group_id):
        return self._call(_bridge.caller_awaits(), "getGroup", [group_id])

    def get_group(self, group_id):
        return self._call(_bridge.caller_awaits(), "getGroup", [group_id])

    getGroup = get_group

    def clear(self, group_id):
        return self._call(_bridge.caller_awaits(), "clear", [group_id], lambda _: None)

    def list_groups(self):
        return self._call(_bridge.caller_awaits(), "listGroups", [], GroupList)

    listGroups = list_groups


stateManager = StateManager()
state_manager = stateManager
