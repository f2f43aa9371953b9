"""Running one invocation: the input per trigger kind, condition, middleware, handler, outcome."""

import asyncio
import contextvars
import functools
import inspect
import traceback

from . import _bridge
from ._context import FlowContext
from ._model import AttrDict, attrify
from ._placement import Placement
from .types import ApiRequest, ApiResponse, TriggerInfo

_POSITIONAL = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)


@functools.lru_cache(maxsize=4096)
def _arity_of(fn):
    try:
        params = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        return 2, None
    if any(p.kind == inspect.Parameter.VAR_POSITIONAL for p in params):
        return 2, None
    pos = [p for p in params if p.kind in _POSITIONAL]
    return len(pos), (pos[0].name if pos else None)


def arity(fn):
    try:
        return _arity_of(fn)
    except TypeError:  # unhashable callable
        return _arity_of.__wrapped__(fn)


def call_user(fn, input, ctx, kind=None, legacy=False, cron_arg=None):
    """The signature rule: 2+ parameters (or ``*args``) → ``(input, ctx)``; one → ``(input)``
    (cron: ``None``, or ctx for 0.x steps and a parameter named ``ctx``/``context``); none → ``()``."""
    n, first = arity(fn)
    if n >= 2:
        return fn(input, ctx)
    if n == 1:
        if kind == "cron":
            return fn(ctx if legacy or first in ("ctx", "context") else cron_arg)
        return fn(input)
    return fn()


def _is_async(fn):
    if inspect.iscoroutinefunction(fn):
        return True
    call = getattr(fn, "__call__", None)
    return inspect.iscoroutinefunction(call)


_async_cache = functools.lru_cache(maxsize=4096)(_is_async)


def is_async(fn):
    try:
        return _async_cache(fn)
    except TypeError:  # unhashable callable
        return _is_async(fn)


class Runner:
    """Runs user functions: coroutines on the loop; sync functions in the thread pool, or inline
    on the loop once they have shown themselves quick (_placement.py), each in the invocation's
    context (so SDK calls and ``print`` know their trace)."""

    def __init__(self, loop, executor):
        self.loop = loop
        self.executor = executor
        self.placements = {}

    def placement(self, fn):
        """Where the sync function ``fn`` runs (None: always the pool, it cannot be told apart)."""
        try:
            place = self.placements.get(fn)
            if place is None:
                place = self.placements[fn] = Placement()
            return place
        except TypeError:  # unhashable callable
            return None

    async def call(self, fn, *args, _via=None, **kw):
        if is_async(fn):
            out = (_via or call_user)(fn, *args, **kw)
        else:
            # Middleware (`_via`) stays in the pool: its `next()` waits on the loop.
            place = None if _via else self.placement(fn)
            if place is not None and place.inline:
                out = place.run_inline(call_user, fn, *args, **kw)
            else:
                ctx = contextvars.copy_context()
                job = (functools.partial(ctx.run, place.run_pooled, call_user, fn, *args, **kw) if place
                       else functools.partial(ctx.run, _via or call_user, fn, *args, **kw))
                out = await self.loop.run_in_executor(self.executor, job)
        while awaitable(out):
            out = await out
        return out


# What handlers return most: never awaitable, told apart without inspect's checks.
_PLAIN = frozenset((dict, list, str, int, float, bool, type(None)))


def awaitable(value):
    return value.__class__ not in _PLAIN and inspect.isawaitable(value)


def trigger_info(trigger, kind, index, topic=None):
    info = TriggerInfo(type=kind, index=index)
    if kind == "http":
        info.method = (trigger.get("method") or "GET").upper()
        info.path = trigger.get("path")
    elif kind == "queue":
        info.topic = topic or trigger.get("topic")
    elif kind == "cron":
        info.expression = trigger.get("expression") or trigger.get("cron")
    elif kind == "stream":
        info.stream_name = trigger.get("stream_name") or trigger.get("streamName")
    return info


def background_input(kind, data, trigger):
    if kind == "state":
        d = attrify(data or {})
        d.setdefault("scope", d.get("group_id"))
        d.setdefault("key", d.get("item_id"))
        return d
    if kind == "stream":
        d = attrify(data or {})
        for a, b in (("stream_name", "streamName"), ("group_id", "groupId")):
            if a not in d and b in d:
                dict.__setitem__(d, a, d[b])
        return d
    if kind == "queue":
        model = trigger.get("input")
        if isinstance(model, type) and hasattr(model, "model_validate"):
            return model.model_validate(data)
        return attrify(data) if isinstance(data, dict) else data
    return data


