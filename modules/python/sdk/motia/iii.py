"""Motia 1.x's ``get_instance()``: the iii engine this runtime also is (docs/iii.md)."""

from . import _bridge
from ._model import plain


class _Instance:
    def trigger(self, request):
        """Calls an iii function (a worker's, or the engine's own) from the current execution.

        ``request``: ``{"function_id", "payload", "action"?, "timeout_ms"?}``. Returns the
        function's result (awaitable in async code, the value in sync code); a failure raises
        with the function's message.
        """
        req = plain(request)
        if not isinstance(req, dict) or not isinstance(req.get("function_id"), str) or not req["function_id"]:
            raise ValueError('trigger needs {"function_id": str, "payload": ...}')
        out = {"function_id": req["function_id"], "payload": req.get("payload")}
        if req.get("action") is not None:
            out["action"] = req["action"]
        timeout = req.get("timeout_ms", req.get("timeoutMs"))
        if timeout is not None:
            out["timeoutMs"] = timeout
        fut = _bridge.call("trigger", [out])
        return _bridge.settle(fut, _bridge.caller_awaits(), lambda v: v)


_instance = _Instance()


def get_instance():
    return _instance


def init_iii(*a, **k):
    return _instance