def encode_response(result):
    """A handler's return value → ``{status, headers?, body | bodyText | bodyBytes}`` (None:
    nothing returned; no ``headers``: none of the handler's own)."""
    if result is None:
        return None
    if result.__class__ is dict and len(result) == 2 and "status" in result and "body" in result:
        # `{"status": ..., "body": {...}}`, most handlers' answer: nothing to convert.
        status, body = result["status"], result["body"]
        if body.__class__ is dict and status.__class__ is int and status:
            return {"status": status, "body": body}
    if isinstance(result, ApiResponse):
        d = {"status": result.status, "body": result.body, "headers": result.headers}
    elif isinstance(result, dict):
        d = result
    elif hasattr(result, "model_dump"):
        d = result.model_dump()
    else:
        raise TypeError(
            "an HTTP handler must return ApiResponse(status=..., body=...) or a dict "
            "{'status': ..., 'body': ...}, got %s" % type(result).__name__
        )
    out = {"status": _status(d.get("status_code", d.get("status", 200)))}
    headers = d.get("headers")
    if headers:
        out["headers"] = {str(k): str(v) for k, v in headers.items()}
    body = d.get("body")
    if body is None:
        return out
    if isinstance(body, (bytes, bytearray, memoryview)):
        out["bodyBytes"] = _bridge.b64(body)
    elif isinstance(body, str) and headers and _is_text_type(out["headers"]):
        out["bodyText"] = body
    else:
        out["body"] = body
    return out


def _status(status):
    """The status as an int where it plainly is one (``HTTPStatus.OK``, ``201.0``, ``"201"``);
    anything else goes to the engine as it is, which answers 500 naming it (200.5 is not 200)."""
    if status.__class__ is int:
        return status or 200
    if status is None:
        return 200
    if isinstance(status, int) and not isinstance(status, bool):
        return int(status)
    if isinstance(status, float) and status.is_integer():
        return int(status)
    if isinstance(status, str) and status.strip().isdigit():
        return int(status)
    return status if isinstance(status, (float, str)) else repr(status)


def _is_text_type(headers):
    for k, v in headers.items():
        if k.lower() == "content-type":
            return "json" not in v.lower()
    return False


def error_outcome(err):
    name = type(err).__name__
    e = {"name": name, "message": str(err) or name,
         "stack": "".join(traceback.format_exception(type(err), err, err.__traceback__))}
    code = getattr(err, "code", None)
    if isinstance(code, str):
        e["code"] = code
    out = {"status": "error", "error": e, "retryable": name != "NonRetriableError"}
    retry_after = getattr(err, "retry_after_ms", getattr(err, "retryAfterMs", None))
    if name == "RetryAfterError" and isinstance(retry_after, (int, float)):
        out["retryAfterMs"] = retry_after
    return out


async def run_chain(runner, middleware, req, ctx, handler_call):
    """``mw(req, ctx, next)``, first = outermost; ``next`` takes no arguments (extra ones ignored)
    and is awaitable in a coroutine, blocking in sync middleware."""
    loop = asyncio.get_running_loop()

    async def at(i):
        if i == len(middleware):
            return await handler_call()
        mw = middleware[i]

        def next_fn(*_args, **_kw):
            if _bridge.caller_awaits():
                return at(i + 1)
            return asyncio.run_coroutine_threadsafe(at(i + 1), loop).result()

        return await runner.call(mw, req, ctx, _via=call_middleware, middleware_next=next_fn)

    return await at(0)


def call_middleware(fn, req, ctx, middleware_next=None):
    n, _first = arity(fn)
    if n >= 3:
        return fn(req, ctx, middleware_next)
    if n == 2:
        return fn(req, middleware_next)
    return fn(req)


def new_context(step, trigger_info_obj, trace_id, input_value, legacy):
    return FlowContext(trace_id=trace_id, trigger=trigger_info_obj, input_value=input_value,
                       flows=step.flows, legacy=legacy)


__all__ = ["Runner", "call_user", "arity", "encode_response", "error_outcome", "background_input",
           "trigger_info", "run_chain", "new_context", "AttrDict", "ApiRequest"]
